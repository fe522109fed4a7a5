// What the typed consumers refuse at compile time (npm run typecheck fails if a
// `@ts-expect-error` below stops being an error), and what they send at run time.

import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { udmClient, pcfClient, callbackUri } from '../../nodes/common/sbi/client.ts';
import { CALLBACKS } from '../../nodes/common/sbi/operations.ts';
import { SbiProblem, type SbiRoute } from '../../nodes/common/sbi.ts';

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

describe('typed SBI consumers', () => {
  it('build the URI from the operation, send the body, type the answer, throw a non-success status as SbiProblem', async () => {
    const seen: { method: string; path: string; params: Record<string, string>; query: Record<string, string>; body: unknown }[] = [];
    const routes: SbiRoute[] = [
      { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access', operation: 'x', handler: (req) => (seen.push(req), { status: 201, headers: { location: 'l' }, body: req.body }) },
      { method: 'GET', path: '/nudm-sdm/v2/{supi}/am-data', operation: 'x', handler: (req) => (seen.push(req), { status: 404, body: { status: 404, cause: 'USER_NOT_FOUND' } }) },
    ];
    const sbi = new LocalSbi().serve(UDM, routes);
    expect(typeof compileTimeChecks).toBe('function');
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
