// The V-SMF's wait for the H-SMF's Release Command (TS 23.502 4.3.4.3 step 3a) after its step 1f
// (or 1a) was answered runs on the SMF's injectable clock: with a VirtualClock the wait ends exactly
// when the configured time has passed, not a millisecond before, and a command that arrives in
// time leaves no timer behind. No sockets: the H-SMF and the AMF are route tables on a LocalSbi
// (our own stand-ins; the N16 messages themselves are judged by tshark in
// test/roaming/home-routed-release.test.ts).

import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { SbiMultipart, N1_CONTENT_TYPE, type SbiRoute } from '../../nodes/common/sbi.ts';
import { smfRoutes } from '../../nodes/smf/service.ts';
import type { SmN1, SmN2 } from '../../nodes/smf/ports.ts';
import type { VsmfN4 } from '../../nodes/smf/n4-home-routed.ts';
import type { SmContext } from '../../nodes/smf/context.ts';
import { amfRequestedRelease } from '../../nodes/smf/procedures/amf-requested-release.ts';
import { VirtualClock } from '../../transport/clock.ts';

const SMF = 'http://127.0.90.4:8080', HSMF = 'http://127.0.91.4:8080', AMF = 'http://127.0.90.5:8080';
const WAIT_MS = 1000;

const n1: SmN1 = {
  decodeEstablishmentRequest: () => ({ pduSessionId: 1, pti: 1 }),
  establishmentAccept: () => Uint8Array.of(0),
  establishmentReject: () => Uint8Array.of(0),
  releaseCommand: (id, pti, cause) => Uint8Array.of(0x2e, id, pti, 0xd3, cause),
  withAlternativeSnssai: (c, a) => Uint8Array.of(...c, 0x5a, 1, a.sst),
  decodeSmMessage: (b) => ({ name: b[3] === 0xd4 ? 'PDU session release complete' : 'other', pduSessionId: b[1], pti: b[2] }),
  defaultQosRules: () => Uint8Array.of(0),
  status: (id, pti, cause) => Uint8Array.of(0x2e, id, pti, 0xd6, cause),
};
const n2: SmN2 = { decodeReleaseResponseTransfer: () => ({}), setupRequestTransfer: () => Uint8Array.of(0), decodeSetupResponseTransfer: () => ({ gnbTeid: 1, gnbAddress: '127.0.90.9' }), releaseCommandTransfer: () => Uint8Array.of(0xee), decodeSetupUnsuccessfulTransfer: () => ({ cause: 'unused' }) };

function vsmf() {
  const log: string[] = [];
  const n4: VsmfN4 = {
    establish: () => Promise.reject(new Error('not used')),
    modify: async () => {},
    delete: async (s, step) => void log.push(`delete ${s} ${step}`),
    establishIntermediate: () => Promise.reject(new Error('not used')),
    modifyUplink: async (s, u, step) => void log.push(`uplink ${u.action} ${s} ${step}`),
  };
  const clock = new VirtualClock();
  const sbi = new LocalSbi();
  const updates: unknown[] = [];
  const notified: unknown[] = [];
  const hsmf: SbiRoute[] = [{ method: 'POST', path: '/nsmf-pdusession/v1/pdu-sessions/{pduSessionRef}/modify', operation: 'Nsmf_PDUSession_Update', handler: (req) => (updates.push(req.body), { status: 204 }) }];
  const amf: SbiRoute[] = [{ method: 'POST', path: '/namf-callback/v1/sm-status/{psi}', operation: 'Nsmf_PDUSession_SMContextStatusNotify', handler: (req) => (notified.push(req.body), { status: 204 }) }];
  const s = smfRoutes({ baseUri: SMF, instanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000904', udmUri: 'http://127.0.90.12:8080', pcfUri: 'http://127.0.90.13:8080', uePool: '10.46.0.0/16', plmn: { mcc: '001', mnc: '01' }, dnns: ['internet'], hrReleaseCommandWaitMs: WAIT_MS }, sbi, n4, n1, n2, undefined, clock);
  sbi.serve(SMF, s.routes).serve(HSMF, hsmf).serve(AMF, amf);
  const ctx: SmContext = {
    ref: '7', state: 'active', supi: 'imsi-208930000000901', pduSessionId: 1, dnn: 'internet', snssai: { sst: 1 },
    amfCallback: `${AMF}/namf-callback/v1/sm-status/1`, amfUeContextUri: `${AMF}/namf-comm/v1/ue-contexts/imsi-208930000000901`,
    request: { pduSessionId: 1, pti: 1 }, n4: { upSeid: 77n, upfN3Teid: 1, upfN3Address: '127.0.90.7' }, cpSeid: s.smf.seids.allocate(),
    homeRouted: { role: 'V-SMF', hsmfPduSessionUri: `${HSMF}/nsmf-pdusession/v1/pdu-sessions/3` },
  };
  s.smf.contexts.set(ctx.ref, ctx);
  return { smf: s.smf, ctx, clock, sbi, log, updates, notified };
}

const ticks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('V-SMF: the wait for the H-SMF\'s Release Command runs on the injectable clock (TS 23.502 4.3.4.3 step 3a)', () => {
  it('no command: the AMF\'s UpdateSMContext fails (504) exactly when the wait is over; the V-SMF releases what it holds and notifies the AMF', async () => {
    const v = vsmf();
    let settled: unknown;
    const p = amfRequestedRelease(v.smf, v.ctx, { release: true, cause: 'REL_DUE_TO_SLICE_NOT_AVAILABLE' }).then((r) => (settled = r), (e: unknown) => (settled = e));
    await ticks();
    expect(v.updates).toEqual([{ requestIndication: 'NW_REQ_PDU_SES_REL', cause: 'REL_DUE_TO_SLICE_NOT_AVAILABLE', ueTimeZone: expect.stringMatching(/^[+-]\d\d:\d\d$/) }]);
    expect(v.log).toEqual(['uplink drop 77 4.3.4.3 step 1f']);
    await v.clock.advanceAsync(WAIT_MS - 1);
    expect(settled).toBeUndefined();
    await v.clock.advanceAsync(1);
    await p;
    expect(String(settled)).toMatch(/no Release Command within 1000 ms/);
    expect(v.log).toEqual(['uplink drop 77 4.3.4.3 step 1f', 'delete 77 4.3.4.3 step 4']);
    expect(v.notified).toEqual([{ statusInfo: { resourceStatus: 'RELEASED', cause: 'REL_DUE_TO_PEER_NOT_RESPONDING' } }]);
    expect(v.smf.contexts.size).toBe(0);
    expect(v.smf.seids.inUse).toBe(0);
  });

  it('the command in time: the AMF gets it with the N2 release request, and no timer is left on the clock', async () => {
    const v = vsmf();
    const p = amfRequestedRelease(v.smf, v.ctx, { release: true, cause: 'REL_DUE_TO_REACTIVATION' });
    await ticks();
    await v.clock.advanceAsync(WAIT_MS / 2);
    // step 3a, as the H-SMF sends it: the V-SMF's answer (step 5) waits for the UE, so it is not awaited here
    void v.sbi.call('POST', `${SMF}/nsmf-pdusession/v1/vsmf-pdu-sessions/7/modify`, new SbiMultipart({ requestIndication: 'NW_REQ_PDU_SES_REL', n1SmInfoToUe: { contentId: 'n1msg' }, n1smCause: '27' }, { n1msg: { contentType: N1_CONTENT_TYPE, data: Uint8Array.of(0x2e, 1, 0, 0xd3, 39) } }));
    const r = await p;
    expect(r.status).toBe(200);
    const body = r.body as SbiMultipart<{ n2SmInfoType: string }>;
    expect(body.json.n2SmInfoType).toBe('PDU_RES_REL_CMD');
    expect([...Object.values(body.binaries).map((b) => [...b.data])]).toEqual([[0x2e, 1, 0, 0xd3, 39], [0xee]]);
    expect(v.clock.pending).toBe(0);
    await v.clock.advanceAsync(WAIT_MS);
    expect(v.ctx.state).toBe('releasing');
  });
});
