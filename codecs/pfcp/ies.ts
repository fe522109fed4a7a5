// Values of the PFCP IEs wire5g models (TS 29.244 clause 8.2), each with its read and write side
// by side. The IE header (Type, Length, and for vendor IEs the Enterprise ID) is handled in
// message.ts; these codecs see only the value octets, limited by the IE length. An IE not in this
// table is kept as raw octets, so re-encoding is byte-exact for any valid message. The IEs naming
// nodes, sessions and tunnels are in addressing-ies.ts, those of the rules' contents in rule-ies.ts.

import type { ByteReader } from '../bytes/reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { PfcpIeType as T } from './types.ts';
import { nodeId, fSeid, fTeid, ueIpAddress, outerHeaderRemoval, outerHeaderCreation } from './addressing-ies.ts';
import { sdfFilter, bitRate, volumes, volumeMeasurement, gateStatus, qfi, failedRuleId, downlinkDataServiceInformation, sNssai } from './rule-ies.ts';
import type { NodeId, FSeid, FTeid, UeIpAddress, OuterHeaderRemoval, OuterHeaderCreation } from './addressing-ies.ts';
import type { SdfFilter, BitRate, Volumes, VolumeMeasurement, GateStatus, FailedRuleId, DownlinkDataServiceInformation, SNssai } from './rule-ies.ts';

export * from './addressing-ies.ts';
export * from './rule-ies.ts';

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
    const octets = new Uint8Array(r.rest());
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
/** TS 29.244 8.2.25 UP Function Features (octets 5, 6, 7 little-endian in `Flags.value`). */
export const UpFunctionFeature = { BUCP: 0x01, DDND: 0x02, DLBD: 0x04, TRST: 0x08, FTUP: 0x10, PFDM: 0x20, HEEU: 0x40, TREU: 0x80, EMPU: 0x100, PDIU: 0x200, UDBC: 0x400, QUOAC: 0x800, BUNDL: 0x400000 } as const;
/**
 * TS 29.244 8.2.58 CP Function Features, octet 5 (the flags codec puts octet 5 in the low byte).
 * BUNDL (PFCP messages bundling) is octet 5 bit 5, as in UP Function Features it is octet 7 bit 7
 * (0x400000 above); Wireshark 4.0 reads them so (pfcp.cp_function_features.bundl, mask 0x10;
 * pfcp.up_function_features.bundl, mask 0x40 of octet 7).
 */
export const CpFunctionFeature = { LOAD: 0x01, OVRL: 0x02, EPFAR: 0x04, SSET: 0x08, BUNDL: 0x10 } as const;
/** TS 29.244 8.2.31 PFCPSMReq-Flags. */
export const PfcpSmReqFlags = { DROBU: 0x01, SNDEM: 0x02, QAURR: 0x04 } as const;
/** TS 29.244 8.2.68 Measurement Information flags. */
export const MeasurementInformation = { MBQE: 0x01, INAM: 0x02, RADI: 0x04, ISTM: 0x08, MNOP: 0x10 } as const;
/** TS 29.244 8.2.21 Report Type flags. */
export const ReportType = { DLDR: 1, USAR: 2, ERIR: 4, UPIR: 8 } as const;
