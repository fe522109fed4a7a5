// Npcf_EventExposure (TS 29.523) between the PCF and the AF in its NEF role, over loopback HTTP/2:
// the AF subscribes for any UE's PDU sessions on a DNN with the immediate report (the 201 carries
// the access type and PLMN of the sessions already there), is notified of the AC_TY_CH and PLMN_CH
// events of each new PDU session (the PCF learns them at SM policy establishment, TS 23.502
// 4.16.4), modifies its subscription (other events, another DNN: the sessions it no longer
// matches are not reported), and unsubscribes; maxReportNbr ends a subscription at both ends with
// its last notification; an event the PCF does not report is refused. The Rel-18 OpenAPI schema (Ajv, test/helpers/sbi-schema-setup.ts)
// judges every Subscribe, modify, UnSubscribe and Notify body.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork, findCommand, checkCommandArgs } from '../../nodes/control/index.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import { SbiErrorReply } from '../../nodes/common/sbi/client.ts';
import { SbiProblem } from '../../nodes/common/sbi.ts';
import { testConfig } from '../helpers/network.ts';

const A = 'imsi-001010000000251';
const B = 'imsi-001010000000252';
let net: LiveNetwork;

beforeAll(async () => {
  const cfg = testConfig(251);
  net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 2 }, subscribers: [{ ...cfg.subscribers[0], supi: A }, { ...cfg.subscribers[0], supi: B }] }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-pcee-')), database: ':memory:', capture: false });
  net.addConfiguredUes();
  await net.register(A);
  await net.register(B);
});

afterAll(async () => {
  const s = await net?.stop();
  expect(s?.leftBehind).toEqual({});
});

const af = () => net.core!.af;
const pcf = () => net.core!.pcf;
const refused = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof SbiErrorReply ? e.reply.status : e instanceof SbiProblem ? e.problem.status : -1));

describe('Npcf_EventExposure: the PCF\'s policy control events to the AF (TS 29.523)', () => {
  it('subscribe with the immediate report, notified per new PDU session, modify, unsubscribe', async () => {
    await net.establishPduSession(A, { psi: 1 });
    const { id, immediate } = await af().subscribePcEvents({ events: ['AC_TY_CH', 'PLMN_CH'], dnns: ['internet'], immRep: true });
    // TS 29.523 4.2.2.2: the current values of the PDU sessions already there, in the 201
    expect(immediate.map((e) => [e.event, e.supi, e.accType ?? e.plmnId])).toEqual([['AC_TY_CH', A, '3GPP_ACCESS'], ['PLMN_CH', A, { mcc: '001', mnc: '01' }]]);
    expect(immediate[0]).toMatchObject({ ratType: 'NR', pduSessionInfo: { dnn: 'internet', snssai: { sst: 1 } } });
    expect(pcf().pcEventSubscriptions.size).toBe(1);
    // 4.2.4.2: B's new PDU session is notified
    await net.establishPduSession(B, { psi: 1 });
    await pollUntil(() => (af().pcEventsOf(id)?.length ?? 0) >= 2);
    const ueIpv4 = net.ueOf(B).sessions.get(1)!.address;
    expect(af().pcEventsOf(id)!.map((e) => [e.event, e.supi, e.pduSessionInfo?.ueIpv4])).toEqual([['AC_TY_CH', B, ueIpv4], ['PLMN_CH', B, ueIpv4]]);
    // 4.2.2.3: PLMN_CH only, on another DNN: A's second session on internet is not reported
    await af().modifyPcEvents(id, { events: ['PLMN_CH'], dnns: ['ims'] });
    expect(pcf().pcEventSubscriptions.get([...pcf().pcEventSubscriptions.keys()][0])?.subsc.eventSubs).toEqual(['PLMN_CH']);
    await net.establishPduSession(A, { psi: 2 });
    await net.settle();
    expect(af().pcEventsOf(id)).toHaveLength(2);
    // 4.2.3.2: unsubscribed at both ends
    await af().unsubscribePcEvents(id);
    expect(pcf().pcEventSubscriptions.size).toBe(0);
    expect(af().pcEventsOf(id)).toBeUndefined();
    expect(await refused(af().unsubscribePcEvents(id))).toBe(404); // the AF knows it no more
  }, 60_000);

  it('maxReportNbr 1: the subscription ends with its one notification, at the PCF and at the AF', async () => {
    const { id, immediate } = await af().subscribePcEvents({ events: ['AC_TY_CH'], maxReports: 1 });
    expect(immediate).toEqual([]);
    await net.establishPduSession(B, { psi: 2 });
    await pollUntil(() => pcf().pcEventSubscriptions.size === 0);
    await net.settle();
    expect(af().pcEventsOf(id)).toBeUndefined(); // gone with its last notification
  }, 60_000);

  it('ctl af events-subscribe, af events, af events-unsubscribe drive the same (the command table, in process)', async () => {
    const run = (key: string, params: Record<string, string>, options: Record<string, string | boolean>) => {
      const c = findCommand(key)!;
      return c.run(net, checkCommandArgs(c, params, options));
    };
    const sub = (await run('af events-subscribe', {}, { event: 'PLMN_CH', dnn: 'internet', imm: true })) as { id: string; immediate: { event: string; supi: string }[] };
    // the sessions already there: A's two, B's two
    expect(sub.immediate.map((e) => `${e.event} ${e.supi}`).sort()).toEqual([`PLMN_CH ${A}`, `PLMN_CH ${A}`, `PLMN_CH ${B}`, `PLMN_CH ${B}`]);
    expect(await run('af events', { id: sub.id }, {})).toEqual({ id: sub.id, events: [] });
    expect(await run('af events-unsubscribe', { id: sub.id }, {})).toEqual({ id: sub.id, unsubscribed: true });
    await expect(run('af events', { id: sub.id }, {})).rejects.toThrow(/no event subscription/);
    expect(pcf().pcEventSubscriptions.size).toBe(0);
  }, 60_000);

  it('an event the PCF does not report is refused (400); nothing is kept', async () => {
    expect(await refused(af().subscribePcEvents({ events: ['APPLICATION_START'] }))).toBe(400);
    expect(await refused(af().subscribePcEvents({ events: ['SUCCESS_UE_POL_DEL_SP', 'PLMN_CH'] }))).toBe(400);
    expect(pcf().pcEventSubscriptions.size).toBe(0);
    await net.deregister(A, { switchOff: true });
    await net.deregister(B, { switchOff: true });
  }, 60_000);
});
