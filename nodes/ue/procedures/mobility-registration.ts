// The UE moving to a cell of another tracking area (TS 38.304 5.2.4 cell reselection in RRC_IDLE)
// and the mobility registration update it triggers (TS 24.501 5.5.1.3.2 a: "when the UE detects
// entering a tracking area that is not in the list of tracking areas that the UE previously
// registered in the AMF"). A TA in the UE's TAI list needs no registration. The update goes on a
// new RRC connection in the new cell, whose gNB selects an AMF serving that TA (TS 23.501 6.3.5):
// the AMF that assigned the 5G-GUTI when it serves the TA, else another one, which fetches the UE
// context from the old AMF (TS 23.502 4.2.2.2.2 steps 4-5). wire5g has no handover: a UE in
// 5GMM-CONNECTED moves only after its connection is released.

import type { TaiPartialList } from '../../../codecs/nas/index.ts';
import type { UuCell } from '../../gnb/uu.ts';
import { GmmState } from '../gmm-state.ts';
import type { Ue, RegistrationResult } from '../ue.ts';
import { registrationUpdate } from './registration.ts';

/** Whether the TAI list of the last Registration accept (TS 24.501 9.11.3.9) holds `tac` of the UE's PLMN. */
export function inTaiList(list: readonly TaiPartialList[], plmn: { mcc: string; mnc: string }, tac: number): boolean {
  const samePlmn = (p: { mcc: string; mnc: string } | undefined) => p === undefined || (p.mcc === plmn.mcc && p.mnc === plmn.mnc);
  return list.some((l) => {
    // type 01: `count` consecutive TACs from the first (TS 24.501 9.11.3.9)
    if (l.type === 1) return samePlmn(l.plmn) && l.tacs[0] !== undefined && tac >= l.tacs[0].tac && tac < l.tacs[0].tac + (l.count ?? 1);
    return l.tacs.some((t) => t.tac === tac && samePlmn(t.plmn ?? l.plmn));
  });
}

/**
 * The UE camps on `cell` (in `tac`); outside its TAI list a registered UE makes a mobility
 * registration update there. Resolves with the update's result, or without one when none was needed.
 */
export async function moveToCell(ue: Ue, cell: UuCell, tac: number): Promise<{ registration?: RegistrationResult }> {
  if (ue.conn) throw new Error('the UE is in 5GMM-CONNECTED: wire5g has no handover, its connection is released before it moves');
  ue.cell = cell;
  const reg = ue.registration;
  if (ue.gmm !== GmmState.REGISTERED || !reg || inTaiList(reg.taiList, ue.cfg.plmn, tac)) return {};
  return { registration: await registrationUpdate(ue, 'mobility') };
}
