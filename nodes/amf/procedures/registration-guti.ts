// What every Registration Accept of this AMF does with the UE's 5G-GUTI (TS 23.502 4.2.2.2.2 step
// 21, TS 24.501 5.5.1.2.4 and 5.5.1.3.4): a new one for an initial registration and a mobility
// update, the old one kept for a periodic update (TS 33.501 6.12.3), the replaced 5G-TMSI released.
// Shared by the general registration (registration.ts) and the SNPN onboarding ones
// (registration-onboarding-snpn.ts, registration-onboarding-update.ts).

import type { MobileIdentity } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import type { RegistrationKind } from './registration-update.ts';

/** Gives `ue` a new 5G-TMSI unless the update is periodic and it has one; true when a new one was given (the Accept then carries it). */
export function assignGuti(amf: Amf, ue: AmfUe, kind: RegistrationKind | 'initial'): boolean {
  if (kind === 'periodic' && ue.tmsi !== undefined) return false;
  const old = ue.tmsi;
  ue.tmsi = amf.tmsis.allocate();
  amf.byTmsi.set(ue.tmsi, ue);
  if (old !== undefined && amf.byTmsi.get(old) === ue) {
    amf.byTmsi.delete(old);
    amf.tmsis.release(old);
  }
  return true;
}

/** The 5GS mobile identity IE of the UE's 5G-GUTI at this AMF (TS 24.501 9.11.3.4, TS 23.003 2.10). */
export function fiveGGutiOf(amf: Amf, tmsi: number): MobileIdentity {
  const g = amf.cfg.guami;
  return { type: '5g-guti', plmn: amf.cfg.plmn, amfRegionId: g.regionId, amfSetId: g.setId, amfPointer: g.pointer, tmsi };
}
