// The contents of the Extended protocol configuration options IE (TS 24.501 9.11.4.6: "the
// protocol configuration options value field of TS 24.008 10.5.6.3", with a two-octet length in
// the NAS IE around it). Octet 3: ext = 1, spare 0000, configuration protocol 000 (PPP for use
// with IP PDP type or IP PDN type); then a list of protocol IDs or container IDs, each two octets,
// a length octet and the contents.
//
// The containers wire5g uses (TS 24.008 Table 10.5.154), their identifiers direction-scoped:
//   MS to network  0036H  PVS information request (no contents)
//   network to MS  0036H  PVS IPv4 address (4 octets); 0037H PVS IPv6 address (16 octets);
//                  0038H  PVS name (an FQDN, as a DNS name: labels each after a length octet,
//                         TS 23.003 19.4.2 / RFC 1035 3.1, without the root label)
// (SNPN onboarding: the SMF tells the UE where its PVS is, TS 23.501 5.30.2.10.4); one request
// asks for all three kinds, one container per address or name. Other containers are kept as
// they came.

import { DecodeError, DecodeErrorCode } from '../bytes/errors.ts';

export interface PcoContainer {
  id: number;
  contents: Uint8Array;
}

/** TS 24.008 Table 10.5.154 container identifiers. */
export const PcoContainerId = {
  /** MS to network: PVS information request; network to MS: PVS IPv4 address. */
  PVS_INFORMATION_REQUEST: 0x0036,
  PVS_IPV4_ADDRESS: 0x0036,
  /** Network to MS: PVS IPv6 address. */
  PVS_IPV6_ADDRESS: 0x0037,
  /** Network to MS: PVS name (FQDN). */
  PVS_NAME: 0x0038,
} as const;

/** Octet 3: ext bit 1, configuration protocol 000 (PPP). */
const OCTET_3 = 0x80;

export function encodePco(containers: readonly PcoContainer[]): Uint8Array {
  const size = 1 + containers.reduce((n, c) => n + 3 + c.contents.length, 0);
  const out = new Uint8Array(size);
  out[0] = OCTET_3;
  let at = 1;
  for (const c of containers) {
    if (c.contents.length > 255) throw new RangeError(`PCO container ${c.id.toString(16)}H: ${c.contents.length} octets do not fit its length octet`);
    out[at++] = c.id >> 8;
    out[at++] = c.id & 0xff;
    out[at++] = c.contents.length;
    out.set(c.contents, at);
    at += c.contents.length;
  }
  return out;
}

export function decodePco(bytes: Uint8Array): PcoContainer[] {
  const fail = (offset: number, code: DecodeErrorCode, reason: string): never => {
    throw new DecodeError({ protocol: 'nas-5gs', code, offset, path: 'ExtendedProtocolConfigurationOptions', reason });
  };
  if (bytes.length < 1) fail(0, DecodeErrorCode.TRUNCATED, 'no octet 3');
  if ((bytes[0] & 0x80) === 0) fail(0, DecodeErrorCode.BAD_VALUE, 'ext bit of octet 3 is 0');
  if ((bytes[0] & 0x07) !== 0) fail(0, DecodeErrorCode.BAD_VALUE, `configuration protocol ${bytes[0] & 0x07} is not 0 (PPP)`);
  const out: PcoContainer[] = [];
  let at = 1;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) fail(at, DecodeErrorCode.TRUNCATED, 'a container identifier and length need 3 octets');
    const id = (bytes[at] << 8) | bytes[at + 1];
    const length = bytes[at + 2];
    if (at + 3 + length > bytes.length) fail(at + 2, DecodeErrorCode.BAD_LENGTH, `container ${id.toString(16)}H says ${length} octets, ${bytes.length - at - 3} remain`);
    out.push({ id, contents: bytes.slice(at + 3, at + 3 + length) });
    at += 3 + length;
  }
  return out;
}

/** The PVS information of a network-to-MS PCO: IPv4 (0036H), IPv6 (0037H) addresses and names (0038H); malformed ones skipped. */
export function pvsInformation(containers: readonly PcoContainer[]): { ipv4Addresses: string[]; ipv6Addresses: string[]; names: string[] } {
  const of = (id: number) => containers.filter((c) => c.id === id);
  return {
    ipv4Addresses: of(PcoContainerId.PVS_IPV4_ADDRESS).filter((c) => c.contents.length === 4).map((c) => c.contents.join('.')),
    ipv6Addresses: of(PcoContainerId.PVS_IPV6_ADDRESS).filter((c) => c.contents.length === 16).map((c) => ipv6Text(c.contents)),
    names: of(PcoContainerId.PVS_NAME).map((c) => dnsName(c.contents)).filter((n): n is string => n !== undefined),
  };
}

/** The PVS IPv4 addresses of a network-to-MS PCO (containers 0036H). */
export function pvsIpv4Addresses(containers: readonly PcoContainer[]): string[] {
  return pvsInformation(containers).ipv4Addresses;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The network-to-MS containers for PVS addresses and names, each entry an IPv4 address (0036H), an
 * IPv6 address (0037H) or an FQDN (0038H).
 */
export function pvsAddressContainers(addresses: readonly string[]): PcoContainer[] {
  return addresses.map((a) => {
    if (IPV4.test(a)) return { id: PcoContainerId.PVS_IPV4_ADDRESS, contents: Uint8Array.from(a.split('.').map(Number)) };
    if (a.includes(':')) return { id: PcoContainerId.PVS_IPV6_ADDRESS, contents: ipv6Bytes(a) };
    return { id: PcoContainerId.PVS_NAME, contents: dnsNameBytes(a) };
  });
}

/** RFC 4291 2.2 text (with at most one "::") to 16 octets. */
export function ipv6Bytes(text: string): Uint8Array {
  const [head, tail, more] = text.split('::');
  if (more !== undefined) throw new RangeError(`${text}: more than one "::"`);
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
  if (all.length !== 8 || fill < 0 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw new RangeError(`${text} is not an IPv6 address`);
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** 16 octets as RFC 5952 text (lower case, the longest run of zero groups as "::"). */
export function ipv6Text(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = { at: -1, n: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.n && j - i > 1) best = { at: i, n: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.n).join(':')}`;
}

/** An FQDN as DNS labels (TS 23.003 19.4.2: each label after its length octet, no root label). */
export function dnsNameBytes(fqdn: string): Uint8Array {
  const labels = fqdn.replace(/\.$/, '').split('.');
  if (labels.some((l) => l.length === 0 || l.length > 63)) throw new RangeError(`${fqdn} is not an FQDN (labels of 1..63 octets)`);
  const enc = new TextEncoder();
  return Uint8Array.from(labels.flatMap((l) => [l.length, ...enc.encode(l)]));
}

/** The FQDN of DNS labels, or undefined when the lengths do not add up. */
export function dnsName(b: Uint8Array): string | undefined {
  const labels: string[] = [];
  for (let at = 0; at < b.length; ) {
    const n = b[at];
    if (n === 0 || at + 1 + n > b.length) return undefined;
    labels.push(new TextDecoder().decode(b.subarray(at + 1, at + 1 + n)));
    at += 1 + n;
  }
  return labels.length ? labels.join('.') : undefined;
}
