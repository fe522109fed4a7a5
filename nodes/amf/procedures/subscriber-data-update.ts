// Subscriber Data Update Notification to the AMF (TS 23.502 4.5.1; TS 29.503 5.2.2.5
// Nudm_SDM_Notification at the callbackReference of the AMF's Nudm_SDM_Subscribe). wire5g's AMF
// acts on a change of the subscribed S-NSSAIs: when no S-NSSAI of the UE's Allowed NSSAI is
// subscribed any more, "the AMF determines that no S-NSSAI can be provided in the Allowed NSSAI"
// and deregisters the UE (TS 23.502 4.2.2.3.3) with the list of rejected S-NSSAIs, each with cause
// 0 "S-NSSAI not available in the current PLMN" (TS 24.501 9.11.3.46), and 5GMM cause #62 "no
// network slices available". A change that leaves some allowed S-NSSAI shrinks the Allowed NSSAI:
// the PDU sessions of the S-NSSAIs that went are released without N1/N2 SM signalling and the UE
// gets the new Allowed NSSAI by the UE Configuration Update (slice-no-longer-available.ts).

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { CALLBACKS } from '../../common/sbi/operations.ts';
import type { Amf } from '../amf.ts';
import { networkInitiatedDeregistration } from './deregistration-network.ts';
import { sliceNoLongerAvailable } from './slice-no-longer-available.ts';

/** TS 24.501 9.11.3.2 #62. */
const NO_NETWORK_SLICES_AVAILABLE = 62;
/** TS 24.501 9.11.3.46: S-NSSAI not available in the current PLMN or SNPN. */
const NOT_AVAILABLE_IN_PLMN = 0;

interface SbiSnssai { sst: number; sd?: string }

export function sdmModificationNotification(amf: Amf, req: RequestOf<typeof CALLBACKS.sdmModificationNotify>): AnswerOf<typeof CALLBACKS.sdmModificationNotify> {
  const body = objectBody(req) as { notifyItems?: { resourceId?: string; changes?: { op?: string; path?: string; newValue?: unknown }[] }[] };
  if (!Array.isArray(body.notifyItems)) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'notifyItems is required');
  const ue = amf.bySupi.get(req.params.supi);
  if (!ue || ue.state !== '5GMM-REGISTERED') return noContent(); // nothing held for the UE: acknowledged
  const change = body.notifyItems.flatMap((i) => i.changes ?? []).find((c) => c.path === '/nssai');
  if (!change) return noContent();
  const nssai = (change.newValue ?? {}) as { defaultSingleNssais?: SbiSnssai[]; singleNssais?: SbiSnssai[] };
  const subscribed = [...(nssai.defaultSingleNssais ?? []), ...(nssai.singleNssais ?? [])];
  const sdOf = (s: SbiSnssai) => (s.sd !== undefined ? parseInt(s.sd, 16) : undefined);
  const allowed = ue.allowedNssai ?? [];
  const remaining = allowed.filter((a) => subscribed.some((s) => s.sst === a.sst && sdOf(s) === a.sd));
  if (remaining.length > 0) {
    if (remaining.length < allowed.length) return noContent(() => sliceNoLongerAvailable(amf, ue, remaining));
    return noContent();
  }
  const rejectedNssai = allowed.map((a) => ({ cause: NOT_AVAILABLE_IN_PLMN, sst: a.sst, ...(a.sd !== undefined ? { sd: a.sd } : {}) }));
  return noContent(async () => void (await networkInitiatedDeregistration(amf, ue, { trigger: 'no-allowed-nssai', accessType: 1, reRegistrationRequired: false, fiveGmmCause: NO_NETWORK_SLICES_AVAILABLE, rejectedNssai })));
}
