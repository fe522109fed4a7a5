// The contents of the Extended protocol configuration options IE (TS 24.501 9.11.4.6: "the
// protocol configuration options value field of TS 24.008 10.5.6.3", with a two-octet length in
// the NAS IE around it). Octet 3: ext = 1, spare 0000, configuration protocol 000 (PPP for use
// with IP PDP type or IP PDN type); then a list of protocol IDs or container IDs, each two octets,
// a length octet and the contents.
//
// The containers wire5g uses (TS 24.008 Table 10.5.154), their identifiers direction-scoped:
//   MS to network  0036H  PVS information request (no contents)
//   network to MS  0036H  PVS IPv4 address (4 octets); 0037H PVS IPv6 address (16 octets)
// (SNPN onboarding: the SMF tells the UE where its PVS is, TS 23.501 5.30.2.10.4). Other
// containers are kept as they came.

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

/** The PVS IPv4 addresses of a network-to-MS PCO (containers 0036H). */
export function pvsIpv4Addresses(containers: readonly PcoContainer[]): string[] {
  return containers.filter((c) => c.id === PcoContainerId.PVS_IPV4_ADDRESS && c.contents.length === 4).map((c) => c.contents.join('.'));
}

/** Containers 0036H with the PVS IPv4 addresses (network to MS). */
export function pvsAddressContainers(addresses: readonly string[]): PcoContainer[] {
  return addresses.map((a) => ({ id: PcoContainerId.PVS_IPV4_ADDRESS, contents: Uint8Array.from(a.split('.').map(Number)) }));
}
