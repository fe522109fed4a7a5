// Issue 23: a PDU session the NG-RAN cannot set up, and UpdateSMContext answers that are not 2xx,
// end to end over loopback sockets, in one capture judged by tshark (the independent peer).
//   (b) the gNB sets up one PDU session per UE (maxPduSessionsPerUe 1); the second is in the PDU
//       Session Resource Setup Response's Failed to Setup list (TS 38.413 8.2.1.2, cause
//       radio-resources-not-available) and its Accept is withheld (TS 23.502 4.3.2.2.1 step 13).
//       The AMF forwards the Unsuccessful Transfer to the SMF (UpdateSMContext PDU_RES_SETUP_FAIL),
//       the SMF deletes the N4 session and answers with the PDU Session Establishment Reject (#26),
//       which reaches the UE; the SM context, UE address, SM policy and UDM registration go. On
//       commit 8c1eab1 the failure was only logged: the UE waited out T3580 and everything stayed.
//   (a) a 5GSM message the SMF does not implement (PDU SESSION MODIFICATION REQUEST) is answered
//       403 with an SmContextUpdateError whose N1 part is 5GSM STATUS #97 (TS 24.501 7.4); the AMF
//       reads the error's N1 part and gives it to the UE. Before, the AMF returned the UE's own
//       message as not forwarded and the SMF sent nothing for the UE.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue, PduSessionRejected } from '../../nodes/ue/ue.ts';
import { sendNas } from '../../nodes/ue/n1.ts';
import { nasMessage, encodeNasMessage } from '../../codecs/nas/index.ts';
import { Capture } from '../../transport/capture/capture.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { testConfig, coreAndGnb } from '../helpers/network.ts';
import { dissect, problems, tsharkAvailable, type DissectedFrame } from '../helpers/tshark.ts';

const SUPI = 'imsi-001010000000711';
const cfg = testConfig(207);
const path = join(mkdtempSync(join(tmpdir(), 'wire5g-setupfail-')), 'run.pcapng');
let capture: Capture;
let core: Core;
let gnb: Gnb;
let net: ReturnType<typeof coreAndGnb>;

beforeAll(async () => {
  capture = Capture.toFile(path);
  core = await startCore({ ...cfg, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI }] }, { database: ':memory:', tap: capture });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 192, name: 'test-gnb-192', tap: capture, maxPduSessionsPerUe: 1 });
  net = coreAndGnb(core, gnb);
});
afterAll(async () => {
  await net?.stop();
  capture?.close();
});

const ue = () => new Ue({ supi: SUPI, k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: DEFAULT_SUBSCRIBER.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });

describe('the NG-RAN fails to set up a PDU session; UpdateSMContext errors with N1 parts (issue 23)', () => {
  let frames: DissectedFrame[] = [];
  it('(b) the Reject (#26) reaches the UE, the SMF released the session (N4 deletion), every ledger as with one session', async () => {
    const u = ue();
    await u.register(gnb);
    await u.establishPduSession(1);
    await net.quiet();
    const withOne = net.ledgers();
    const second = await u.establishPduSession(2).then(() => undefined, (e: unknown) => e);
    expect(second).toBeInstanceOf(PduSessionRejected);
    expect((second as PduSessionRejected).fiveGsmCause).toBe(26);
    await net.quiet();
    expect(u.received.filter((m) => m === 'PDU session establishment accept')).toHaveLength(1);
    expect([...core.amf.bySupi.get(SUPI)!.sessions.keys()]).toEqual([1]);
    expect([...core.smf.contexts.values()].map((c) => c.pduSessionId)).toEqual([1]);
    expect(net.ledgers()).toEqual(withOne);
    // the session the UE has still carries traffic
    expect(await u.ping(cfg.dataNetwork, 1, { psi: 1 })).toBeGreaterThanOrEqual(0);

    // (a) a 5GSM message the SMF does not implement: 5GSM STATUS #97 in the 403's N1 part
    const modification = encodeNasMessage(nasMessage('PDU session modification request', {}, { pduSessionId: 1, pti: 9 }));
    sendNas(u, nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: modification, pduSessionId: 1 }), 'UL NAS transport', 'TS 24.501 6.4.2.2', 'PDU session modification request');
    for (let i = 0; i < 50 && !u.received.includes('5GSM status'); i++) await net.quiet();
    expect(u.received).toContain('5GSM status');
    expect(u.received).not.toContain('PDU session modification request (returned)');
    expect([...u.sessions.keys()]).toEqual([1]);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    await net.stop();
    capture.close();
    if (tsharkAvailable()) frames = dissect(path, { prefs: ['nas-5gs.null_decipher:TRUE'] });
  }, 60_000);

  it.skipIf(!tsharkAvailable())('tshark: the Failed to Setup list and its cause, PDU_RES_SETUP_FAIL to the SMF, the N4 deletion, the Reject #26 and 5GSM STATUS #97', () => {
    expect(frames.length).toBeGreaterThan(0);
    expect(problems(frames)).toEqual([]);
    const n2 = frames.filter((f) => f.protocols.includes('sctp'));
    const idx = (pred: (f: DissectedFrame) => boolean) => frames.findIndex(pred);
    const has = (f: DissectedFrame, name: string, value: string) => (f.fields.get(name) ?? []).includes(value);
    // NGAP PDUSessionResourceSetupResponse (procedure code 29) with the failed session 2 and its cause
    const failedResponse = idx((f) => f.protocols.includes('sctp') && has(f, 'ngap.procedureCode', '29') && f.fields.has('ngap.pDUSessionResourceSetupUnsuccessfulTransfer'));
    expect(failedResponse).toBeGreaterThan(0);
    const fr = frames[failedResponse];
    expect(fr.fields.get('ngap.pDUSessionID')).toEqual(['2']);
    expect(fr.fields.get('ngap.radioNetwork')).toEqual(['22']); // CauseRadioNetwork radio-resources-not-available
    // the SBI UpdateSMContext with n2SmInfoType PDU_RES_SETUP_FAIL carries the same transfer
    const update = idx((f) => has(f, 'json.member_with_value', 'n2SmInfoType:PDU_RES_SETUP_FAIL'));
    expect(update).toBeGreaterThan(failedResponse);
    expect(frames[update].fields.get('ngap.radioNetwork')).toEqual(['22']);
    // PFCP Session Deletion Request (54) after it, then the Reject to the UE on N2
    const deletion = frames.findIndex((f, i) => i > update && has(f, 'pfcp.msg_type', '54'));
    expect(deletion).toBeGreaterThan(update);
    const reject = n2.find((f) => has(f, 'nas_5gs.sm.message_type', '0xc3'));
    expect(reject?.fields.get('nas_5gs.sm.5gsm_cause')).toEqual(['26']);
    expect(frames.indexOf(reject!)).toBeGreaterThan(deletion);
    // the 403's SmContextUpdateError and 5GSM STATUS (0xd6) #97, on the SBI and to the UE on N2
    expect(frames.some((f) => f.protocols.includes('http2') && has(f, 'http2.headers.status', '403') && has(f, 'nas_5gs.sm.message_type', '0xd6'))).toBe(true);
    const status = n2.find((f) => has(f, 'nas_5gs.sm.message_type', '0xd6'));
    expect(status?.fields.get('nas_5gs.sm.5gsm_cause')).toEqual(['97']);
  });
});
