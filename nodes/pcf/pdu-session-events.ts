// PDU session established/terminated events between the PCF for the UE and the PCF for the PDU
// session (TS 23.502 4.16.14.2; stage 3 TS 29.507, TS 29.518, TS 29.502, TS 29.512, TS 29.514):
//   - the PCF for the UE asks for them in the AM policy association it creates: PolicyAssociation
//     pcfUeInfo (PcfUeCallbackInfo, its callback URI) and matchPdus (the DNN, S-NSSAI couples);
//   - the AMF hands pcfUeInfo to the SMF of each matching PDU session (SmContextCreateData
//     pcfUeCallbackInfo), the SMF to the PCF for the session (SmPolicyContextData pcfUeInfo);
//   - the PCF for the PDU session reports the session ESTABLISHED once the SM policy association is
//     created, and TERMINATED at 4.16.6 step 5 ("The PCF may report that a SM Policy Association is
//     terminated as described in clause 4.16.14.2"): Npcf_PolicyAuthorization_Notify with a
//     PduSessionEventNotification (AfEvent PDU_SESSION_STATUS), POST {callbackUri}/pdu-session.
// The PCF for the UE keeps the reported sessions per AM policy association (the binding of each
// PDU session's PCF, pcfInfo), and counts them in its ledger. wire5g has one PCF, so both roles
// are the same NF and the notification goes from the PCF to itself over the SBI; the exchange is
// the one two PCFs would have.

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { noContent, serve } from '../common/sbi/routes.ts';
import { callbackUri } from '../common/sbi/client.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import type { components as PaC } from '../common/sbi-types/TS29514_Npcf_PolicyAuthorization.ts';
import type { Pcf, SmPolicyAssociation } from './context.ts';

type PduSessionEventNotification = PaC['schemas']['PduSessionEventNotification'];

/** TS 29.507 PolicyAssociation pcfUeInfo and matchPdus, when the PCF for the UE wants PDU session events (pcf.pduSessionEvents). */
export function pduSessionEventRequest(pcf: Pcf, polAssoId: string): { pcfUeInfo?: { callbackUri: string }; matchPdus?: { dnn: string; snssai: { sst: number; sd?: string } }[] } {
  const wanted = pcf.cfg.around?.policy.pduSessionEvents ?? [];
  if (!wanted.length) return {};
  return {
    pcfUeInfo: { callbackUri: callbackUri(pcf.cfg.baseUri, CALLBACKS.pduSessionEventNotify, { polAssoId }) },
    matchPdus: wanted.map((w) => ({ dnn: w.dnn, snssai: w.sd ? { sst: w.sst, sd: w.sd.toLowerCase() } : { sst: w.sst } })),
  };
}

/** TS 29.512 SmPolicyContextData pcfUeInfo, as the PCF for the PDU session keeps it. */
export function pcfUeInfoOf(v: unknown): { callbackUri: string } | undefined {
  const o = v as { callbackUri?: unknown } | null | undefined;
  return o && typeof o.callbackUri === 'string' && /^https?:\/\//.test(o.callbackUri) ? { callbackUri: o.callbackUri } : undefined;
}

/**
 * TS 23.502 4.16.14.2: the PCF for the PDU session reports the session's status to the PCF for
 * the UE that asked (pcfUeInfo). A report that fails does not stop the procedure around it (the
 * step is a "may": the SM policy association goes on, or ends, all the same); the trace and the PCF's log show it.
 */
export async function reportPduSessionStatus(pcf: Pcf, assoc: SmPolicyAssociation, status: 'ESTABLISHED' | 'TERMINATED', step: string): Promise<void> {
  if (!assoc.pcfUeInfo) return;
  const [sst, sd] = assoc.snssai.split('-');
  const around = pcf.cfg.around;
  const body: PduSessionEventNotification = {
    evNotif: { event: 'PDU_SESSION_STATUS' },
    supi: assoc.supi,
    ...(assoc.ipv4Address ? { ueIpv4: assoc.ipv4Address } : {}),
    status,
    dnn: assoc.dnn,
    snssai: sd ? { sst: Number(sst), sd } : { sst: Number(sst) },
    // TS 29.514 PcfAddressingInfo: where the PCF for the PDU session serves Npcf_PolicyAuthorization
    ...(status === 'ESTABLISHED' && around ? { pcfInfo: { pcfIpEndPoints: [{ ipv4Address: around.address, port: around.port }] } } : {}),
  };
  await pcf.notify.pduSessionEventNotify(assoc.pcfUeInfo.callbackUri, body, { step }).catch((e: unknown) => pcf.cfg.log?.(`[PCF] PDU session ${status} report of ${assoc.supi} PDU session ${assoc.pduSessionId} to the PCF for the UE not taken (TS 23.502 4.16.14.2): ${e instanceof Error ? e.message : String(e)}`));
}

/** The PCF for the UE's side: the reported PDU sessions, per AM policy association. */
export function pduSessionEventRoutes(pcf: Pcf): SbiRoute[] {
  return [
    serve(CALLBACKS.pduSessionEventNotify, (req) => {
      const am = pcf.amPolicies.get(req.params.polAssoId);
      if (!am) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND', `no AM policy association ${req.params.polAssoId}`);
      const body = objectBody(req) as Partial<PduSessionEventNotification>;
      if (body.evNotif?.event !== 'PDU_SESSION_STATUS') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'evNotif.event must be PDU_SESSION_STATUS');
      const supi = requireString(body as Record<string, unknown>, 'supi');
      if (supi !== am.supi) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `${supi} is not the UE of AM policy association ${req.params.polAssoId}`);
      const dnn = requireString(body as Record<string, unknown>, 'dnn');
      const key = `${dnn}|${body.snssai?.sst ?? ''}-${body.snssai?.sd ?? ''}|${body.ueIpv4 ?? ''}`;
      am.pduSessions ??= new Map();
      if (body.status === 'ESTABLISHED') am.pduSessions.set(key, { ...(body.pcfInfo ? { pcfInfo: body.pcfInfo } : {}) });
      else if (body.status === 'TERMINATED') am.pduSessions.delete(key);
      else throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'status must be ESTABLISHED or TERMINATED');
      return noContent();
    }),
  ];
}
