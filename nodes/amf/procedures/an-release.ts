// AN Release initiated by the NG-RAN, AMF side (TS 23.502 4.2.6; TS 38.413 8.3.2, 8.3.3):
//   step 1    UE CONTEXT RELEASE REQUEST from the gNB, with its cause (n2.ts)
//   steps 2-4 UE CONTEXT RELEASE COMMAND with that cause, the gNB's COMPLETE: the UE is CM-IDLE
//             and stays registered (the mobile reachable timer starts, implicit-deregistration.ts)
//   step 5    Nsmf_PDUSession_UpdateSMContext (upCnxState DEACTIVATED) for each PDU session with
//             a user plane; the SMF's N4 Session Modification (step 6a-6b: the gNB's tunnel
//             removed, downlink buffered) and its answer (step 7)
// Step 5 is "for each of the PDU Sessions in the N2 UE Context Release Complete": the sessions the
// gNB held resources for (its PDU Session Resource List, TS 38.413 8.3.3), with those active at the
// AMF (a gNB may leave the list out). One the gNB lists may still be 'creating' at the AMF: its
// step 15 Update (4.3.2.2.1, the gNB's tunnel) is on its way or waits for the SMF's 201. Left out,
// the SMF would keep sending its downlink to a tunnel the gNB no longer has; its deactivation
// follows that Update in the session's SM context order (sm-context-order.ts).

import { updateSmContext } from '../sm-context-order.ts';
import type { Ngap } from '../../../codecs/ngap/index.ts';
import { SbiProblem } from '../../common/sbi.ts';
import { SbiErrorReply } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { releaseUeContext } from './ue-context-release.ts';

export async function anRelease(amf: Amf, ue: AmfUe, cause: Ngap.Cause): Promise<void> {
  const complete = await releaseUeContext(amf, ue, cause, '4.2.6 step 2');
  if (ue.state !== '5GMM-REGISTERED') return;
  const listed = new Set(((complete?.get('PDUSessionResourceListCxtRelCpl') ?? []) as { pDUSessionID: number }[]).map((i) => i.pDUSessionID));
  const withUserPlane = [...ue.sessions.values()].filter((s) => (s.state === 'active' || (s.state === 'creating' && listed.has(s.pduSessionId))) && (s.smContextUri || s.smOrder));
  await Promise.all(withUserPlane.map(async (s) => {
    await updateSmContext(amf, s, { upCnxState: 'DEACTIVATED', anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) }, { step: '4.2.6 step 5' }).catch((e: unknown) => {
      if (!(e instanceof SbiProblem) && !(e instanceof SbiErrorReply)) throw e;
      amf.log(`UE ${ue.supi ?? ''}: UpdateSMContext (DEACTIVATED) of PDU session ${s.pduSessionId}: ${e.message}`);
    });
  }));
}
