// The UE context one AMF hands to another over Namf_Communication (TS 29.518 6.1.6.2.25 UeContext):
// the SUPI and PEI, the SEAF data (ngKSI and KAMF, TS 29.518 6.1.6.2.27 SeafData; TS 33.501 6.9.3)
// and the MM context of the 3GPP access (6.1.6.2.26 MmContext: NAS security mode, NAS COUNTs, UE
// security capability, Allowed NSSAI); and the 5G NAS security context the receiving AMF takes
// from it, the NAS keys derived again from KAMF (TS 33.501 A.8). The Registration with AMF
// re-allocation sends it in the N1MessageNotify of TS 23.502 4.2.2.2.3 step 7(A).

import type { NasSecurityContext, SNssai, UeSecurityCapability } from '../../../codecs/nas/index.ts';
import { fromHex, toHex } from '../../../codecs/bytes/hex.ts';
import { nasKeys } from '../../../crypto/kdf.ts';
import { SbiProblem } from '../../common/sbi.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { AmfUe } from '../context.ts';

export type UeContextSbi = CommC['schemas']['UeContext'];
type Snssai = CommC['schemas']['Snssai'];

/** A NAS S-NSSAI (SD as a number) in TS 29.571 form (SD as 6 hex digits). */
export function snssaiSbi(s: SNssai): Snssai {
  return { sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd.toString(16).padStart(6, '0') } : {}) };
}

/** A TS 29.571 Snssai as NAS has it. */
export function snssaiNas(s: Snssai): SNssai {
  return { sst: s.sst, ...(s.sd !== undefined ? { sd: parseInt(s.sd, 16) } : {}) };
}

/** TS 24.501 9.11.3.54: the value part of the UE security capability IE (what MmContext.ueSecurityCapability carries, base64). */
function ueSecurityCapabilityOctets(c: UeSecurityCapability): Uint8Array {
  return Uint8Array.from([c.ea, c.ia, ...(c.eea !== undefined ? [c.eea] : []), ...(c.eia !== undefined ? [c.eia] : []), ...(c.spare ?? [])]);
}

/** The UE context of `ue` for another AMF: what it needs to serve the UE with the same 5G NAS security context. */
export function ueContextSbi(ue: AmfUe): UeContextSbi {
  const sec = ue.sec;
  const caps = ue.ueSecurityCapability;
  return {
    ...(ue.supi ? { supi: ue.supi } : {}),
    ...(ue.pei ? { pei: ue.pei } : {}),
    ...(sec && ue.kamf ? { seafData: { ngKsi: { tsc: 'NATIVE', ksi: sec.ngKsi }, keyAmf: { keyType: 'KAMF', keyVal: toHex(ue.kamf) } } } : {}),
    mmContextList: [{
      accessType: '3GPP_ACCESS',
      ...(sec ? {
        nasSecurityMode: { integrityAlgorithm: `NIA${sec.integrityAlgorithm}` as 'NIA2', cipheringAlgorithm: `NEA${sec.cipheringAlgorithm}` as 'NEA0' },
        nasDownlinkCount: sec.downlinkCount,
        nasUplinkCount: sec.uplinkCount,
      } : {}),
      ...(caps ? { ueSecurityCapability: Buffer.from(ueSecurityCapabilityOctets(caps)).toString('base64') } : {}),
      ...(ue.allowedNssai?.length ? { allowedNssai: ue.allowedNssai.map(snssaiSbi) } : {}),
    }],
  };
}

/**
 * The AMF's name as TS 29.571 Fqdn (RegistrationContextContainer.initialAmfName): wire5g's AMF names
 * are single labels (NGAP AMFName, TS 38.413 9.3.3.21), given the 5GC home network domain of TS
 * 23.003 28.2; amfNameOfFqdn takes the label back for the NGAP Old AMF IE.
 */
export function amfFqdn(name: string, plmn: { mcc: string; mnc: string }): string {
  return `${name}.5gc.mnc${plmn.mnc.padStart(3, '0')}.mcc${plmn.mcc}.3gppnetwork.org`;
}

export function amfNameOfFqdn(fqdn: string, plmn: { mcc: string; mnc: string }): string {
  const domain = amfFqdn('', plmn);
  return fqdn.endsWith(domain) ? fqdn.slice(0, -domain.length) : fqdn;
}

const ALGORITHM = /^N[IE]A([0-7])$/;

/**
 * The 5G NAS security context of a UE context another AMF sent (TS 33.501 6.9.3: the target uses
 * the KAMF it was given): ngKSI and KAMF from the SEAF data, algorithms and NAS COUNTs from the MM
 * context of the 3GPP access, the NAS keys derived from KAMF and the algorithms. A UE context
 * without them is answered 400 with the member that is missing.
 */
export function nasSecurityFromUeContext(ctx: UeContextSbi): { sec: NasSecurityContext; kamf: Uint8Array } {
  const seaf = ctx.seafData;
  const mm = ctx.mmContextList?.find((m) => m.accessType === '3GPP_ACCESS');
  const bad = (what: string) => new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `ueContext: ${what} (TS 29.518 6.1.6.2.25)`);
  if (!seaf || seaf.keyAmf.keyType !== 'KAMF' || !/^[0-9A-Fa-f]{64}$/.test(seaf.keyAmf.keyVal)) throw bad('seafData with a 256-bit KAMF is required');
  if (seaf.ngKsi.tsc !== 'NATIVE' || !(seaf.ngKsi.ksi >= 0 && seaf.ngKsi.ksi <= 6)) throw bad('seafData.ngKsi must be a native ngKSI 0..6');
  const ia = ALGORITHM.exec(mm?.nasSecurityMode?.integrityAlgorithm ?? '');
  const ea = ALGORITHM.exec(mm?.nasSecurityMode?.cipheringAlgorithm ?? '');
  if (!mm || !ia || !ea || mm.nasUplinkCount === undefined || mm.nasDownlinkCount === undefined) throw bad('mmContextList needs the 3GPP access with nasSecurityMode and both NAS COUNTs');
  const kamf = fromHex(seaf.keyAmf.keyVal);
  const integrityAlgorithm = Number(ia[1]);
  const cipheringAlgorithm = Number(ea[1]);
  return {
    kamf,
    sec: { ngKsi: seaf.ngKsi.ksi, ...nasKeys(kamf, integrityAlgorithm, cipheringAlgorithm), integrityAlgorithm, cipheringAlgorithm, uplinkCount: mm.nasUplinkCount, downlinkCount: mm.nasDownlinkCount, bearer: 1 },
  };
}
