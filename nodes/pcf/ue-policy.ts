// UE Policy Association Establishment and Termination, PCF side (TS 23.502 4.16.11, 4.16.13.1;
// Npcf_UEPolicyControl, TS 29.525): created at registration (4.2.2.2.2 step 21b), deleted at
// deregistration (4.2.2.3.2 step 6a).

import { SbiProblem, objectBody, requireString, type SbiRequest } from '../common/sbi.ts';
import { created, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { PCF } from '../common/sbi/operations.ts';
import { PCF_SUPPORTED_FEATURES, commonFeatures, homeSubscriber, type Pcf } from './context.ts';

/** TS 23.502 4.16.11: Npcf_UEPolicyControl_Create (TS 29.525 4.2.2), the UE policy set read from the UDR. */
export async function createUePolicy(pcf: Pcf, req: SbiRequest) {
  const body = objectBody(req);
  const supi = requireString(body, 'supi');
  requireString(body, 'notificationUri');
  if (homeSubscriber(pcf.cfg, supi)) await pcf.nudr.dr.readUePolicySet(supi);
  const polAssoId = pcf.nextId();
  pcf.uePolicies.set(polAssoId, { supi });
  // TS 29.525 5.6.2.2 PolicyAssociation, TS 29.500 6.6.2; undone if the AMF never got it (issue 21)
  return undoable(created(resourceUri(pcf.cfg.baseUri, PCF.uePolicyControl.delete, { polAssoId }), { suppFeat: commonFeatures(body.suppFeat, PCF_SUPPORTED_FEATURES.uePolicy) }), () => void pcf.uePolicies.delete(polAssoId));
}

/** TS 23.502 4.16.13.1: Npcf_UEPolicyControl_Delete (TS 29.525 4.2.4). */
export function deleteUePolicy(pcf: Pcf, req: SbiRequest) {
  if (!pcf.uePolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
  return noContent();
}
