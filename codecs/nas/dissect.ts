// NAS-5GS messages as `wire5g decode --json` prints them: the TS 24.501 message name, the security
// header when there is one, and the IEs by the names of the message table, with the values in the
// form Wireshark shows them: the MSIN of a null-scheme SUCI as digits, causes with their names.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import { toJsonValue } from '../bytes/json.ts';
import { decodeNas, decodeNasMessage, type NasMessage } from './message.ts';
import { supiOfNullSuci, type MobileIdentity } from './ies.ts';
import { DecodeError } from '../bytes/errors.ts';
import { FIVE_GMM_CAUSE_NAMES, FIVE_GSM_CAUSE_NAMES, causeText } from './causes.ts';

/** TS 33.501 5.11.1.1 / TS 24.501 9.11.3.34 type of ciphering algorithm. */
const CIPHERING_NAMES: Record<number, string> = { 0: '5G-EA0', 1: '128-5G-EA1', 2: '128-5G-EA2', 3: '128-5G-EA3' };

/**
 * What a reader of one UE's NAS signalling knows about its ciphering: the algorithm the Security
 * Mode Command selected (TS 24.501 5.4.2.2), undefined before one is seen. One per NG connection.
 */
export interface NasCipheringState {
  algorithm?: number;
}

function withNames(ies: Record<string, unknown>): JsonValue {
  const out = toJsonValue(ies) as Record<string, JsonValue>;
  for (const [k, v] of Object.entries(ies)) {
    if (k === 'fiveGmmCause' && typeof v === 'number') out.fiveGmmCauseName = causeText(FIVE_GMM_CAUSE_NAMES, v);
    else if (k === 'fiveGsmCause' && typeof v === 'number') out.fiveGsmCauseName = causeText(FIVE_GSM_CAUSE_NAMES, v);
    else if (k === 'selectedNasSecurityAlgorithms' && v && typeof v === 'object') {
      const c = (v as { ciphering: number }).ciphering;
      (out[k] as Record<string, JsonValue>).cipheringName = CIPHERING_NAMES[c] ?? `reserved (${c})`;
    } else if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'suci') {
      // TS 23.003 2.2B: with the null scheme the scheme output is the MSIN in BCD.
      const supi = supiOfNullSuci(v as MobileIdentity);
      if (supi) {
        const id = v as MobileIdentity & { type: 'suci'; supiFormat: 'imsi' };
        (out[k] as Record<string, JsonValue>).msin = supi.slice(5 + id.plmn.mcc.length + id.plmn.mnc.length);
      }
    }
  }
  return out;
}

export function nasToJson(m: NasMessage): JsonValue {
  const out: Record<string, JsonValue> = { messageType: m.messageType };
  if (m.pduSessionId !== undefined) out.pduSessionId = m.pduSessionId;
  if (m.pti !== undefined) out.pti = m.pti;
  out.ies = withNames(m.ies as Record<string, unknown>);
  if (m.unknownIes) out.unknownIes = m.unknownIes.map((b) => toJsonValue(b));
  return out;
}

/** A DecodeError as JSON (protocol, code, offset, path, reason); anything else by its message. */
export function errorJson(e: unknown): JsonValue {
  return e instanceof DecodeError ? (e.toJSON() as unknown as JsonValue) : { reason: e instanceof Error ? e.message : String(e) };
}

const EPD_5GMM = 0x7e;
const EPD_5GSM = 0x2e;

/**
 * Dissects a NAS PDU. A security protected message shows its inner message when it is plain
 * (integrity protected only) or ciphered with 5G-EA0: known from the Security Mode Command seen
 * in `state`, or, with no such knowledge, when the payload starts with a 5GS protocol
 * discriminator, as Wireshark's nas-5gs.null_decipher preference reads it. Such a message is
 * then decoded for real: a malformed one throws its DecodeError (offset and path). A message
 * ciphered with another algorithm shows its header and says so. Messages carried in payload
 * containers (5GSM in UL/DL NAS transport) are dissected too.
 */
export function dissectNas(payload: Uint8Array, state?: NasCipheringState): DissectedMessage[] {
  const pdu = decodeNas(payload);
  const out: DissectedMessage[] = [];
  let inner: NasMessage;
  if (pdu.kind === 'plain') {
    inner = pdu.message;
    out.push({ protocol: 'nas-5gs', message: inner.name, fields: nasToJson(inner) });
  } else {
    const p = pdu.protected;
    const header = { securityHeaderType: p.securityHeaderType, mac: toJsonValue(p.mac), sequenceNumber: p.sequenceNumber };
    const known = state?.algorithm;
    const nullCiphered = known === 0 || (known === undefined && (p.payload[0] === EPD_5GMM || p.payload[0] === EPD_5GSM));
    if (!pdu.inner && !nullCiphered) {
      const how = known !== undefined ? `ciphered with ${CIPHERING_NAMES[known] ?? `algorithm ${known}`}` : 'ciphered';
      out.push({ protocol: 'nas-5gs', message: `Security protected NAS message (${how})`, fields: { ...header, payloadLength: p.payload.length } });
      return out;
    }
    inner = pdu.inner ?? decodeNasMessage(p.payload);
    out.push({ protocol: 'nas-5gs', message: inner.name, fields: { securityHeader: header, ...(nasToJson(inner) as Record<string, JsonValue>) } });
  }
  const selected = inner.ies.selectedNasSecurityAlgorithms as { ciphering: number } | undefined;
  if (state && inner.messageType === 0x5d && selected) state.algorithm = selected.ciphering;
  // TS 24.501 4.4.6: the NAS message container of a Security mode complete (or a Registration or
  // Service request) holds a whole plain NAS message, which Wireshark dissects too.
  const whole = inner.ies.nasMessageContainer;
  if (whole instanceof Uint8Array && (whole[0] === EPD_5GMM || whole[0] === EPD_5GSM)) {
    try {
      out.push(...dissectNas(whole));
    } catch (e) {
      out.push({ protocol: 'nas-5gs', message: 'Malformed NAS message in NAS message container', fields: { octets: toJsonValue(whole) }, error: errorJson(e) });
    }
  }
  const container = inner.ies.payloadContainer;
  if (container instanceof Uint8Array && inner.ies.payloadContainerType === 1 && container[0] === EPD_5GSM) {
    try {
      out.push(...dissectNas(container));
    } catch (e) {
      out.push({ protocol: 'nas-5gs', message: 'Malformed 5GSM message in payload container', fields: { octets: toJsonValue(container) }, error: errorJson(e) });
    }
  }
  return out;
}
