// The PFCP IEs of what the rules detect, enforce and measure (TS 29.244 8.2): SDF Filter (8.2.5),
// MBR and GBR (8.2.8-8.2.9), Volume Threshold and Volume Measurement (8.2.13, 8.2.44), Gate
// Status (8.2.7), QFI (8.2.89), Failed Rule ID (8.2.80), Downlink Data Service Information
// (8.2.33) and S-NSSAI; value octets only, as in ies.ts.

import type { ByteReader } from '../bytes/reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import type { IeCodec } from './ies.ts';

const PROTOCOL = 'pfcp';
const utf8 = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

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
export const sdfFilter: IeCodec<SdfFilter> = {
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
export const bitRate: IeCodec<BitRate> = {
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
export const volumes: IeCodec<Volumes> = {
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
export const volumeMeasurement: IeCodec<VolumeMeasurement> = {
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
export const gateStatus: IeCodec<GateStatus> = {
  read: (r) => {
    const b = r.u8('GateStatus');
    return { ul: (b >> 2) & 3, dl: b & 3 };
  },
  write: (w, v) => void w.u8(((v.ul & 3) << 2) | (v.dl & 3)),
};

// 8.2.32 Offending IE: the type of the IE that caused the rejection (2 octets)
// 8.2.97 QFI: spare (2) | QFI (6)
export const qfi: IeCodec<number> = {
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
export const failedRuleId: IeCodec<FailedRuleId> = {
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
export const downlinkDataServiceInformation: IeCodec<DownlinkDataServiceInformation> = {
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
export const sNssai: IeCodec<SNssai> = {
  read: (r) => {
    const v: SNssai = { sst: r.u8('SST') };
    const sd = r.u24('SD');
    if (sd !== 0xffffff) v.sd = sd;
    return v;
  },
  write: (w, v) => void w.u8(v.sst).u24(v.sd ?? 0xffffff),
};
