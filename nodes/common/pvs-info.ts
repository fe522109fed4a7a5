// PVS addresses and names as they travel for SNPN onboarding (TS 23.502 4.2.2.2.4 step 9: "PVS
// FQDN(s) and/or PVS IP address(es)"): on the SBI as TS 29.571 ServerAddressingInfo
// (ipv4Addresses, ipv6Addresses, fqdnList: the UDM's and AUSF's pvsInfo, the AMF's to the SMF),
// inside the NFs as one list of strings, each an IPv4 address, an IPv6 address or an FQDN, in
// the order given; the SMF turns the list into ePCO containers 0036H, 0037H, 0038H (codecs/nas/pco.ts).
import { isIPv4, isIPv6 } from 'node:net';

export interface ServerAddressingInfo {
  ipv4Addresses?: string[];
  ipv6Addresses?: string[];
  fqdnList?: string[];
}

const FQDN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Whether `s` is an IPv4 address, an IPv6 address or an FQDN. */
export function isPvsAddress(s: string): boolean {
  return isIPv4(s) || isIPv6(s) || FQDN.test(s);
}

/** The list as one ServerAddressingInfo (the kinds present only). */
export function serverAddressingInfo(list: readonly string[]): ServerAddressingInfo {
  const v4 = list.filter((a) => isIPv4(a));
  const v6 = list.filter((a) => isIPv6(a));
  const names = list.filter((a) => !isIPv4(a) && !isIPv6(a));
  return { ...(v4.length ? { ipv4Addresses: v4 } : {}), ...(v6.length ? { ipv6Addresses: v6 } : {}), ...(names.length ? { fqdnList: names } : {}) };
}

/** The addresses and names of a pvsInfo from another NF (read with care: anything else is dropped). */
export function pvsAddressesOf(pvsInfo: unknown): string[] {
  if (!Array.isArray(pvsInfo)) return [];
  const strings = (v: unknown, ok: (s: string) => boolean) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && ok(x)) : []);
  return pvsInfo.flatMap((p: unknown) => {
    const i = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    return [...strings(i.ipv4Addresses, isIPv4), ...strings(i.ipv6Addresses, isIPv6), ...strings(i.fqdnList, (s) => FQDN.test(s))];
  });
}
