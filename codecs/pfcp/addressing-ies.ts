// The PFCP IEs that name nodes, sessions and tunnels (TS 29.244 8.2): Node ID (8.2.38), F-SEID
// (8.2.37), F-TEID (8.2.3), UE IP Address (8.2.62), Outer Header Removal (8.2.64) and Outer Header
// Creation (8.2.56); value octets only, as in ies.ts.

import { EncodeError } from '../bytes/errors.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../bytes/ip.ts';
import type { IeCodec } from './ies.ts';

const PROTOCOL = 'pfcp';
const utf8 = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

// 8.2.38 Node ID
//   octet 5: spare | Node ID Type (0 IPv4, 1 IPv6, 2 FQDN)
//   octets 6..: IPv4 (4), IPv6 (16), or FQDN as DNS labels (TS 23.003 19.4.2.4)
export interface NodeId {
  type: 'ipv4' | 'ipv6' | 'fqdn';
  value: string;
}
export const nodeId: IeCodec<NodeId> = {
  read: (r) => {
    const t = r.u8('NodeIDType') & 0x0f;
    if (t === 0) return { type: 'ipv4', value: formatIPv4(r.bytes(4, 'IPv4')) };
    if (t === 1) return { type: 'ipv6', value: formatIPv6(r.bytes(16, 'IPv6')) };
    if (t === 2) {
      const labels: string[] = [];
      while (!r.atEnd) {
        const n = r.u8('FQDN.LabelLength');
        labels.push(utf8.decode(r.bytes(n, 'FQDN.Label')));
      }
      return { type: 'fqdn', value: labels.join('.') };
    }
    throw r.error('BAD_VALUE', `Node ID type ${t}`, 'NodeIDType', r.pos - 1);
  },
  write: (w, v) => {
    if (v.type === 'ipv4') w.u8(0).bytes(parseIPv4(v.value));
    else if (v.type === 'ipv6') w.u8(1).bytes(parseIPv6(v.value));
    else {
      w.u8(2);
      for (const label of v.value.split('.')) {
        const b = enc.encode(label);
        if (b.length > 63) throw new EncodeError(PROTOCOL, 'Node ID.FQDN', `label '${label}' exceeds 63 octets`);
        w.u8(b.length).bytes(b);
      }
    }
  },
};

// 8.2.37 F-SEID
//   octet 5: spare | V4 (bit 2) | V6 (bit 1);  octets 6-13: SEID;  then IPv4 (4) if V4, IPv6 (16) if V6
export interface FSeid {
  seid: bigint;
  ipv4?: string;
  ipv6?: string;
}
export const fSeid: IeCodec<FSeid> = {
  read: (r) => {
    const f = r.u8('Flags');
    const v: FSeid = { seid: r.u64('SEID') };
    if (f & 2) v.ipv4 = formatIPv4(r.bytes(4, 'IPv4'));
    if (f & 1) v.ipv6 = formatIPv6(r.bytes(16, 'IPv6'));
    return v;
  },
  write: (w, v) => {
    w.u8((v.ipv4 ? 2 : 0) | (v.ipv6 ? 1 : 0)).u64(v.seid);
    if (v.ipv4) w.bytes(parseIPv4(v.ipv4));
    if (v.ipv6) w.bytes(parseIPv6(v.ipv6));
  },
};

// 8.2.3 F-TEID
//   octet 5: spare | CHID (bit 4) | CH (bit 3) | V6 (bit 2) | V4 (bit 1)
//   CH = 0: TEID (4), IPv4 (4) if V4, IPv6 (16) if V6;  CH = 1: CHOOSE ID (1) if CHID
export interface FTeid {
  teid?: number;
  ipv4?: string;
  ipv6?: string;
  /** CH: the UP function assigns the TEID (5.5.3). */
  choose?: { v4: boolean; v6: boolean; chooseId?: number };
}
export const fTeid: IeCodec<FTeid> = {
  read: (r) => {
    const f = r.u8('Flags');
    if (f & 4) {
      const choose: NonNullable<FTeid['choose']> = { v4: (f & 1) !== 0, v6: (f & 2) !== 0 };
      if (f & 8) choose.chooseId = r.u8('CHOOSEID');
      return { choose };
    }
    const v: FTeid = { teid: r.u32('TEID') };
    if (f & 1) v.ipv4 = formatIPv4(r.bytes(4, 'IPv4'));
    if (f & 2) v.ipv6 = formatIPv6(r.bytes(16, 'IPv6'));
    return v;
  },
  write: (w, v) => {
    if (v.choose) {
      w.u8(4 | (v.choose.chooseId !== undefined ? 8 : 0) | (v.choose.v6 ? 2 : 0) | (v.choose.v4 ? 1 : 0));
      if (v.choose.chooseId !== undefined) w.u8(v.choose.chooseId);
      return;
    }
    if (v.teid === undefined) throw new EncodeError(PROTOCOL, 'F-TEID', 'TEID is required unless CH is set');
    w.u8((v.ipv6 ? 2 : 0) | (v.ipv4 ? 1 : 0)).u32(v.teid);
    if (v.ipv4) w.bytes(parseIPv4(v.ipv4));
    if (v.ipv6) w.bytes(parseIPv6(v.ipv6));
  },
};

// 8.2.62 UE IP Address
//   octet 5: spare | IP6PL (7) | CHV6 (6) | CHV4 (5) | IPv6D (4) | S/D (3) | V4 (2) | V6 (1)
//   then IPv4 (4) if V4, IPv6 (16) if V6, IPv6 prefix delegation bits (1) if IPv6D, prefix length (1) if IP6PL
export interface UeIpAddress {
  flags: number;
  ipv4?: string;
  ipv6?: string;
  ipv6PrefixDelegationBits?: number;
  ipv6PrefixLength?: number;
}
export const ueIpAddress: IeCodec<UeIpAddress> = {
  read: (r) => {
    const flags = r.u8('Flags');
    const v: UeIpAddress = { flags };
    if (flags & 2) v.ipv4 = formatIPv4(r.bytes(4, 'IPv4'));
    if (flags & 1) v.ipv6 = formatIPv6(r.bytes(16, 'IPv6'));
    if (flags & 8) v.ipv6PrefixDelegationBits = r.u8('IPv6PrefixDelegationBits');
    if (flags & 0x40) v.ipv6PrefixLength = r.u8('IPv6PrefixLength');
    return v;
  },
  write: (w, v) => {
    w.u8(v.flags);
    if (v.flags & 2) w.bytes(parseIPv4(v.ipv4 ?? '0.0.0.0'));
    if (v.flags & 1) w.bytes(parseIPv6(v.ipv6 ?? '::'));
    if (v.flags & 8) w.u8(v.ipv6PrefixDelegationBits ?? 0);
    if (v.flags & 0x40) w.u8(v.ipv6PrefixLength ?? 0);
  },
};
/** UE IP Address flag bits (8.2.62). */
export const UeIpFlags = { V6: 0x01, V4: 0x02, SD: 0x04, IPv6D: 0x08, CHV4: 0x10, CHV6: 0x20, IP6PL: 0x40 } as const;

// 8.2.64 Outer Header Removal: description (1), optional GTP-U extension header deletion (1)
export interface OuterHeaderRemoval {
  description: number;
  gtpuExtensionHeaderDeletion?: number;
}
export const outerHeaderRemoval: IeCodec<OuterHeaderRemoval> = {
  read: (r) => {
    const v: OuterHeaderRemoval = { description: r.u8('OuterHeaderRemovalDescription') };
    if (!r.atEnd) v.gtpuExtensionHeaderDeletion = r.u8('GTPUExtensionHeaderDeletion');
    return v;
  },
  write: (w, v) => {
    w.u8(v.description);
    if (v.gtpuExtensionHeaderDeletion !== undefined) w.u8(v.gtpuExtensionHeaderDeletion);
  },
};

// 8.2.56 Outer Header Creation
//   octets 5-6: description (bit 1 GTP-U/UDP/IPv4, 2 GTP-U/UDP/IPv6, 3 UDP/IPv4, 4 UDP/IPv6,
//   5 IPv4, 6 IPv6, 7 C-TAG, 8 S-TAG; octet 6: bit 1 N19, bit 2 N6)
//   TEID (4) if bit 1|2; IPv4 (4) if 1|3|5; IPv6 (16) if 2|4|6; port (2) if 3|4; C-TAG (3); S-TAG (3)
export interface OuterHeaderCreation {
  description: number;
  teid?: number;
  ipv4?: string;
  ipv6?: string;
  port?: number;
  cTag?: number;
  sTag?: number;
}
export const OuterHeaderCreationDescription = { GtpuUdpIpv4: 0x0100, GtpuUdpIpv6: 0x0200, UdpIpv4: 0x0400, UdpIpv6: 0x0800, Ipv4: 0x1000, Ipv6: 0x2000, CTag: 0x4000, STag: 0x8000 } as const;
export const outerHeaderCreation: IeCodec<OuterHeaderCreation> = {
  read: (r) => {
    const d = r.u16('OuterHeaderCreationDescription');
    const v: OuterHeaderCreation = { description: d };
    if (d & 0x0300) v.teid = r.u32('TEID');
    if (d & 0x1500) v.ipv4 = formatIPv4(r.bytes(4, 'IPv4'));
    if (d & 0x2a00) v.ipv6 = formatIPv6(r.bytes(16, 'IPv6'));
    if (d & 0x0c00) v.port = r.u16('PortNumber');
    if (d & 0x4000) v.cTag = r.u24('C-TAG');
    if (d & 0x8000) v.sTag = r.u24('S-TAG');
    return v;
  },
  write: (w, v) => {
    const d = v.description;
    w.u16(d);
    if (d & 0x0300) w.u32(v.teid ?? 0);
    if (d & 0x1500) w.bytes(parseIPv4(v.ipv4 ?? '0.0.0.0'));
    if (d & 0x2a00) w.bytes(parseIPv6(v.ipv6 ?? '::'));
    if (d & 0x0c00) w.u16(v.port ?? 0);
    if (d & 0x4000) w.u24(v.cTag ?? 0);
    if (d & 0x8000) w.u24(v.sTag ?? 0);
  },
};
