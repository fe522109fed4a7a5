// `ctl af events-subscribe | events | events-unsubscribe`: the AF, in its NEF role, subscribes to
// the PCF's policy control events of any UE's PDU sessions (Npcf_EventExposure, TS 29.523; the
// PCF's side is nodes/pcf/event-exposure.ts), reads what it was notified of, and unsubscribes.

import { registerControlCommand } from './commands.ts';
import { ControlError, type LiveNetwork } from './live-network.ts';
import { embedded } from './network-commands.ts';

const af = (net: LiveNetwork, command: string) => embedded(net.core?.af, 'af', command);

registerControlCommand({
  words: ['af', 'events-subscribe'],
  options: {
    event: { kind: 'string', arg: 'EVENT[,EVENT]', default: 'AC_TY_CH,PLMN_CH', help: 'TS 29.523 PcEvent values to subscribe to: AC_TY_CH (access type of each new PDU session), PLMN_CH (PLMN where the UE is)' },
    dnn: { kind: 'string', arg: 'DNN[,DNN]', default: 'any', help: 'only PDU sessions on these DNNs (filterDnns)' },
    imm: { kind: 'flag', help: 'immediate report: the answer holds the current values of the PDU sessions already there (eventsRepInfo.immRep)' },
    max: { kind: 'integer', arg: 'N', min: 1, max: 1_000_000, default: 'none', help: 'the subscription ends with its N-th notification (eventsRepInfo.maxReportNbr)' },
  },
  summary: "the AF subscribes to the PCF's policy control events of any UE's PDU sessions (Npcf_EventExposure_Subscribe, TS 29.523); prints the subscription's id and the immediate report",
  run: async (net, a) => {
    const events = String(a.options.event ?? 'AC_TY_CH,PLMN_CH').split(',').filter(Boolean);
    const dnns = typeof a.options.dnn === 'string' ? a.options.dnn.split(',').filter(Boolean) : undefined;
    const o = { events, ...(dnns ? { dnns } : {}), ...(a.options.imm ? { immRep: true } : {}), ...(typeof a.options.max === 'number' ? { maxReports: a.options.max } : {}) };
    return net.recorder.procedure('Policy control events subscription (Npcf_EventExposure_Subscribe)', 'TS 29.523 4.2.2', undefined, () => af(net, 'af events-subscribe').subscribePcEvents(o));
  },
});

registerControlCommand({
  words: ['af', 'events', '<id>'],
  options: {},
  summary: 'the policy control events the AF was notified of on its subscription <id> (Npcf_EventExposure_Notify)',
  run: async (net, a) => {
    const events = af(net, 'af events').pcEventsOf(a.params.id);
    if (!events) throw new ControlError(404, `the AF has no event subscription ${a.params.id}`);
    return { id: a.params.id, events };
  },
});

registerControlCommand({
  words: ['af', 'events-unsubscribe', '<id>'],
  options: {},
  summary: 'the AF ends its event subscription <id> (Npcf_EventExposure_UnSubscribe, TS 29.523)',
  run: async (net, a) => {
    const f = af(net, 'af events-unsubscribe');
    if (!f.pcEventsOf(a.params.id)) throw new ControlError(404, `the AF has no event subscription ${a.params.id}`);
    await net.recorder.procedure('Policy control events unsubscription (Npcf_EventExposure_UnSubscribe)', 'TS 29.523 4.2.3', undefined, () => f.unsubscribePcEvents(a.params.id));
    return { id: a.params.id, unsubscribed: true };
  },
});
