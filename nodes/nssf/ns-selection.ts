// Nnssf_NSSelection_Get for registration, NSSF side (TS 29.531 5.2.2.2.2, TS 23.502 4.2.2.2.3
// step 4a-4b, the selection of TS 23.501 5.15.5.2.1): from the UE's Requested NSSAI, its
// Subscribed S-NSSAIs and its TAI, the Allowed NSSAI, the S-NSSAIs rejected in the PLMN or in the
// TA, the Configured NSSAI, and the target AMF Set (with its candidate AMFs and the NRF to discover
// the Set's AMFs at) serving the Allowed NSSAI. Selection for a PDU session or a UE configuration
// update is not implemented and is answered so (501).

import { SbiProblem, type SbiRoute } from '../common/sbi.ts';
import { serve, ok } from '../common/sbi/routes.ts';
import { NSSF } from '../common/sbi/operations.ts';
import type { components as NssfC } from '../common/sbi-types/TS29531_Nnssf_NSSelection.ts';
import type { Plmn, Snssai } from '../common/config.ts';

type SliceInfoForRegistration = NssfC['schemas']['SliceInfoForRegistration'];
type AuthorizedNetworkSliceInfo = NssfC['schemas']['AuthorizedNetworkSliceInfo'];
type WireSnssai = NssfC['schemas']['Snssai'];

/** What the NSSF selects from (nodes/common/nrf-config.ts NssfConfig, defaults filled). */
export interface NssfSelectionData {
  plmn: Plmn;
  trackingAreas: { tac: number; snssais: Snssai[] }[];
  amfSets: { regionId: number; setId: number; snssais: Snssai[]; amfInstanceIds: string[] }[];
  /** The apiRoot of the NRF the AMFs of a Set are discovered at (nrfAmfSet). */
  nrfUri: string;
}

const same = (a: WireSnssai, b: WireSnssai) => a.sst === b.sst && (a.sd ?? '').toLowerCase() === (b.sd ?? '').toLowerCase();
const has = (list: readonly WireSnssai[], s: WireSnssai) => list.some((x) => same(x, s));
const wire = (s: Snssai): WireSnssai => ({ sst: s.sst, ...(s.sd ? { sd: s.sd } : {}) });
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

function jsonQuery(q: Record<string, string>, name: string): unknown {
  const raw = q[name];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `${name} is not JSON (TS 29.531 6.1.3.2.3.1: content application/json)`);
  }
}

const isSnssai = (v: unknown): v is WireSnssai => typeof v === 'object' && v !== null && Number.isInteger((v as WireSnssai).sst) && (v as WireSnssai).sst >= 0 && (v as WireSnssai).sst <= 255 && ((v as WireSnssai).sd === undefined || /^[0-9A-Fa-f]{6}$/.test(String((v as WireSnssai).sd)));

function sliceInfo(v: unknown): SliceInfoForRegistration {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'slice-info-request-for-registration must be a SliceInfoForRegistration object');
  const s = v as SliceInfoForRegistration;
  if (s.requestedNssai !== undefined && !(Array.isArray(s.requestedNssai) && s.requestedNssai.every(isSnssai))) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'requestedNssai must be a list of Snssai');
  if (s.subscribedNssai !== undefined && !(Array.isArray(s.subscribedNssai) && s.subscribedNssai.every((x) => isSnssai(x?.subscribedSnssai)))) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'subscribedNssai must be a list of SubscribedSnssai');
  return s;
}

/** TS 23.501 5.15.5.2.1 for registration: the answer of the NSSF. */
export function selectForRegistration(d: NssfSelectionData, info: SliceInfoForRegistration, tac: number | undefined, requesterId: string): AuthorizedNetworkSliceInfo {
  const inPlmn = d.trackingAreas.flatMap((t) => t.snssais.map(wire));
  const inTa = tac === undefined ? inPlmn : (d.trackingAreas.find((t) => t.tac === tac)?.snssais.map(wire) ?? []);
  const subscribed = info.subscribedNssai?.map((s) => s.subscribedSnssai);
  const defaults = info.subscribedNssai?.filter((s) => s.defaultIndication).map((s) => s.subscribedSnssai) ?? [];
  const allowed: WireSnssai[] = [], rejectedInPlmn: WireSnssai[] = [], rejectedInTa: WireSnssai[] = [];
  const requested = info.requestedNssai ?? [];
  for (const s of requested) {
    // not subscribed, or served nowhere in the PLMN: "not available in the current PLMN" (TS 24.501 9.11.3.46 cause 0)
    if ((subscribed && !has(subscribed, s)) || !has(inPlmn, s)) rejectedInPlmn.push(s);
    // served in the PLMN but not in this TA: "not available in the current registration area" (cause 1)
    else if (!has(inTa, s)) rejectedInTa.push(s);
    else if (!has(allowed, s)) allowed.push(s);
  }
  // none requested, or none of them allowed: the default subscribed S-NSSAIs the TA serves (TS 23.501 5.15.5.2.1)
  if (!allowed.length) for (const s of defaults) if (has(inTa, s) && !has(allowed, s)) allowed.push(s);
  // the Configured NSSAI of the serving PLMN: the subscribed (or requested) S-NSSAIs some TA of it serves (TS 23.501 5.15.4.2)
  const configured = (subscribed ?? requested).filter((s) => has(inPlmn, s));
  // the AMF Set serving the most of the Allowed NSSAI, the requester's own Set first among equals
  const ranked = d.amfSets
    .map((set, i) => ({ set, i, served: allowed.filter((s) => has(set.snssais.map(wire), s)).length, own: set.amfInstanceIds.includes(requesterId) }))
    .sort((a, b) => b.served - a.served || Number(b.own) - Number(a.own) || a.i - b.i);
  const target = allowed.length && ranked.length && ranked[0].served > 0 ? ranked[0].set : undefined;
  return {
    ...(allowed.length ? { allowedNssaiList: [{ allowedSnssaiList: allowed.map((s) => ({ allowedSnssai: s })), accessType: '3GPP_ACCESS' }] } : {}),
    ...(configured.length ? { configuredNssai: configured.map((s) => ({ configuredSnssai: s })) } : {}),
    ...(target
      ? {
          targetAmfSet: `${d.plmn.mcc}-${d.plmn.mnc}-${hex(target.regionId, 2)}-${hex(target.setId, 3)}`,
          ...(target.amfInstanceIds.length ? { candidateAmfList: target.amfInstanceIds } : {}),
          nrfAmfSet: `${d.nrfUri}/nnrf-disc/v1`,
          nrfAmfSetNfMgtUri: `${d.nrfUri}/nnrf-nfm/v1`,
        }
      : {}),
    ...(rejectedInPlmn.length ? { rejectedNssaiInPlmn: rejectedInPlmn } : {}),
    ...(rejectedInTa.length ? { rejectedNssaiInTa: rejectedInTa } : {}),
  };
}

export function nsSelectionRoutes(d: NssfSelectionData): SbiRoute[] {
  return [
    serve(NSSF.nsSelection.get, (req) => {
      const q = req.query;
      if (!q['nf-type']) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'nf-type is required');
      if (!q['nf-id']) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'nf-id is required');
      if (q['slice-info-request-for-registration'] === undefined) {
        if (q['slice-info-request-for-pdu-session'] !== undefined || q['slice-info-request-for-ue-cu'] !== undefined) throw new SbiProblem(501, 'NOT_IMPLEMENTED', "wire5g's NSSF selects for registration only (slice-info-request-for-registration)");
        throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'one of slice-info-request-for-registration, -for-pdu-session, -for-ue-cu is required');
      }
      const info = sliceInfo(jsonQuery(q, 'slice-info-request-for-registration'));
      const tai = jsonQuery(q, 'tai') as { plmnId?: Plmn; tac?: unknown } | undefined;
      if (tai !== undefined && (typeof tai !== 'object' || tai === null || typeof tai.tac !== 'string' || !/^([0-9A-Fa-f]{4}|[0-9A-Fa-f]{6})$/.test(tai.tac))) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'tai must be a Tai with tac as 4 or 6 hex digits (TS 29.571)');
      return ok(selectForRegistration(d, info, tai ? parseInt(tai.tac as string, 16) : undefined, q['nf-id']));
    }),
  ];
}
