// AM Policy Association Establishment and Termination, PCF side (TS 23.502 4.16.1.2, 4.16.3.2;
// Npcf_AMPolicyControl, TS 29.507): the AMF creates the association at registration (4.2.2.2.2
// step 16) and deletes it at deregistration (4.2.2.3.2 step 6).

import { SbiProblem, created, undoable, noContent, objectBody, requireString, type SbiRequest, type SbiResponse } from '../common/sbi.ts';
import { PCF_SUPPORTED_FEATURES, commonFeatures, type Pcf } from './context.ts';

/** TS 23.502 4.16.1.2 steps 1-4: Npcf_AMPolicyControl_Create (TS 29.507 4.2.2), the AM policy data read from the UDR. */
export async function createAmPolicy(pcf: Pcf, req: SbiRequest): Promise<SbiResponse> {
  const body = objectBody(req);
  const supi = requireString(body, 'supi');
  requireString(body, 'notificationUri');
  await pcf.nudr.dr.readAmPolicyData(supi);
  const id = pcf.nextId();
  pcf.amPolicies.set(id, { supi });
  // TS 29.507 5.6.2.2 PolicyAssociation: no policy control request triggers (the member is absent:
  // it has minItems 1), the features both sides support (TS 29.500 6.6.2)
  // an AMF that never got the 201 never deletes the association (issue 21): undone then
  return undoable(created(`${pcf.cfg.baseUri}/npcf-am-policy-control/v1/policies/${id}`, { request: body, suppFeat: commonFeatures(body.suppFeat, PCF_SUPPORTED_FEATURES.amPolicy) }), () => void pcf.amPolicies.delete(id));
}

/** TS 23.502 4.16.3.2: Npcf_AMPolicyControl_Delete (TS 29.507 4.2.4). */
export function deleteAmPolicy(pcf: Pcf, req: SbiRequest): SbiResponse {
  if (!pcf.amPolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
  return noContent;
}
