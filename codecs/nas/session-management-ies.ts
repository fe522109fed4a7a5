// Values of the 5GSM IEs wire5g models (TS 24.501 9.11.4) and the DNN (9.11.2.1B) a PDU session
// names: PDU address (9.11.4.10), Session-AMBR (9.11.4.14), QoS rules (9.11.4.13).

import type { ValueCodec } from './ies.ts';
import { EncodeError } from '../bytes/errors.ts';

const PROTOCOL = 'nas-5gs';

// 9.11.4.10 PDU address: spare | SI6LLA (bit 4) | PDU session type value (bits 3-1), then the address
export interface PduAddress {
  pduSessionType: number;
  ipv4?: string;
  /** Other address types kept as octets. */
  octets?: Uint8Array;
}
export const pduAddress: ValueCodec<PduAddress> = {
  read: (r) => {
    const t = r.u8('PDUSessionType') & 7;
    if (t === 1) {
      const a = r.bytes(4, 'IPv4');
      return { pduSessionType: 1, ipv4: `${a[0]}.${a[1]}.${a[2]}.${a[3]}` };
    }
    return { pduSessionType: t, octets: r.restCopy() };
  },
  write: (w, v) => {
    w.u8(v.pduSessionType & 7);
    if (v.ipv4) for (const p of v.ipv4.split('.')) w.u8(+p);
    else if (v.octets) w.bytes(v.octets);
  },
};

// 9.11.4.14 Session-AMBR: unit for DL (1), DL (2), unit for UL (1), UL (2); unit 6 = 1 Mbps, 7 = 4 Mbps, ...
export interface SessionAmbr {
  dlUnit: number;
  dl: number;
  ulUnit: number;
  ul: number;
}
export const sessionAmbr: ValueCodec<SessionAmbr> = {
  read: (r) => ({ dlUnit: r.u8('UnitDL'), dl: r.u16('SessionAMBRDL'), ulUnit: r.u8('UnitUL'), ul: r.u16('SessionAMBRUL') }),
  write: (w, v) => void w.u8(v.dlUnit).u16(v.dl).u8(v.ulUnit).u16(v.ul),
};

// 9.11.2.1B DNN: an APN (TS 23.003 9.1) as length-prefixed labels
export const dnn: ValueCodec<string> = {
  read: (r) => {
    const labels: string[] = [];
    while (!r.atEnd) {
      const n = r.u8('DNN.LabelLength');
      const label = r.bytes(n, 'DNN.Label');
      let text = '';
      for (let i = 0; i < label.length; i++) text += String.fromCharCode(label[i]);
      labels.push(text);
    }
    return labels.join('.');
  },
  write: (w, v) => {
    for (const l of v.split('.')) {
      if (l.length > 63) throw new EncodeError(PROTOCOL, 'DNN', `label of ${l.length} characters`);
      w.u8(l.length);
      for (let i = 0; i < l.length; i++) w.u8(l.charCodeAt(i));
    }
  },
};

// 9.11.4.13 QoS rules: rule id (1), length (2), rule octet: operation code (bits 8-6) | DQR (5) |
// number of packet filters (4-1); packet filters; precedence (1); spare | segregation (7) | QFI (6-1)
export interface QosRule {
  id: number;
  operationCode: number;
  dqr: boolean;
  /** Packet filters: for "delete packet filters" only the ids; otherwise direction, id and contents. */
  packetFilters: { direction?: number; id: number; contents?: Uint8Array }[];
  precedence?: number;
  segregation?: boolean;
  qfi?: number;
}
export const qosRules: ValueCodec<QosRule[]> = {
  read: (r) => {
    const out: QosRule[] = [];
    while (!r.atEnd) {
      const id = r.u8('QoSRuleIdentifier');
      const len = r.u16('QoSRule.Length');
      const outer = r.narrow(len, 'QoSRule');
      const o = r.u8('RuleOctet');
      const rule: QosRule = { id, operationCode: o >> 5, dqr: (o & 16) !== 0, packetFilters: [] };
      const n = o & 15;
      for (let i = 0; i < n; i++) {
        if (rule.operationCode === 5) rule.packetFilters.push({ id: r.u8('PacketFilterIdentifier') & 15 });
        else {
          const p = r.u8('PacketFilter');
          const clen = r.u8('PacketFilter.Length');
          rule.packetFilters.push({ direction: (p >> 4) & 3, id: p & 15, contents: r.copy(clen, 'PacketFilter.Contents') });
        }
      }
      if (!r.atEnd) rule.precedence = r.u8('QoSRulePrecedence');
      if (!r.atEnd) {
        const b = r.u8('QFI');
        rule.segregation = (b & 64) !== 0;
        rule.qfi = b & 63;
      }
      r.expectEnd('QoSRule');
      r.widen(outer);
      out.push(rule);
    }
    return out;
  },
  write: (w, v) => {
    for (const rule of v) {
      w.u8(rule.id);
      const at = w.reserve(2);
      w.u8(((rule.operationCode & 7) << 5) | (rule.dqr ? 16 : 0) | (rule.packetFilters.length & 15));
      for (const p of rule.packetFilters) {
        if (rule.operationCode === 5) w.u8(p.id & 15);
        else {
          const c = p.contents ?? new Uint8Array(0);
          w.u8((((p.direction ?? 3) & 3) << 4) | (p.id & 15)).u8(c.length).bytes(c);
        }
      }
      if (rule.precedence !== undefined) w.u8(rule.precedence);
      if (rule.qfi !== undefined) w.u8((rule.segregation ? 64 : 0) | (rule.qfi & 63));
      w.patchU16(at, w.pos - at - 2);
    }
  },
};

// 9.11.2.20 Unavailability information (Rel-18): octet 3: spare | start of unavailability period
// indicated (bit 5) | unavailability period duration indicated (bit 4) | unavailability type (bits 3-1);
