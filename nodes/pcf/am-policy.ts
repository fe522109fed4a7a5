// AM Policy Association Establishment, PCF side (TS 23.502 4.16.1.2; Npcf_AMPolicyControl, TS
// 29.507): the AMF creates the association at registration (4.2.2.2.2 step 16). Its termination
// (4.16.3.2) is in am-policy-termination.ts.

import { objectBody, requireString, type SbiRequest } from '../common/sbi.ts';
import { created, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { PCF } from '../common/sbi/operations.ts';
import type { components as AmPolC } from '../common/sbi-types/TS29507_Npcf_AMPolicyControl.ts';
import { PCF_SUPPORTED_FEATURES, commonFeatures, homeSubscriber, type Pcf } from './context.ts';
import { pduSessionEventRequest } from './pdu-session-events.ts';

/** TS 23.502 4.16.1.2 steps 1-4: Npcf_AMPolicyControl_Create (TS 29.507 4.2.2), the AM policy data read from the UDR. */
export async function createAmPolicy(pcf: Pcf, req: SbiRequest) {
  const body = objectBody(req);
  const supi = requireString(body, 'supi');
  const notificationUri = requireString(body, 'notificationUri');
  const suppFeat = typeof body.suppFeat === 'string' && body.suppFeat ? body.suppFeat : '0';
  if (homeSubscriber(pcf.cfg, supi)) await pcf.nudr.dr.readAmPolicyData(supi);
  const polAssoId = pcf.nextId();
  pcf.amPolicies.set(polAssoId, { supi });
  // TS 29.507 5.6.2.2 PolicyAssociation: the request as received, no policy control request
  // triggers (the member is absent: it has minItems 1), the features both sides support (TS 29.500 6.6.2),
  // and, as PCF for the UE, the PDU sessions it wants to be told of (pdu-session-events.ts)
  const request = { ...body, supi, notificationUri, suppFeat } as AmPolC['schemas']['PolicyAssociationRequest'];
  // an AMF that never got the 201 never deletes the association (issue 21): undone then
  return undoable(created(resourceUri(pcf.cfg.baseUri, PCF.amPolicyControl.delete, { polAssoId }), { request, suppFeat: commonFeatures(body.suppFeat, PCF_SUPPORTED_FEATURES.amPolicy), ...pduSessionEventRequest(pcf, polAssoId) }), () => void pcf.amPolicies.delete(polAssoId));
}
