// Values of the PFCP IEs wire5g models (TS 29.244 clause 8.2), each with its read and write side
// by side. The IE header (Type, Length, and for vendor IEs the Enterprise ID) is handled in
// message.ts; these codecs see only the value octets, limited by the IE length. An IE not in this
// table is kept as raw octets, so re-encoding is byte-exact for any valid message.

import type { ByteReader } from '../bytes/reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../bytes/ip.ts';
import { PfcpIeType as T } from './types.ts';

export interface IeCodec<V> {
  read(r: ByteReader): V;
  write(w: ByteWriter, v: V): void;
}

const PROTOCOL = 'pfcp';
const u8: IeCodec<number> = { read: (r) => r.u8('value'), write: (w, v) => void w.u8(v) };
const u16: IeCodec<number> = { read: (r) => r.u16('value'), write: (w, v) => void w.u16(v) };
const u32: IeCodec<number> = { read: (r) => r.u32('value'), write: (w, v) => void w.u32(v) };
/** Interface values use the low 4 bits (8.2.2, 8.2.24); the spare bits are kept. */
const octet: IeCodec<number> = u8;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

/**
 * An octet string shown as text (Network Instance 8.2.4, Application ID 8.2.6): the octets are
 * kept exactly. Network instances are commonly encoded like a DNS name (TS 23.003 9.1, length-
 * prefixed labels, as erGW and open5gs send them); such octets read as the dotted name, others as
 * plain text, which is what Wireshark shows too.
 */
export interface TextOctets {
  text: string;
  octets: Uint8Array;
}
function labelsText(o: Uint8Array): string | undefined {
  let out = '';
  let i = 0;
  while (i < o.length) {
    const n = o[i];
    if (n === 0 || i + 1 + n > o.length) return undefined;
    if (i > 0) out += '.';
    for (let k = i + 1; k <= i + n; k++) {
      if (o[k] < 0x21 || o[k] > 0x7e) return undefined;
      out += String.fromCharCode(o[k]); // printable ASCII only, so one code unit each
    }
    i += 1 + n;
  }
  return i > 0 ? out : undefined;
}
const textOctets: IeCodec<TextOctets> = {
  read: (r) => {
    const octets = Uint8Array.from(r.rest());
    return { text: labelsText(octets) ?? utf8.decode(octets), octets };
  },
  write: (w, v) => void w.bytes(v.octets),
};
/** A network instance as a DNS-style name (length-prefixed labels). */
export function text(s: string): TextOctets {
  const labels = s.split('.').map((l) => enc.encode(l));
  const octets = new Uint8Array(labels.reduce((n, l) => n + l.length + 1, 0));
  let at = 0;
  for (const l of labels) {
    if (l.length > 63) throw new EncodeError(PROTOCOL, 'Network Instance', `label of ${l.length} octets`);
    octets[at] = l.length;
    octets.set(l, at + 1);
    at += l.length + 1;
  }
  return { text: s, octets };
}

/** Flags of 1..n octets whose length must be preserved (Apply Action 8.2.26, Reporting Triggers 8.2.19, ...). */
export interface Flags {
  value: number;
  octets: number;
}
const flags: IeCodec<Flags> = {
  read: (r) => {
    const b = r.rest();
    let value = 0;
    for (let i = 0; i < b.length && i < 4; i++) value |= b[i] << (8 * i);
    return { value: value >>> 0, octets: b.length };
  },
  write: (w, v) => {
    for (let i = 0; i < v.octets; i++) w.u8(i < 4 ? (v.value >>> (8 * i)) & 0xff : 0);
  },
};

// 8.2.38 Node ID
//   octet 5: spare | Node ID Type (0 IPv4, 1 IPv6, 2 FQDN)
//   octets 6..: IPv4 (4), IPv6 (16), or FQDN as DNS labels (TS 23.003 19.4.2.4)
export interface NodeId {
  type: 'ipv4' | 'ipv6' | 'fqdn';
  value: string;
}
const nodeId: IeCodec<NodeId> = {
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
const fSeid: IeCodec<FSeid> = {
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
const fTeid: IeCodec<FTeid> = {
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
const ueIpAddress: IeCodec<UeIpAddress> = {
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

// 8.2.5 SDF Filter
//   octet 5: spare | BID (5) | FL (4) | SPI (3) | TTC (2) | FD (1);  octet 6: spare
//   FD: length (2) + flow description;  TTC: ToS (2);  SPI: 4;  FL: flow label (3);  BID: SDF filter id (4)
export interface SdfFilter {
  flowDescription?: string;
  tosTrafficClass?: number;
  securityParameterIndex?: number;
  flowLabel?: number;
  sdfFilterId?: number;
}
const sdfFilter: IeCodec<SdfFilter> = {
  read: (r) => {
    const f = r.u8('Flags');
    r.skip(1, 'Spare');
    const v: SdfFilter = {};
    if (f & 1) {
      const n = r.u16('FlowDescription.Length');
      v.flowDescription = utf8.decode(r.bytes(n, 'FlowDescription'));
    }
    if (f & 2) v.tosTrafficClass = r.u16('ToSTrafficClass');
    if (f & 4) v.securityParameterIndex = r.u32('SecurityParameterIndex');
    if (f & 8) v.flowLabel = r.u24('FlowLabel');
    if (f & 16) v.sdfFilterId = r.u32('SDFFilterID');
    return v;
  },
  write: (w, v) => {
    w.u8((v.flowDescription !== undefined ? 1 : 0) | (v.tosTrafficClass !== undefined ? 2 : 0) | (v.securityParameterIndex !== undefined ? 4 : 0) | (v.flowLabel !== undefined ? 8 : 0) | (v.sdfFilterId !== undefined ? 16 : 0)).u8(0);
    if (v.flowDescription !== undefined) {
      const b = enc.encode(v.flowDescription);
      w.u16(b.length).bytes(b);
    }
    if (v.tosTrafficClass !== undefined) w.u16(v.tosTrafficClass);
    if (v.securityParameterIndex !== undefined) w.u32(v.securityParameterIndex);
    if (v.flowLabel !== undefined) w.u24(v.flowLabel);
    if (v.sdfFilterId !== undefined) w.u32(v.sdfFilterId);
  },
};

// 8.2.64 Outer Header Removal: description (1), optional GTP-U extension header deletion (1)
export interface OuterHeaderRemoval {
  description: number;
  gtpuExtensionHeaderDeletion?: number;
}
const outerHeaderRemoval: IeCodec<OuterHeaderRemoval> = {
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
const outerHeaderCreation: IeCodec<OuterHeaderCreation> = {
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

// 8.2.8 MBR / 8.2.9 GBR: UL and DL bit rates in kbps, 5 octets each
export interface BitRate {
  ulKbps: number;
  dlKbps: number;
}
function u40(r: ByteReader, field: string): number {
  const hi = r.u8(field);
  return hi * 2 ** 32 + r.u32(field);
}
function writeU40(w: ByteWriter, v: number): void {
  w.u8(Math.floor(v / 2 ** 32) & 0xff).u32(v >>> 0);
}
const bitRate: IeCodec<BitRate> = {
  read: (r) => ({ ulKbps: u40(r, 'UL'), dlKbps: u40(r, 'DL') }),
  write: (w, v) => {
    writeU40(w, v.ulKbps);
    writeU40(w, v.dlKbps);
  },
};

// 8.2.13 Volume Threshold / 8.2.50 Volume Quota: octet 5 DLVOL (3) | ULVOL (2) | TOVOL (1), then the volumes
export interface Volumes {
  total?: bigint;
  uplink?: bigint;
  downlink?: bigint;
}
const volumes: IeCodec<Volumes> = {
  read: (r) => {
    const f = r.u8('Flags');
    const v: Volumes = {};
    if (f & 1) v.total = r.u64('TotalVolume');
    if (f & 2) v.uplink = r.u64('UplinkVolume');
    if (f & 4) v.downlink = r.u64('DownlinkVolume');
    return v;
  },
  write: (w, v) => {
    w.u8((v.total !== undefined ? 1 : 0) | (v.uplink !== undefined ? 2 : 0) | (v.downlink !== undefined ? 4 : 0));
    if (v.total !== undefined) w.u64(v.total);
    if (v.uplink !== undefined) w.u64(v.uplink);
    if (v.downlink !== undefined) w.u64(v.downlink);
  },
};

// 8.2.44 Volume Measurement
//   octet 5: DLNOP (6) | ULNOP (5) | TONOP (4) | DLVOL (3) | ULVOL (2) | TOVOL (1)
//   then total/uplink/downlink volumes and total/uplink/downlink packet counts (8 octets each) as flagged
export interface VolumeMeasurement extends Volumes {
  totalPackets?: bigint;
  uplinkPackets?: bigint;
  downlinkPackets?: bigint;
}
const volumeMeasurement: IeCodec<VolumeMeasurement> = {
  read: (r) => {
    const f = r.u8('Flags');
    const v: VolumeMeasurement = {};
    if (f & 1) v.total = r.u64('TotalVolume');
    if (f & 2) v.uplink = r.u64('UplinkVolume');
    if (f & 4) v.downlink = r.u64('DownlinkVolume');
    if (f & 8) v.totalPackets = r.u64('TotalNumberOfPackets');
    if (f & 16) v.uplinkPackets = r.u64('UplinkNumberOfPackets');
    if (f & 32) v.downlinkPackets = r.u64('DownlinkNumberOfPackets');
    return v;
  },
  write: (w, v) => {
    w.u8((v.total !== undefined ? 1 : 0) | (v.uplink !== undefined ? 2 : 0) | (v.downlink !== undefined ? 4 : 0) | (v.totalPackets !== undefined ? 8 : 0) | (v.uplinkPackets !== undefined ? 16 : 0) | (v.downlinkPackets !== undefined ? 32 : 0));
    for (const x of [v.total, v.uplink, v.downlink, v.totalPackets, v.uplinkPackets, v.downlinkPackets]) if (x !== undefined) w.u64(x);
  },
};

// 8.2.7 Gate Status: spare | UL Gate (bits 4-3) | DL Gate (bits 2-1); 0 OPEN, 1 CLOSED
export const Gate = { OPEN: 0, CLOSED: 1 } as const;
export interface GateStatus {
  ul: number;
  dl: number;
}
const gateStatus: IeCodec<GateStatus> = {
  read: (r) => {
    const b = r.u8('GateStatus');
    return { ul: (b >> 2) & 3, dl: b & 3 };
  },
  write: (w, v) => void w.u8(((v.ul & 3) << 2) | (v.dl & 3)),
};

// 8.2.32 Offending IE: the type of the IE that caused the rejection (2 octets)
// 8.2.97 QFI: spare (2) | QFI (6)
const qfi: IeCodec<number> = {
  read: (r) => {
    const b = r.u8('QFI');
    if (b > 63) throw r.error('BAD_VALUE', 'spare bits set in QFI', 'QFI', r.pos - 1);
    return b;
  },
  write: (w, v) => {
    if (v < 0 || v > 63) throw new EncodeError(PROTOCOL, 'QFI', `${v} is not 0..63`);
    w.u8(v);
  },
};

// 8.2.80 Failed Rule ID: spare | Rule ID Type (0 PDR, 1 FAR, 2 QER, 3 URR, 4 BAR); then the rule
//   ID as that rule's ID IE encodes it (PDR 2 octets, FAR/QER/URR 4, BAR 1)
export const RuleIdType = { PDR: 0, FAR: 1, QER: 2, URR: 3, BAR: 4 } as const;
export interface FailedRuleId {
  ruleType: number;
  id: number;
}
const ruleIdWidth = (t: number): number => (t === 0 ? 2 : t === 4 ? 1 : 4);
const failedRuleId: IeCodec<FailedRuleId> = {
  read: (r) => {
    const ruleType = r.u8('RuleIDType') & 0x1f;
    if (ruleType > 4) throw r.error('BAD_VALUE', `rule ID type ${ruleType}`, 'RuleIDType', r.pos - 1);
    const n = ruleIdWidth(ruleType);
    return { ruleType, id: n === 2 ? r.u16('RuleIDValue') : n === 1 ? r.u8('RuleIDValue') : r.u32('RuleIDValue') };
  },
  write: (w, v) => {
    w.u8(v.ruleType);
    const n = ruleIdWidth(v.ruleType);
    if (n === 2) w.u16(v.id);
    else if (n === 1) w.u8(v.id);
    else w.u32(v.id);
  },
};

// 8.2.34 Downlink Data Service Information: spare | QFII (2) | PPI (1); Paging Policy Indication
//   (1) if PPI; QFI (1) if QFII
export interface DownlinkDataServiceInformation {
  pagingPolicyIndication?: number;
  qfi?: number;
}
const downlinkDataServiceInformation: IeCodec<DownlinkDataServiceInformation> = {
  read: (r) => {
    const f = r.u8('Flags');
    const v: DownlinkDataServiceInformation = {};
    if (f & 1) v.pagingPolicyIndication = r.u8('PagingPolicyIndication') & 0x3f;
    if (f & 2) v.qfi = r.u8('QFI') & 0x3f;
    return v;
  },
  write: (w, v) => {
    w.u8((v.pagingPolicyIndication !== undefined ? 1 : 0) | (v.qfi !== undefined ? 2 : 0));
    if (v.pagingPolicyIndication !== undefined) w.u8(v.pagingPolicyIndication & 0x3f);
    if (v.qfi !== undefined) w.u8(v.qfi & 0x3f);
  },
};

// 8.2.101 S-NSSAI: SST (1), SD (3; 0xFFFFFF: no SD, TS 23.003 28.4.2)
export interface SNssai {
  sst: number;
  sd?: number;
}
const sNssai: IeCodec<SNssai> = {
  read: (r) => {
    const v: SNssai = { sst: r.u8('SST') };
    const sd = r.u24('SD');
    if (sd !== 0xffffff) v.sd = sd;
    return v;
  },
  write: (w, v) => void w.u8(v.sst).u24(v.sd ?? 0xffffff),
};

/** The value codec of each modelled IE type (grouped IEs are handled by the message codec). */
export const IE_CODECS: Partial<Record<number, IeCodec<unknown>>> = {
  [T.Cause]: u8,
  [T.SourceInterface]: octet,
  [T.FTEID]: fTeid,
  [T.NetworkInstance]: textOctets,
  [T.SDFFilter]: sdfFilter,
  [T.ApplicationID]: textOctets,
  [T.GateStatus]: gateStatus,
  [T.MBR]: bitRate,
  [T.GBR]: bitRate,
  [T.Precedence]: u32,
  [T.VolumeThreshold]: volumes,
  [T.TimeThreshold]: u32,
  [T.ReportingTriggers]: flags,
  [T.ReportType]: u8,
  [T.OffendingIE]: u16,
  [T.DestinationInterface]: octet,
  [T.UPFunctionFeatures]: flags,
  [T.ApplyAction]: flags,
  [T.PDRID]: u16,
  [T.FSEID]: fSeid,
  [T.NodeID]: nodeId,
  [T.MeasurementMethod]: u8,
  [T.UsageReportTrigger]: flags,
  [T.VolumeMeasurement]: volumeMeasurement,
  [T.DurationMeasurement]: u32,
  [T.VolumeQuota]: volumes,
  [T.TimeQuota]: u32,
  [T.StartTime]: u32,
  [T.EndTime]: u32,
  [T.URRID]: u32,
  [T.OuterHeaderCreation]: outerHeaderCreation,
  [T.BARID]: u8,
  [T.CPFunctionFeatures]: flags,
  [T.UEIPAddress]: ueIpAddress,
  [T.OuterHeaderRemoval]: outerHeaderRemoval,
  [T.RecoveryTimeStamp]: u32,
  [T.URSEQN]: u32,
  [T.FARID]: u32,
  [T.QERID]: u32,
  [T.PDNType]: u8,
  [T.UserPlaneInactivityTimer]: u32,
  [T.QFI]: qfi,
  [T.QERCorrelationID]: u32,
  [T.MonitoringTime]: u32,
  [T.SubsequentVolumeThreshold]: volumes,
  [T.SubsequentTimeThreshold]: u32,
  [T.InactivityDetectionTime]: u32,
  [T.DownlinkDataServiceInformation]: downlinkDataServiceInformation,
  [T.DownlinkDataNotificationDelay]: u8,
  [T.PFCPSMReqFlags]: u8,
  [T.MeasurementPeriod]: u32,
  [T.TimeOfFirstPacket]: u32,
  [T.TimeOfLastPacket]: u32,
  [T.QuotaHoldingTime]: u32,
  [T.LinkedURRID]: u32,
  [T.UsageInformation]: u8,
  [T.MeasurementInformation]: flags,
  [T.ActivatePredefinedRules]: textOctets,
  [T.DeactivatePredefinedRules]: textOctets,
  [T.FailedRuleID]: failedRuleId,
  [T.QueryURRReference]: u32,
  [T.SuggestedBufferingPacketsCount]: u8,
  [T.APNDNN]: textOctets,
  [T.QuotaValidityTime]: u32,
  [T.SNSSAI]: sNssai,
};

/** Value types by IE type, for typed access (see `get`/`ie` in message.ts). */
export interface IeValues {
  [T.Cause]: number;
  [T.SourceInterface]: number;
  [T.FTEID]: FTeid;
  [T.NetworkInstance]: TextOctets;
  [T.SDFFilter]: SdfFilter;
  [T.ApplicationID]: TextOctets;
  [T.GateStatus]: GateStatus;
  [T.MBR]: BitRate;
  [T.GBR]: BitRate;
  [T.Precedence]: number;
  [T.VolumeThreshold]: Volumes;
  [T.TimeThreshold]: number;
  [T.ReportingTriggers]: Flags;
  [T.ReportType]: number;
  [T.OffendingIE]: number;
  [T.DestinationInterface]: number;
  [T.UPFunctionFeatures]: Flags;
  [T.ApplyAction]: Flags;
  [T.PDRID]: number;
  [T.FSEID]: FSeid;
  [T.NodeID]: NodeId;
  [T.MeasurementMethod]: number;
  [T.UsageReportTrigger]: Flags;
  [T.VolumeMeasurement]: VolumeMeasurement;
  [T.DurationMeasurement]: number;
  [T.VolumeQuota]: Volumes;
  [T.TimeQuota]: number;
  [T.StartTime]: number;
  [T.EndTime]: number;
  [T.URRID]: number;
  [T.OuterHeaderCreation]: OuterHeaderCreation;
  [T.BARID]: number;
  [T.CPFunctionFeatures]: Flags;
  [T.UEIPAddress]: UeIpAddress;
  [T.OuterHeaderRemoval]: OuterHeaderRemoval;
  [T.RecoveryTimeStamp]: number;
  [T.URSEQN]: number;
  [T.FARID]: number;
  [T.QERID]: number;
  [T.PDNType]: number;
  [T.UserPlaneInactivityTimer]: number;
  [T.QFI]: number;
  [T.QERCorrelationID]: number;
  [T.MonitoringTime]: number;
  [T.SubsequentVolumeThreshold]: Volumes;
  [T.SubsequentTimeThreshold]: number;
  [T.InactivityDetectionTime]: number;
  [T.DownlinkDataServiceInformation]: DownlinkDataServiceInformation;
  [T.DownlinkDataNotificationDelay]: number;
  [T.PFCPSMReqFlags]: number;
  [T.MeasurementPeriod]: number;
  [T.TimeOfFirstPacket]: number;
  [T.TimeOfLastPacket]: number;
  [T.QuotaHoldingTime]: number;
  [T.LinkedURRID]: number;
  [T.UsageInformation]: number;
  [T.MeasurementInformation]: Flags;
  [T.ActivatePredefinedRules]: TextOctets;
  [T.DeactivatePredefinedRules]: TextOctets;
  [T.FailedRuleID]: FailedRuleId;
  [T.QueryURRReference]: number;
  [T.SuggestedBufferingPacketsCount]: number;
  [T.APNDNN]: TextOctets;
  [T.QuotaValidityTime]: number;
  [T.SNSSAI]: SNssai;
}

/** TS 29.244 8.2.26 Apply Action flags (octet 5 and 6). */
export const ApplyAction = { DROP: 0x01, FORW: 0x02, BUFF: 0x04, NOCP: 0x08, DUPL: 0x10, IPMA: 0x20, IPMD: 0x40, DFRT: 0x80, EDRT: 0x100, BDPN: 0x200, DDPN: 0x400 } as const;
/** TS 29.244 8.2.2 / 8.2.24 interface values. */
export const Interface = { Access: 0, Core: 1, SGiLanN6Lan: 2, CpFunction: 3, FiveGVnInternal: 4 } as const;
/** TS 29.244 8.2.40 Measurement Method flags. */
export const MeasurementMethod = { DURAT: 1, VOLUM: 2, EVENT: 4 } as const;
/** TS 29.244 8.2.41 Usage Report Trigger flags (octet 5, 6, 7 little-endian in `Flags.value`). */
export const UsageReportTrigger = { PERIO: 0x01, VOLTH: 0x02, TIMTH: 0x04, QUHTI: 0x08, START: 0x10, STOPT: 0x20, DROTH: 0x40, IMMER: 0x80, VOLQU: 0x100, TIMQU: 0x200, LIUSA: 0x400, TERMR: 0x800, MONIT: 0x1000, ENVCL: 0x2000 } as const;
/** TS 29.244 8.2.19 Reporting Triggers flags (octet 5, 6, 7 little-endian in `Flags.value`). */
export const ReportingTrigger = { PERIO: 0x01, VOLTH: 0x02, TIMTH: 0x04, QUHTI: 0x08, START: 0x10, STOPT: 0x20, DROTH: 0x40, LIUSA: 0x80, VOLQU: 0x100, TIMQU: 0x200, ENVCL: 0x400, MACAR: 0x800, EVETH: 0x1000, EVEQU: 0x2000, IPMJL: 0x4000, QUVTI: 0x8000, REEMR: 0x10000, UPINT: 0x20000 } as const;
/** TS 29.244 8.2.25 UP Function Features (octet 5 and 6 little-endian in `Flags.value`). */
export const UpFunctionFeature = { BUCP: 0x01, DDND: 0x02, DLBD: 0x04, TRST: 0x08, FTUP: 0x10, PFDM: 0x20, HEEU: 0x40, TREU: 0x80, EMPU: 0x100, PDIU: 0x200, UDBC: 0x400, QUOAC: 0x800 } as const;
/** TS 29.244 8.2.31 PFCPSMReq-Flags. */
export const PfcpSmReqFlags = { DROBU: 0x01, SNDEM: 0x02, QAURR: 0x04 } as const;
/** TS 29.244 8.2.68 Measurement Information flags. */
export const MeasurementInformation = { MBQE: 0x01, INAM: 0x02, RADI: 0x04, ISTM: 0x08, MNOP: 0x10 } as const;
/** TS 29.244 8.2.21 Report Type flags. */
export const ReportType = { DLDR: 1, USAR: 2, ERIR: 4, UPIR: 8 } as const;
