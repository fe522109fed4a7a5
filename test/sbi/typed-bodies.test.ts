// What the typed consumers and producers refuse at compile time (npm run typecheck fails if a
// `@ts-expect-error` below stops being an error), and what they send at run time.

import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { udmClient, pcfClient, callbackUri } from '../../nodes/common/sbi/client.ts';
import { CALLBACKS, SMF, AMF } from '../../nodes/common/sbi/operations.ts';
import { serve, ok, created, noContent } from '../../nodes/common/sbi/routes.ts';
import { SbiProblem, SbiMultipart, type SbiRoute } from '../../nodes/common/sbi.ts';

const UDM = 'http://127.0.9.12:8080';
const guami = { plmnId: { mcc: '001', mnc: '01' }, amfId: '020040' };

function compileTimeChecks(sbi: LocalSbi): void {
  const udm = udmClient(sbi, UDM);
  // TS 29.503 Amf3GppAccessRegistration: amfInstanceId, deregCallbackUri, guami, ratType mandatory
  void udm.uecm.registerAmf3gppAccess('imsi-001010000000001', { amfInstanceId: 'a', deregCallbackUri: 'http://x', guami, ratType: 'NR' });
  // @ts-expect-error a missing mandatory member (ratType)
  void udm.uecm.registerAmf3gppAccess('imsi-001010000000001', { amfInstanceId: 'a', deregCallbackUri: 'http://x', guami });
  // @ts-expect-error a wrong member name (deregCallbackURI)
  void udm.uecm.registerAmf3gppAccess('imsi-001010000000001', { amfInstanceId: 'a', deregCallbackURI: 'http://x', guami, ratType: 'NR' });
  // @ts-expect-error a value outside the RatType enumeration's type (a number)
  void udm.uecm.registerAmf3gppAccess('imsi-001010000000001', { amfInstanceId: 'a', deregCallbackUri: 'http://x', guami, ratType: 5 });
  // @ts-expect-error the path parameters come first: (ueId, pduSessionId, body)
  void udm.uecm.registerSmf('imsi-001010000000001', { smfInstanceId: 's', pduSessionId: 1, singleNssai: { sst: 1 }, plmnId: guami.plmnId });
  // @ts-expect-error Npcf_SMPolicyControl_Delete takes SmPolicyDeleteData: accuUsageReports is an array
  void pcfClient(sbi, '').smPolicyControl.delete('http://p/npcf-smpolicycontrol/v1/sm-policies/1', { accuUsageReports: {} });
}

/** Producer routes: the answer is typed by the operation (its success statuses and bodies, and the error bodies TS 29.5xx documents beyond ProblemDetails). */
function producerCompileTimeChecks(): SbiRoute[] {
  const loc = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/1';
  return [
    serve(SMF.pduSession.createSmContext, () => created(loc, { pduSessionId: 1, upCnxState: 'ACTIVATING' })),
    // @ts-expect-error Nsmf_PDUSession_CreateSMContext succeeds with 201 only (TS 29.502 6.1.3.2.3.1)
    serve(SMF.pduSession.createSmContext, () => ok({ pduSessionId: 1 })),
    // @ts-expect-error SmContextCreatedData.pduSessionId is a number (TS 29.571 PduSessionId)
    serve(SMF.pduSession.createSmContext, () => created(loc, { pduSessionId: '1' })),
    // TS 29.502 6.1.3.2.3.1: 403 with SmContextCreateError and the N1 SM reject as a binary part
    serve(SMF.pduSession.createSmContext, () => ({ status: 403 as const, body: new SbiMultipart({ error: { status: 403, cause: 'DNN_DENIED' }, n1SmMsg: { contentId: 'n1' } }, {}) })),
    // @ts-expect-error SmContextCreateError.error is mandatory
    serve(SMF.pduSession.createSmContext, () => ({ status: 403 as const, body: new SbiMultipart({ n1SmMsg: { contentId: 'n1' } }, {}) })),
    // @ts-expect-error Nsmf_PDUSession_ReleaseSMContext has no 201
    serve(SMF.pduSession.releaseSmContext, () => created(loc, {})),
    // @ts-expect-error N1N2MessageTransferRspData.cause is mandatory (TS 29.518 6.1.6.2.18)
    serve(AMF.communication.n1n2MessageTransfer, () => ok({})),
    // @ts-expect-error a notification is acknowledged with 204 and no body
    serve(CALLBACKS.smContextStatusNotify, () => ({ status: 204 as const, body: { statusInfo: {} } })),
    serve(CALLBACKS.smContextStatusNotify, () => noContent()),
  ];
}

describe('typed SBI consumers', () => {
  it('build the URI from the operation, send the body, type the answer, throw a non-success status as SbiProblem', async () => {
    const seen: { method: string; path: string; params: Record<string, string>; query: Record<string, string>; body: unknown }[] = [];
    const routes: SbiRoute[] = [
      { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access', operation: 'x', handler: (req) => (seen.push(req), { status: 201, headers: { location: 'l' }, body: req.body }) },
      { method: 'GET', path: '/nudm-sdm/v2/{supi}/am-data', operation: 'x', handler: (req) => (seen.push(req), { status: 404, body: { status: 404, cause: 'USER_NOT_FOUND' } }) },
    ];
    const sbi = new LocalSbi().serve(UDM, routes);
    expect(typeof compileTimeChecks).toBe('function');
    expect(producerCompileTimeChecks().map((r) => r.path)).toContain('/nsmf-pdusession/v1/sm-contexts');
    const body = { amfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000005', deregCallbackUri: callbackUri('http://127.0.0.5:8080', CALLBACKS.deregistrationNotify, { supi: 'imsi-1' }), guami, ratType: 'NR' as const };
    const r = await udmClient(sbi, UDM).uecm.registerAmf3gppAccess('imsi-1', body, { step: 's' });
    expect(r.status).toBe(201);
    expect(seen[0]).toMatchObject({ method: 'PUT', path: '/nudm-uecm/v1/imsi-1/registrations/amf-3gpp-access', body });
    expect(body.deregCallbackUri).toBe('http://127.0.0.5:8080/namf-callback/v1/imsi-1/dereg-notify');
    expect(sbi.calls[0].operation).toBe('Nudm_UECM_Registration');
    const e = await udmClient(sbi, UDM).sdm.getAmData('imsi-1', { query: { 'plmn-id': JSON.stringify(guami.plmnId) } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SbiProblem);
    expect((e as SbiProblem).problem).toMatchObject({ status: 404, cause: 'USER_NOT_FOUND' });
    expect(seen[1].query).toEqual({ 'plmn-id': '{"mcc":"001","mnc":"01"}' });
  });

  it('a resource operation takes the Location it was given and refuses a URI of another resource', async () => {
    const sbi = new LocalSbi().serve('http://127.0.9.13:8080', [
      { method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies/{smPolicyId}/delete', operation: 'x', handler: (req) => ({ status: req.params.smPolicyId === '7' ? 204 : 404 }) },
    ]);
    const pcf = pcfClient(sbi, 'unused');
    expect((await pcf.smPolicyControl.delete('http://127.0.9.13:8080/npcf-smpolicycontrol/v1/sm-policies/7', {})).status).toBe(204);
    await expect(pcf.smPolicyControl.delete('http://127.0.9.13:8080/npcf-am-policy-control/v1/policies/7', {})).rejects.toThrow(/not a npcf-smpolicycontrol\/v1\/sm-policies\/\{smPolicyId\} resource/);
  });
});
