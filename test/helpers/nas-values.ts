// The IE values of a NAS-5GS message as `wire5g decode` gives them, set beside the tshark NAS-5GS
// fields that show them (TS 24.501 clause 9 IEs), for golden tests of values: message types and
// security header, ngKSI, registration/deregistration type, 5GS mobile identities (SUCI parts,
// 5G-GUTI parts, IMEISV), UE security capability bit by bit, NSSAIs and S-NSSAI, DNN, PDU session
// identity and PTI, selected algorithms, causes, session AMBR, PDU address, QoS rules, TAI list.

import type { JsonValue } from '../../codecs/bytes/json.ts';
import type { ExpectedValue } from './ngap-values.ts';

type Obj = Record<string, JsonValue>;

/** TS 24.501 9.11.3.54 octet 3 (5G-EA0..7) and 4 (5G-IA0..7) as tshark names the bits. */
const EA_FIELDS = ['5g_ea0', '128_5g_ea1', '128_5g_ea2', '128_5g_ea3', '5g_ea4', '5g_ea5', '5g_ea6', '5g_ea7'];
const IA_FIELDS = ['ia0', '5g_128_ia1', '5g_128_ia2', '5g_128_ia3', '5g_128_ia4', '5g_ia5', '5g_ia6', '5g_ia7'];

function v(path: string, field: string, value: JsonValue | undefined, altField?: string): ExpectedValue[] {
  if (value === undefined || value === null) return [];
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  return [{ path, field, ...(altField ? { altField } : {}), kind: typeof value === 'string' && !/^\d+$/.test(value) ? 'str' : 'int', text }];
}

function nssai(path: string, list: JsonValue | undefined): ExpectedValue[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((s, i) => [...v(`${path}[${i}].sst`, 'nas_5gs.mm.sst', (s as Obj).sst), ...v(`${path}[${i}].sd`, 'nas_5gs.mm.sd', (s as Obj).sd)]);
}

function identity(path: string, id: Obj): ExpectedValue[] {
  switch (id.type) {
    case 'suci':
      return [
        ...v(`${path}.msin`, 'nas_5gs.mm.suci.msin', id.msin),
        ...v(`${path}.routingIndicator`, 'nas_5gs.mm.suci.routing_indicator', id.routingIndicator),
        ...v(`${path}.protectionScheme`, 'nas_5gs.mm.suci.scheme_id', id.protectionScheme),
        ...v(`${path}.homeNetworkPublicKeyId`, 'nas_5gs.mm.suci.pki', id.homeNetworkPublicKeyId),
        ...v(`${path}.plmn.mcc`, 'e212.mcc', Number((id.plmn as Obj).mcc)),
        ...v(`${path}.plmn.mnc`, 'e212.mnc', Number((id.plmn as Obj).mnc)),
      ];
    case '5g-guti':
      return [
        ...v(`${path}.amfRegionId`, 'nas_5gs.amf_region_id', id.amfRegionId),
        ...v(`${path}.amfSetId`, 'nas_5gs.amf_set_id', id.amfSetId),
        ...v(`${path}.amfPointer`, 'nas_5gs.amf_pointer', id.amfPointer),
        ...v(`${path}.tmsi`, 'nas_5gs.5g_tmsi', id.tmsi),
      ];
    case 'imeisv':
      return v(`${path}.digits`, 'nas_5gs.mm.imeisv', id.digits);
    default:
      return [];
  }
}

function securityCapability(path: string, c: Obj): ExpectedValue[] {
  const out: ExpectedValue[] = [];
  for (let b = 0; b < 8; b++) {
    out.push(...v(`${path}.ea bit ${b}`, `nas_5gs.mm.${EA_FIELDS[b]}`, ((Number(c.ea) >> (7 - b)) & 1) as number));
    out.push(...v(`${path}.ia bit ${b}`, `nas_5gs.mm.${IA_FIELDS[b]}`, ((Number(c.ia) >> (7 - b)) & 1) as number));
  }
  return out;
}

/** The values tshark should show for one decoded NAS message (a `wire5g decode` fields object). */
export function expectedNasValues(m: Obj): ExpectedValue[] {
  const out: ExpectedValue[] = [];
  const sm = m.pti !== undefined;
  const sh = m.securityHeader as Obj | undefined;
  if (sh) {
    out.push(...v('securityHeader.securityHeaderType', 'nas_5gs.security_header_type', sh.securityHeaderType));
    out.push(...v('securityHeader.mac', 'nas_5gs.msg_auth_code', parseInt(String(sh.mac), 16)));
    out.push(...v('securityHeader.sequenceNumber', 'nas_5gs.seq_no', sh.sequenceNumber));
  }
  out.push(...v('messageType', sm ? 'nas_5gs.sm.message_type' : 'nas_5gs.mm.message_type', m.messageType));
  out.push(...v('pduSessionId', 'nas_5gs.pdu_session_id', m.pduSessionId));
  out.push(...v('pti', 'nas_5gs.proc_trans_id', m.pti));
  const ies = (m.ies ?? {}) as Obj;
  for (const [k, x] of Object.entries(ies)) {
    const p = `ies.${k}`;
    const o = (x ?? {}) as Obj;
    switch (k) {
      case 'ngKsi':
        out.push(...v(`${p}.tsc`, 'nas_5gs.mm.tsc', o.tsc, 'nas_5gs.mm.tsc.h1'), ...v(`${p}.ksi`, 'nas_5gs.mm.nas_key_set_id', o.ksi, 'nas_5gs.mm.nas_key_set_id.h1'));
        break;
      case 'registrationType':
        out.push(...v(`${p}.followOnRequest`, 'nas_5gs.mm.for', o.followOnRequest), ...v(`${p}.value`, 'nas_5gs.mm.5gs_reg_type', o.value));
        break;
      case 'deregistrationType':
        out.push(...v(`${p}.switchOff`, 'nas_5gs.mm.switch_off', o.switchOff), ...v(`${p}.reRegistrationRequired`, 'nas_5gs.mm.re_reg_req', o.reRegistrationRequired), ...v(`${p}.accessType`, 'nas_5gs.mm.acc_type', o.accessType));
        break;
      case 'mobileIdentity':
      case 'fiveGGuti':
      case 'imeisv':
        out.push(...identity(p, o));
        break;
      case 'ueSecurityCapability':
      case 'replayedUeSecurityCapabilities':
        out.push(...securityCapability(p, o));
        break;
      case 'requestedNssai':
      case 'allowedNssai':
      case 'configuredNssai':
        out.push(...nssai(p, x));
        break;
      case 'sNssai':
        out.push(...v(`${p}.sst`, 'nas_5gs.mm.sst', o.sst), ...v(`${p}.sd`, 'nas_5gs.mm.sd', o.sd));
        break;
      case 'dnn':
        out.push(...v(p, 'nas_5gs.cmn.dnn', x));
        break;
      case 'pduSessionId':
        out.push(...v(p, 'nas_5gs.pdu_session_id', x));
        break;
      case 'selectedNasSecurityAlgorithms':
        out.push(...v(`${p}.ciphering`, 'nas_5gs.mm.nas_sec_algo_enc', o.ciphering), ...v(`${p}.integrity`, 'nas_5gs.mm.nas_sec_algo_ip', o.integrity));
        break;
      case 'fiveGmmCause':
        out.push(...v(p, 'nas_5gs.mm.5gmm_cause', x));
        break;
      case 'fiveGsmCause':
        out.push(...v(p, 'nas_5gs.sm.5gsm_cause', x));
        break;
      case 'sessionAmbr':
        out.push(...v(`${p}.dl`, 'nas_5gs.sm.session_ambr_dl', o.dl), ...v(`${p}.ul`, 'nas_5gs.sm.session_ambr_ul', o.ul), ...v(`${p}.dlUnit`, 'nas_5gs.sm.unit_for_session_ambr_dl', o.dlUnit), ...v(`${p}.ulUnit`, 'nas_5gs.sm.unit_for_session_ambr_ul', o.ulUnit));
        break;
      case 'pduAddress':
        out.push(...v(`${p}.pduSessionType`, 'nas_5gs.sm.pdu_ses_type', o.pduSessionType), ...v(`${p}.ipv4`, 'nas_5gs.sm.pdu_addr_inf_ipv4', o.ipv4));
        break;
      case 'authorizedQosRules':
        for (const [i, r] of ((x as JsonValue[]) ?? []).entries()) {
          const q = r as Obj;
          out.push(...v(`${p}[${i}].id`, 'nas_5gs.sm.qos_rule_id', q.id), ...v(`${p}[${i}].precedence`, 'nas_5gs.sm.qos_rule_precedence', q.precedence), ...v(`${p}[${i}].qfi`, 'nas_5gs.sm.qfi', q.qfi), ...v(`${p}[${i}].dqr`, 'nas_5gs.sm.dqr', q.dqr));
        }
        break;
      case 'pduSessionType':
      case 'selectedPduSessionType':
        out.push(...v(p, 'nas_5gs.sm.pdu_session_type', x));
        break;
      case 'sscMode':
        out.push(...v(p, 'nas_5gs.sm.sc_mode', x));
        break;
      case 'selectedSscMode':
        out.push(...v(p, 'nas_5gs.sm.sel_sc_mode', x));
        break;
      case 'taiList':
        for (const [i, l] of ((x as JsonValue[]) ?? []).entries()) for (const [j, t] of (((l as Obj).tacs as JsonValue[]) ?? []).entries()) out.push(...v(`${p}[${i}].tacs[${j}]`, 'nas_5gs.tac', (t as Obj).tac));
        break;
      case 'abba':
        out.push({ path: p, field: 'nas_5gs.mm.abba_contents', kind: 'octets', text: String(x) });
        break;
      case 'registrationResult':
        out.push(...v(p, 'nas_5gs.mm.reg_res.res', x));
        break;
      case 'payloadContainerType':
        out.push(...v(p, 'nas_5gs.mm.pld_cont_type', x));
        break;
      case 'requestType':
        out.push(...v(p, 'nas_5gs.mm.req_type', x));
        break;
      default:
        break;
    }
  }
  return out;
}
