// What the V-SMF adds in an HPLMN-initiated home-routed release (TS 23.502 4.3.4.3): in step 4 the
// Alternative S-NSSAI of a network slice replacement in the Release Command (TS 24.501 8.3.14), and
// in step 5 the Secondary RAT usage the NG-RAN reported in its PDU Session Resource Release Response
// Transfer (TS 38.413 9.3.4, id-SecondaryRATUsageInformation). wire5g's gNB has no secondary node
// and never reports Secondary RAT usage, so this test feeds the V-SMF a transfer that carries it.
// No sockets: the AMF is a route table on a LocalSbi; the SMF's codecs are the real ones.
//
// Judges: Ajv on the Rel-18 OpenAPI (VsmfUpdateData, VsmfUpdatedData of TS 29.502) for the N16
// bodies; tshark (Wireshark 4.0.17's NGAP dissector) for the transfer fed, inside a PDU SESSION
// RESOURCE RELEASE RESPONSE, with the values the V-SMF passes on.

import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { SbiMultipart, N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiRoute } from '../../nodes/common/sbi.ts';
import { CALLBACKS, SMF as SMF_OPS } from '../../nodes/common/sbi/operations.ts';
import { smfRoutes } from '../../nodes/smf/service.ts';
import { nasSmN1, ngapSmN2 } from '../../nodes/smf/adapters.ts';
import type { VsmfN4 } from '../../nodes/smf/n4-home-routed.ts';
import type { SmContext } from '../../nodes/smf/context.ts';
import { encodeNasMessage, decodeNasMessage, nasMessage } from '../../codecs/nas/index.ts';
import { encodeNgap, encodeNgapType, ngapPdu, type Ngap } from '../../codecs/ngap/index.ts';
import { validateExchange, formatViolation } from '../helpers/sbi-schema.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, tsharkAvailable } from '../helpers/tshark.ts';

const SMF = 'http://127.0.92.4:8080', HSMF = 'http://127.0.203.4:8080', AMF = 'http://127.0.92.5:8080';
const SUPI = 'imsi-208930000000902';

/** NTP seconds (RFC 5905) of a Unix time, as the 4 octets of TS 38.413's Start/End Timestamp. */
const ntp = (unix: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, unix + 2_208_988_800); return b; };
const T0 = Date.UTC(2026, 11, 6, 7, 0, 0) / 1000;

/** A Secondary RAT Usage Information as an NR-DC/EN-DC node would report it: the session's and QoS flow 1's volumes on E-UTRA and NR-U. */
const USAGE: Ngap.SecondaryRATUsageInformation = {
  pDUSessionUsageReport: { rATType: 'eutra', pDUSessionTimedReportList: [{ startTimeStamp: ntp(T0), endTimeStamp: ntp(T0 + 60), usageCountUL: 1200, usageCountDL: 34_000 }] },
  qosFlowsUsageReportList: [{ qosFlowIdentifier: 1, rATType: 'nr-unlicensed', qoSFlowsTimedReportList: [{ startTimeStamp: ntp(T0), endTimeStamp: ntp(T0 + 30), usageCountUL: 5, usageCountDL: 7_000_000_000n }] }],
};
const TRANSFER = encodeNgapType('PDUSessionResourceReleaseResponseTransfer', { 'iE-Extensions': [{ id: 144, criticality: 'ignore', value: USAGE }] });

function vsmf() {
  const n4: VsmfN4 = { establish: () => Promise.reject(new Error('not used')), modify: async () => {}, delete: async () => undefined, establishIntermediate: () => Promise.reject(new Error('not used')), modifyUplink: async () => {} };
  const sbi = new LocalSbi();
  const transfers: SbiMultipart<Record<string, unknown>>[] = [];
  const amf: SbiRoute[] = [
    { method: 'POST', path: '/namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages', operation: 'Namf_Communication_N1N2MessageTransfer', handler: (req) => (transfers.push(req.body as SbiMultipart<Record<string, unknown>>), { status: 200, body: { cause: 'N1_N2_TRANSFER_INITIATED' } }) },
    { method: 'POST', path: '/namf-callback/v1/sm-status/{psi}', operation: 'Nsmf_PDUSession_SMContextStatusNotify', handler: () => ({ status: 204 }) },
  ];
  const s = smfRoutes({ baseUri: SMF, instanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000905', udmUri: 'http://127.0.92.12:8080', pcfUri: 'http://127.0.92.13:8080', uePool: '10.47.0.0/16', plmn: { mcc: '001', mnc: '01' }, dnns: ['internet'] }, sbi, n4, nasSmN1, ngapSmN2);
  sbi.serve(SMF, s.routes).serve(AMF, amf);
  const ctx: SmContext = {
    ref: '9', state: 'active', supi: SUPI, pduSessionId: 1, dnn: 'internet', snssai: { sst: 1, sd: '000001' },
    amfCallback: `${AMF}/namf-callback/v1/sm-status/1`, amfUeContextUri: `${AMF}/namf-comm/v1/ue-contexts/${SUPI}`,
    request: { pduSessionId: 1, pti: 1 }, n4: { upSeid: 78n, upfN3Teid: 1, upfN3Address: '127.0.92.7' }, cpSeid: s.smf.seids.allocate(),
    homeRouted: { role: 'V-SMF', hsmfPduSessionUri: `${HSMF}/nsmf-pdusession/v1/pdu-sessions/4` },
  };
  s.smf.contexts.set(ctx.ref, ctx);
  return { sbi, transfers };
}

const ticks = async () => {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
};
const noViolations = (v: ReturnType<typeof validateExchange>) => expect(v.map(formatViolation)).toEqual([]);

describe('V-SMF, HPLMN-initiated home-routed release with slice replacement and Secondary RAT usage (TS 23.502 4.3.4.3 steps 3a-5)', () => {
  it('step 4: the Release Command gets the Alternative S-NSSAI; step 5: the NG-RAN\'s Secondary RAT usage goes back to the H-SMF as secondaryRatUsageInfo', async () => {
    const v = vsmf();
    // step 3a as the H-SMF sends it: its command (#39) and the Alternative HPLMN S-NSSAI
    const update = new SbiMultipart<Record<string, unknown>>({ requestIndication: 'NW_REQ_PDU_SES_REL', n1SmInfoToUe: { contentId: 'n1msg' }, n1smCause: '27', altHplmnSnssai: { sst: 1, sd: 'a1b2c3' } }, { n1msg: { contentType: N1_CONTENT_TYPE, data: encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: 39 }, { pduSessionId: 1, pti: 0 })) } });
    noViolations(validateExchange(CALLBACKS.vsmfUpdate, update, 200, undefined));
    const step5 = v.sbi.call('POST', `${SMF}/nsmf-pdusession/v1/vsmf-pdu-sessions/9/modify`, update);
    await ticks();
    // step 4 (4.3.4.2 step 3b): the N1N2MessageTransfer's command carries IEI 5A after the cause
    expect(v.transfers).toHaveLength(1);
    const n1 = Object.values(v.transfers[0].binaries).find((b) => b.contentType === N1_CONTENT_TYPE)!.data;
    expect(decodeNasMessage(n1).ies).toEqual({ fiveGsmCause: 39, alternativeSnssai: { sst: 1, sd: 0xa1b2c3, mappedSst: 1, mappedSd: 0xa1b2c3 } });
    // 4.3.4.2 steps 7 and 10, as the AMF relays them: the gNB's release response, the UE's Release Complete
    const modify = (json: Record<string, unknown>, part: { contentType: string; data: Uint8Array }) => v.sbi.call('POST', `${SMF}/nsmf-pdusession/v1/sm-contexts/9/modify`, new SbiMultipart(json, { p: part }));
    expect((await modify({ n2SmInfo: { contentId: 'p' }, n2SmInfoType: 'PDU_RES_REL_RSP' }, { contentType: N2_CONTENT_TYPE, data: TRANSFER })).status).toBe(200);
    expect((await modify({ n1SmMsg: { contentId: 'p' } }, { contentType: N1_CONTENT_TYPE, data: encodeNasMessage(nasMessage('PDU session release complete', {}, { pduSessionId: 1, pti: 0 })) })).status).toBe(200);
    const r = await step5;
    expect(r.status).toBe(200);
    const json = (r.body as SbiMultipart<Record<string, unknown>>).json;
    expect(json.secondaryRatUsageInfo).toEqual([
      { secondaryRatType: 'EUTRA', pduSessionUsageData: [{ startTimeStamp: '2026-12-06T07:00:00Z', endTimeStamp: '2026-12-06T07:01:00Z', uplinkVolume: 1200, downlinkVolume: 34_000 }] },
      { secondaryRatType: 'NR_U', qosFlowsUsageData: [{ qfi: 1, startTimeStamp: '2026-12-06T07:00:00Z', endTimeStamp: '2026-12-06T07:00:30Z', uplinkVolume: 5, downlinkVolume: 7_000_000_000 }] },
    ]);
    // VsmfUpdatedData (TS 29.502 6.1.6.2.12) with TS 29.571 SecondaryRatUsageInfo, judged by Ajv on the Rel-18 schema
    noViolations(validateExchange({ ...CALLBACKS.vsmfUpdate, schema: 'VsmfUpdatedData' }, r.body, 200, undefined));
  });

  it('a transfer without Secondary RAT usage (what wire5g\'s gNB sends) adds none; one it cannot decode does not stop the release', () => {
    expect(ngapSmN2.decodeReleaseResponseTransfer(encodeNgapType('PDUSessionResourceReleaseResponseTransfer', {}))).toEqual({});
    expect(() => ngapSmN2.decodeReleaseResponseTransfer(Uint8Array.of(0xff, 0xff, 0xff))).toThrow();
  });

  it.skipIf(!tsharkAvailable())('tshark reads the fed transfer inside a PDU SESSION RESOURCE RELEASE RESPONSE with the values the V-SMF passed on', () => {
    const { capture, path } = tempCapture('secondary-rat-usage');
    capture.exportedPdu('ngap', encodeNgap(ngapPdu('PDUSessionResourceReleaseResponse', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 2, PDUSessionResourceReleasedListRelRes: [{ pDUSessionID: 1, pDUSessionResourceReleaseResponseTransfer: TRANSFER }] })));
    capture.close();
    const [f] = dissect(path);
    expect(f.malformed).toBe(false);
    expect(f.expert.filter((e) => e.severity === 'warning' || e.severity === 'error')).toEqual([]);
    const all = (n: string) => f.fields.get(n) ?? [];
    expect({ ul: all('ngap.usageCountUL'), dl: all('ngap.usageCountDL'), rat: all('ngap.rATType'), qfi: all('ngap.qosFlowIdentifier') }).toEqual({ ul: ['1200', '5'], dl: ['34000', '7000000000'], rat: ['1', '2'], qfi: ['1'] });
    // rATType 1 = eutra, 2 = nr-unlicensed (the first extension value); the timestamps as NTP seconds (0xeebf8670 = 2026-12-06T07:00:00Z)
    expect([all('ngap.startTimeStamp'), all('ngap.endTimeStamp')]).toEqual([['ee:bf:86:70', 'ee:bf:86:70'], ['ee:bf:86:ac', 'ee:bf:86:8e']]);
  });

  it('an UpdateSMContext for an SM context the SMF does not hold: 404 with an SmContextUpdateError (Ajv on the Rel-18 OpenAPI, which allows no bare ProblemDetails there)', async () => {
    const v = vsmf();
    const body = { upCnxState: 'DEACTIVATED' };
    const r = await v.sbi.call('POST', `${SMF}/nsmf-pdusession/v1/sm-contexts/77/modify`, body);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { status: 404, cause: 'CONTEXT_NOT_FOUND' } });
    noViolations(validateExchange(SMF_OPS.pduSession.updateSmContext, body, 404, r.body));
  });
});
