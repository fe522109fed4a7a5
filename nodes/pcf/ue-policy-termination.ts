// UE Policy Association Termination, PCF side (TS 23.502 4.16.13.1; Npcf_UEPolicyControl, TS
// 29.525): deleted at deregistration (4.2.2.3.2 step 6a). Its establishment (4.16.11) is in
// ue-policy.ts.

import { SbiProblem, type SbiRequest } from '../common/sbi.ts';
import { noContent } from '../common/sbi/routes.ts';
import type { Pcf } from './context.ts';

/** TS 23.502 4.16.13.1: Npcf_UEPolicyControl_Delete (TS 29.525 4.2.4). */
export function deleteUePolicy(pcf: Pcf, req: SbiRequest) {
  if (!pcf.uePolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
  return noContent();
}
