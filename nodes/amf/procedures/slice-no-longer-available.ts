// A network slice no longer available for a UE that stays registered (TS 23.501 5.15.5.2.2; TS
// 23.502 4.3.4.2 step 1c and, home-routed, 4.3.4.3 step 1c: "the serving network also initiates
// the PDU Session Release where neither N1 nor N2 SM signalling is needed ... due to the set of
// network slices for a UE changes where a network slice instance is no longer available"). The
// subscription changed (Nudm_SDM_Notification, subscriber-data-update.ts) and some S-NSSAIs of
// the UE's Allowed NSSAI are no longer subscribed while others are:
//   1. each PDU session on an S-NSSAI that went is released at its SMF without N1 or N2 SM
//      signalling: Nsmf_PDUSession_ReleaseSMContext with cause REL_DUE_TO_SLICE_NOT_AVAILABLE
//      (TS 29.502 6.1.6.3.2); a V-SMF goes on towards the H-SMF (Nsmf_PDUSession_Release);
//   2. the UE Configuration Update (TS 23.502 4.2.4.2; TS 24.501 5.4.4): CONFIGURATION UPDATE
//      COMMAND with the new Allowed NSSAI and the S-NSSAIs that went as rejected (cause 0, "not
//      available in the current PLMN", TS 24.501 9.11.3.46), acknowledgement requested
//      (Configuration update indication bit ACK, 9.11.3.18) and guarded by T3555. A UE in CM-IDLE
//      is paged first (TS 24.501 5.4.4.1); one that does not answer learns the Allowed NSSAI at its
//      next registration. The PDU session status of its next Service Request or Registration
//      reconciles the sessions it still records (TS 24.501 5.6.1.4.1, 5.5.1.3.4).
// The sessions of the S-NSSAIs that remain are untouched.

import { nasMessage, type SNssai } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { ProcedureAborted } from '../gmm.ts';
import { exchange, sendNas } from '../n1.ts';
import { releaseSmContextOf } from './held-resources.ts';
import { page } from './paging.ts';
import { snssaiEquals } from './registration.ts';

/** TS 24.501 9.11.3.46: S-NSSAI not available in the current PLMN or SNPN. */
const NOT_AVAILABLE_IN_PLMN = 0;
/** TS 24.501 9.11.3.18 Configuration update indication: bit 1 ACK, acknowledgement requested. */
const ACK_REQUESTED = 0b01;
/** TS 24.501 Table 10.2.2: T3555, the AMF's guard of the CONFIGURATION UPDATE COMMAND, 6 s. */
export const T3555_MS = 6_000;

const sameSlice = (a: SNssai, b: SNssai) => snssaiEquals(a, { sst: b.sst, ...(b.sd !== undefined ? { sd: b.sd } : {}) });

/**
 * The Allowed NSSAI of `ue` shrinks to `remaining`: the PDU sessions of the S-NSSAIs that went are
 * released without N1/N2 SM signalling, then the UE gets the new Allowed NSSAI.
 */
export async function sliceNoLongerAvailable(amf: Amf, ue: AmfUe, remaining: SNssai[]): Promise<void> {
  const gone = (ue.allowedNssai ?? []).filter((a) => !remaining.some((r) => sameSlice(a, r)));
  ue.allowedNssai = remaining;
  amf.log(`UE ${ue.supi ?? ''}: S-NSSAI(s) ${gone.map((s) => (s.sd !== undefined ? `${s.sst}/${s.sd.toString(16).padStart(6, '0')}` : String(s.sst))).join(', ')} no longer available; the Allowed NSSAI shrinks (TS 23.501 5.15.5.2.2)`);
  // 1: TS 23.502 4.3.4.2 step 1c (4.3.4.3 step 1c home-routed), no N1 or N2 SM signalling
  const sessions = [...ue.sessions.values()].filter((s) => gone.some((g) => sameSlice(g, s.snssai)));
  await Promise.all(sessions.map((s) => releaseSmContextOf(amf, ue, s, '4.3.4.2 step 1c (slice no longer available)', { cause: 'REL_DUE_TO_SLICE_NOT_AVAILABLE' })));
  // 2: the UE Configuration Update (TS 23.502 4.2.4.2), over an NG connection
  let connected: AmfUe | undefined = ue;
  if (ue.released) connected = await page(amf, ue, 'the UE Configuration Update with a new Allowed NSSAI (TS 23.502 4.2.4.2)');
  if (!connected) return;
  const target = connected;
  const command = nasMessage('Configuration update command', {
    configurationUpdateIndication: ACK_REQUESTED,
    allowedNssai: remaining,
    rejectedNssai: gone.map((s) => ({ cause: NOT_AVAILABLE_IN_PLMN, sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd } : {}) })),
  });
  try {
    await exchange(amf, target, ['Configuration update complete'], T3555_MS, () => sendNas(amf, target, command, '4.2.4.2 step 1'));
  } catch (e) {
    if (!(e instanceof ProcedureAborted)) throw e;
    amf.log(`UE ${ue.supi ?? ''}: UE Configuration Update: ${e.message}`);
  }
}
