// The control plane of a running network: LiveNetwork (the network and its UEs), the command
// table of `wire5g ctl` (commands.ts; importing this module registers every command), the
// control API (api.ts) and scenario files (scenario-file.ts).

export * from './live-network.ts';
export * from './commands.ts';
export * from './api.ts';
import './policy-commands.ts';
import './coverage-commands.ts';
import './charging-commands.ts'; // issue 16: ctl chf abort
import './event-exposure-commands.ts'; // issue 16: ctl af events-subscribe | events | events-unsubscribe
import './amf-release-command.ts';
import './mobility-commands.ts'; // issue 18: ctl ue move
