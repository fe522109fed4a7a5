// The `wire5g` command.

import { decodeCommand } from './decode.ts';
import { captureCommand } from './capture.ts';
import { runCommand } from './run.ts';
import { startCommand } from './start.ts';
import { subscriberCommand } from './subscriber.ts';
import { upCommand, UP_USAGE } from './up.ts';
import { ctlCommand } from './ctl.ts';
import { scenariosCommand, runScenarioCommand } from './scenarios.ts';

const USAGE = `wire5g: a 5G System emulator on one machine

usage:
  wire5g run [--config FILE] [--out DIR] [--ues N] [--parallel N]
             [--deregistration switch-off|normal|mixed|none] [--external-core] [--verbose]
                                  run the default scenario (all NFs here, or only gNB + UEs)
  wire5g run --scenario FILE|NAME [--config FILE] [--out DIR] [--ues N] [--external-core]
                                  run a scenario file (timed actions over groups of UEs)
  wire5g scenarios                list the built-in scenario files
  ${UP_USAGE}
                                  a network that stays up, driven with wire5g ctl
  wire5g ctl [--out DIR] <command> [--json]   drive it: status, ue <supi> register|deregister|pdu|ping|add, dump, down
  wire5g start <nf> [--config FILE] [--capture FILE] [--ladder]
                                  run one core NF (udr udm ausf pcf upf smf amf) in this process
  wire5g decode FILE [--json]     print every frame of a pcap/pcapng file: GTP-U/PFCP/NGAP/NAS-5GS/HTTP/2 messages
  wire5g capture merge OUT IN...  merge the captures of a multi-process run by time, each datagram once
  wire5g subscriber add|list|remove   manage the UDR's subscribers (SQLite, out/udr.sqlite)
  wire5g help                     this text
`;

// `wire5g decode ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'decode':
      return decodeCommand(rest);
    case 'capture':
      return captureCommand(rest);
    case 'run':
    case undefined:
      return rest.some((a) => a === '--scenario' || a.startsWith('--scenario=')) ? runScenarioCommand(rest) : runCommand(rest);
    case 'up':
      return upCommand(rest);
    case 'ctl':
      return ctlCommand(rest);
    case 'scenarios':
      return scenariosCommand();
    case 'start':
      return startCommand(rest);
    case 'subscriber':
      return subscriberCommand(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`wire5g: unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
