// Npcf_PolicyAuthorization (TS 29.514), PCF side: an AF's app session bound to a UE's PDU session
// (found by the UE's IPv4 address and DNN among the SM policy associations), and its end:
//   - Create (TS 29.514 4.2.2): the app session is recorded against the SM policy association and
//     a PCC rule for it is added to the association's rules. The rule is not pushed to the SMF:
//     wire5g's SMF serves no Npcf_SMPolicyControl_UpdateNotify /update (its QoS flow stays the
//     default one); what the rule does here is to make the AF one "whose PCC rules require it to be
//     notified" at the association's termination (TS 23.502 4.16.6 steps 3 and 5);
//   - Delete (TS 29.514 4.2.4): the AF ends its app session; with `pcf.terminateOnAfSessionEnd`
//     the PCF then decides the PDU session has no reason to continue and requests the termination
//     of its SM policy association (4.16.6 case A, AF-triggered);
//   - 4.16.6 step 5 (TS 23.203 7.3.1 steps 6-7 in 5GC terms): the PCF tells the AF its PDU session
//     ended (Npcf_PolicyAuthorization_Notify, POST {notifUri}/terminate with TerminationInfo), the
//     AF acknowledges and deletes its app session.

import { SbiProblem, objectBody, type SbiRequest, type SbiRoute } from '../common/sbi.ts';
import { serve, created, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { PCF_PA } from '../common/sbi/operations.ts';
import type { components as PaC } from '../common/sbi-types/TS29514_Npcf_PolicyAuthorization.ts';
import { commonFeatures, type Pcf, type SmPolicyAssociation } from './context.ts';
import { requestSmPolicyTermination } from './sm-policy-termination.ts';

/** The optional features of Npcf_PolicyAuthorization this PCF implements (TS 29.514 5.8): none. */
const PA_SUPPORTED_FEATURES = '';

function appSessionUri(pcf: Pcf, appSessionId: string): string {
  return resourceUri(pcf.cfg.baseUri, PCF_PA.policyAuthorization.delete, { appSessionId });
}

/** TS 29.514 4.2.2 Npcf_PolicyAuthorization_Create. */
function createAppSession(pcf: Pcf, req: SbiRequest) {
  const body = objectBody(req) as { ascReqData?: { notifUri?: unknown; suppFeat?: unknown; ueIpv4?: unknown; dnn?: unknown } };
  const asc = body.ascReqData;
  if (!asc || typeof asc.notifUri !== 'string' || typeof asc.suppFeat !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'ascReqData with notifUri and suppFeat is required');
  if (typeof asc.ueIpv4 !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'ascReqData.ueIpv4 is required (wire5g PDU sessions are IPv4)');
  let bound: [string, SmPolicyAssociation] | undefined;
  for (const e of pcf.smPolicies) if (e[1].ipv4Address === asc.ueIpv4 && (asc.dnn === undefined || e[1].dnn === asc.dnn) && !e[1].terminationRequested) bound = e;
  // TS 29.514 4.2.2.2: no PDU session for the UE address: 500 PDU_SESSION_NOT_AVAILABLE
  if (!bound) throw new SbiProblem(500, 'PDU_SESSION_NOT_AVAILABLE', `no PDU session of ${asc.ueIpv4}${typeof asc.dnn === 'string' ? ` on ${asc.dnn}` : ''}`);
  const [smPolicyId, assoc] = bound;
  const id = pcf.nextId();
  pcf.appSessions.set(id, { smPolicyId, notifUri: asc.notifUri });
  assoc.appSessions.add(id);
  assoc.pccRules.push(`pcc-af-${id}`);
  const ascReqData = body.ascReqData as PaC['schemas']['AppSessionContextReqData'];
  return undoable(created(appSessionUri(pcf, id), { ascReqData, ascRespData: { suppFeat: commonFeatures(asc.suppFeat, PA_SUPPORTED_FEATURES) } }), () => void forget(pcf, id));
}

/** Removes an app session and its PCC rule; the association it was bound to, if still there. */
function forget(pcf: Pcf, id: string): { smPolicyId: string; sessionGone?: boolean } | undefined {
  const app = pcf.appSessions.get(id);
  if (!app) return undefined;
  pcf.appSessions.delete(id);
  const assoc = pcf.smPolicies.get(app.smPolicyId);
  if (assoc) {
    assoc.appSessions.delete(id);
    assoc.pccRules = assoc.pccRules.filter((r) => r !== `pcc-af-${id}`);
  }
  return app;
}

/** TS 29.514 4.2.4 Npcf_PolicyAuthorization_Delete; the AF-triggered termination follows the 204. */
function deleteAppSession(pcf: Pcf, req: SbiRequest) {
  const app = forget(pcf, req.params.appSessionId);
  if (!app) throw new SbiProblem(404, 'APPLICATION_SESSION_CONTEXT_NOT_FOUND');
  const assoc = pcf.smPolicies.get(app.smPolicyId);
  // the PDU session ended already (4.16.6 step 5 told the AF), or the operator keeps sessions: nothing more
  if (app.sessionGone || !assoc || assoc.terminationRequested || !pcf.cfg.around?.policy.terminateOnAfSessionEnd) return noContent();
  // TS 23.502 4.16.6 case A step 1, AF-triggered: the PDU session has no reason to continue
  return noContent(() => requestSmPolicyTermination(pcf, app.smPolicyId, 'UNSPECIFIED'));
}

/**
 * TS 23.502 4.16.6 step 5 (TS 23.203 7.3.1 steps 6-7): each AF with an app session on the PDU
 * session is told it ended; the AF then deletes its app session (deleteAppSession, no termination).
 */
export async function notifyAfsAtStep5(pcf: Pcf, assoc: SmPolicyAssociation): Promise<void> {
  for (const id of assoc.appSessions) {
    const app = pcf.appSessions.get(id);
    if (!app) continue;
    app.sessionGone = true;
    await pcf.notify.afTerminate(app.notifUri, { termCause: 'PDU_SESSION_TERMINATION', resUri: appSessionUri(pcf, id) }, { step: '4.16.6 step 5' });
  }
}

export function policyAuthorizationRoutes(pcf: Pcf): SbiRoute[] {
  return [
    serve(PCF_PA.policyAuthorization.create, (req) => createAppSession(pcf, req)),
    serve(PCF_PA.policyAuthorization.delete, (req) => deleteAppSession(pcf, req)),
  ];
}
