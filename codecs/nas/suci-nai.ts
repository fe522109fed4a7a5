// The SUCI of a SUPI of type network specific identifier (NSI, "nai-<username>@<realm>",
// TS 23.003 2.2A), as the 5GS mobile identity carries it (TS 24.501 9.11.3.4, SUPI format 001:
// octets 5.. hold the SUCI in NAI format) and as the SBI names it (TS 29.503 SupiOrSuci).
//
// TS 23.003 2.2B, null scheme: username "type1.rid<routing indicator>.schid0.userid<username>",
// realm unchanged ("type1" is SUPI type 1, network specific identifier). wire5g conceals NSI SUPIs
// with the null scheme only (the Default UE Credentials of SNPN onboarding, TS 23.501 5.30.2.10.2.6).

import type { MobileIdentity } from './ies.ts';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const NULL_SCHEME_NAI = /^type1\.rid(\d{1,4})\.schid0\.userid([^@]+)@(.+)$/;

/** The null-scheme SUCI (NAI format) of an NSI SUPI "nai-<username>@<realm>". */
export function naiSuci(supi: string, routingIndicator = '0'): MobileIdentity {
  const m = /^nai-([^@]+)@(.+)$/.exec(supi);
  if (!m) throw new TypeError(`SUPI ${supi} is not nai-<username>@<realm>`);
  return { type: 'suci', supiFormat: 'nai', nai: utf8.encode(`type1.rid${routingIndicator}.schid0.userid${m[1]}@${m[2]}`) };
}

/**
 * TS 29.503 SupiOrSuci of an NSI SUCI: "suci-1-<realm>-<routing indicator>-0-0-<username>"
 * (SUPI type 1, null scheme, key id 0); undefined for a NAI that is not a null-scheme SUCI.
 */
export function naiSuciString(id: Extract<MobileIdentity, { supiFormat: 'nai' }>): string | undefined {
  const m = NULL_SCHEME_NAI.exec(text.decode(id.nai));
  return m ? `suci-1-${m[3]}-${m[1]}-0-0-${m[2]}` : undefined;
}

/** The SIDF for the null scheme of an NSI SUCI string (TS 33.501 6.12.2): "nai-<username>@<realm>". */
export function supiOfNaiSuciString(suci: string): string | undefined {
  const m = /^suci-1-(.+)-\d{1,4}-0-0-([^-@]+)$/.exec(suci);
  return m ? `nai-${m[2]}@${m[1]}` : undefined;
}
