// NGAP for non-public networks (TS 38.413 Rel-17): the protocol extension IEs an SNPN needs, by
// their ids in NGAP-Constants (spec/ngap-38413-h40), and the NID (TS 23.003 12.7) as a 44-bit
// BIT STRING (NGAP-IEs: NID ::= BIT STRING (SIZE(44))).
import { bits } from './build.ts';
import type { BitStringValue, ProtocolIe } from '../per/aper.ts';

/** id-NPN-Support (BroadcastPLMNItem, PLMNSupportItem extension: NPN-Support ::= CHOICE { sNPN NID }). */
export const ID_NPN_SUPPORT = 258;
/** id-NID (UserLocationInformationNR extension). */
export const ID_NID = 263;
/** id-OnboardingSupport (PLMNSupportItem extension: OnboardingSupport ::= ENUMERATED { true, ... }). */
export const ID_ONBOARDING_SUPPORT = 325;

/** NID from its 11 hex digits. */
export function nidBits(nid: string): BitStringValue {
  if (!/^[0-9a-fA-F]{11}$/.test(nid)) throw new TypeError(`NID ${nid} is not 11 hex digits (TS 23.003 12.7)`);
  return bits(parseInt(nid, 16), 44);
}

/** The 11 lower-case hex digits of a NID BIT STRING. */
export function nidHex(v: BitStringValue): string {
  let n = 0;
  for (let i = 0; i < 44; i++) n = n * 2 + ((v.value[i >> 3] >> (7 - (i & 7))) & 1);
  return n.toString(16).padStart(11, '0');
}

/** The NID of the NPN Support extension in a list of extension IEs, if there is one. */
export function npnSupportNid(exts: readonly ProtocolIe[] | undefined): string | undefined {
  const v = exts?.find((e) => e.id === ID_NPN_SUPPORT)?.value as { sNPN?: BitStringValue } | undefined;
  return v?.sNPN ? nidHex(v.sNPN) : undefined;
}
