// AM Policy Association Termination, PCF side (TS 23.502 4.16.3.2; Npcf_AMPolicyControl, TS
// 29.507): the AMF deletes the association at deregistration (4.2.2.3.2 step 6). Its
// establishment (4.16.1.2) is in am-policy.ts.

import { SbiProblem, type SbiRequest } from '../common/sbi.ts';
import { noContent } from '../common/sbi/routes.ts';
import type { Pcf } from './context.ts';

/** TS 23.502 4.16.3.2: Npcf_AMPolicyControl_Delete (TS 29.507 4.2.4). */
export function deleteAmPolicy(pcf: Pcf, req: SbiRequest) {
  if (!pcf.amPolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
  return noContent();
}
