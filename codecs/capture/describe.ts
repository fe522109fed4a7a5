// The few values of a decoded message that `wire5g decode` puts on its one-line summary, in the
// form Wireshark shows them: identities (SUCI with MCC/MNC and MSIN digits, 5G-GUTI parts), causes
// by name, UE NGAP IDs, SEIDs and TEIDs, HTTP/2 method, path and status. Pure: reads the JSON the
// dissectors produced.

import type { JsonValue } from '../bytes/json.ts';

type Obj = Record<string, JsonValue>;

function obj(v: JsonValue | undefined): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function plmnText(v: JsonValue | undefined): string {
  const p = obj(v);
  return p ? `MCC ${String(p.mcc)} MNC ${String(p.mnc)}` : '';
}

/** TS 24.501 9.11.3.4 5GS mobile identity, as Wireshark's NAS-5GS tree names its parts. */
export function mobileIdentityText(v: JsonValue | undefined): string | undefined {
  const id = obj(v);
  if (!id) return undefined;
  switch (id.type) {
    case 'suci':
      if (id.supiFormat !== 'imsi') return 'SUCI (NAI)';
      return `SUCI ${plmnText(id.plmn)} ${id.msin !== undefined ? `MSIN ${String(id.msin)}` : `scheme ${String(id.protectionScheme)} output ${String(id.schemeOutput)}`}`;
    case '5g-guti':
      return `5G-GUTI ${plmnText(id.plmn)} AMF Region ID ${String(id.amfRegionId)} AMF Set ID ${String(id.amfSetId)} AMF Pointer ${String(id.amfPointer)} 5G-TMSI 0x${Number(id.tmsi).toString(16).padStart(8, '0')}`;
    case '5g-s-tmsi':
      return `5G-S-TMSI AMF Set ID ${String(id.amfSetId)} AMF Pointer ${String(id.amfPointer)} 5G-TMSI 0x${Number(id.tmsi).toString(16).padStart(8, '0')}`;
    default:
      return typeof id.type === 'string' ? id.type.toUpperCase() : undefined;
  }
}

function nasDetail(f: Obj): string[] {
  const ies = obj(f.ies) ?? {};
  const out: string[] = [];
  for (const k of ['mobileIdentity', 'fiveGGuti']) {
    const t = mobileIdentityText(ies[k]);
    if (t) out.push(t);
  }
  if (typeof ies.fiveGmmCauseName === 'string') out.push(`5GMM cause ${ies.fiveGmmCauseName}`);
  if (typeof ies.fiveGsmCauseName === 'string') out.push(`5GSM cause ${ies.fiveGsmCauseName}`);
  const alg = obj(ies.selectedNasSecurityAlgorithms);
  if (alg) out.push(`${String(alg.cipheringName)}, 128-5G-IA${String(alg.integrity)}`);
  if (typeof f.pduSessionId === 'number') out.push(`PDU session ${f.pduSessionId}`);
  return out;
}

function ngapDetail(f: Obj): string[] {
  const ies = obj(f.ies) ?? {};
  const out: string[] = [];
  const pair = obj(obj(ies['UE-NGAP-IDs'])?.['uE-NGAP-ID-pair']);
  const amf = ies['AMF-UE-NGAP-ID'] ?? pair?.['aMF-UE-NGAP-ID'];
  const ran = ies['RAN-UE-NGAP-ID'] ?? pair?.['rAN-UE-NGAP-ID'];
  if (amf !== undefined) out.push(`AMF-UE-NGAP-ID ${String(amf)}`);
  if (ran !== undefined) out.push(`RAN-UE-NGAP-ID ${String(ran)}`);
  const cause = obj(ies.Cause);
  if (cause) for (const [group, value] of Object.entries(cause)) out.push(`Cause ${group}: ${String(value)}`);
  return out;
}

function pfcpDetail(f: Obj): string[] {
  const out: string[] = [];
  if (typeof f.seid === 'string') out.push(`SEID ${f.seid}`);
  for (const ie of Array.isArray(f.ies) ? f.ies : []) {
    const o = obj(ie);
    if (o?.type === 19 && typeof o.meaning === 'string') out.push(`Cause ${o.meaning}`);
  }
  return out;
}

function gtpuDetail(f: Obj): string[] {
  const h = obj(f.header);
  return h && typeof h.teid === 'number' ? [`TEID 0x${h.teid.toString(16).padStart(8, '0')}`] : [];
}

function http2Detail(f: Obj): string[] {
  const out: string[] = [];
  if (typeof f.streamId === 'number' && f.streamId > 0) out.push(`stream ${f.streamId}`);
  if (typeof f.method === 'string') out.push(`${f.method} ${String(f.path)}`);
  if (f.status !== undefined) out.push(`status ${String(f.status)}`);
  if (f.ack === true) out.push('ACK');
  if (f.errorCode !== undefined) out.push(String(f.errorCode));
  if (f.body !== undefined) {
    const text = JSON.stringify(f.body);
    out.push(text.length > 400 ? `${text.slice(0, 400)}...` : text);
  }
  return out;
}

/** The summary values of one dissected message, comma separated; '' when there are none. */
export function describeMessage(protocol: string, _message: string, fields: JsonValue): string {
  const f = obj(fields);
  if (!f) return '';
  switch (protocol) {
    case 'nas-5gs':
      return nasDetail(f).join(', ');
    case 'ngap':
      return ngapDetail(f).join(', ');
    case 'pfcp':
      return pfcpDetail(f).join(', ');
    case 'gtpu':
      return gtpuDetail(f).join(', ');
    case 'http2':
      return http2Detail(f).join(' ');
    default:
      return '';
  }
}
