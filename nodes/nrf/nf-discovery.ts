// Nnrf_NFDiscovery, NRF side (TS 29.510 5.3.2.2 NFDiscover): the profiles of the registered NF
// instances of target-nf-type that the requester-nf-type may use and that match the filters
// wire5g evaluates (service-names, snssais, dnn, target-plmn-list, target-nf-instance-id,
// amf-region-id, amf-set-id, guami). A query parameter the NRF does not evaluate is listed in
// ignoredQueryParams (TS 29.510 6.2.6.2.3) rather than silently taken as matched.

import { SbiProblem, type SbiRoute } from '../common/sbi.ts';
import { serve, ok } from '../common/sbi/routes.ts';
import { NRF } from '../common/sbi/operations.ts';
import { servicesOf, type NrfRegistry, type NFProfile } from './registry.ts';
import type { Plmn } from '../common/config.ts';

interface Snssai {
  sst: number;
  sd?: string;
}

/** The query parameters evaluated below; the two mandatory ones first. */
const EVALUATED = new Set(['target-nf-type', 'requester-nf-type', 'service-names', 'snssais', 'dnn', 'target-plmn-list', 'requester-plmn-list', 'target-nf-instance-id', 'requester-nf-instance-id', 'amf-region-id', 'amf-set-id', 'guami']);

/** A query parameter holding JSON (TS 29.510 6.2.3.2.3.1: `content: application/json`). */
function jsonParam<T>(q: Record<string, string>, name: string, check: (v: unknown) => v is T): T | undefined {
  const raw = q[name];
  if (raw === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `${name} is not JSON`);
  }
  if (!check(v)) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `${name} is not what TS 29.510 6.2.3.2.3.1 gives it`);
  return v;
}

const isSnssaiList = (v: unknown): v is Snssai[] => Array.isArray(v) && v.every((s) => typeof s === 'object' && s !== null && typeof (s as Snssai).sst === 'number');
const isGuami = (v: unknown): v is { plmnId: Plmn; amfId: string } => typeof v === 'object' && v !== null && typeof (v as { amfId?: unknown }).amfId === 'string' && typeof (v as { plmnId?: { mcc?: unknown } }).plmnId?.mcc === 'string';
const isPlmnList = (v: unknown): v is Plmn[] => Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null && typeof (p as Plmn).mcc === 'string' && typeof (p as Plmn).mnc === 'string');
const sameSnssai = (a: Snssai, b: Snssai) => a.sst === b.sst && (a.sd ?? '').toLowerCase() === (b.sd ?? '').toLowerCase();

/** The slices a profile serves: sNssais and, for an SMF, those of smfInfo; none listed means any. */
function slicesOf(p: NFProfile): Snssai[] | undefined {
  const list = [...(p.sNssais ?? []), ...(p.smfInfo?.sNssaiSmfInfoList.map((i) => i.sNssai) ?? [])];
  return list.length ? list : undefined;
}

export function nfDiscoveryRoutes(nrf: NrfRegistry, nrfPlmn: Plmn): SbiRoute[] {
  return [
    serve(NRF.nfDiscovery.search, (req) => {
      const q = req.query;
      const target = q['target-nf-type'], requester = q['requester-nf-type'];
      if (!target) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'target-nf-type is required');
      if (!requester) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'requester-nf-type is required');
      const serviceNames = q['service-names'] ? q['service-names'].split(',') : undefined;
      const snssais = jsonParam(q, 'snssais', isSnssaiList);
      const plmns = jsonParam(q, 'target-plmn-list', isPlmnList);
      const dnn = q.dnn;
      const guami = jsonParam(q, 'guami', isGuami);
      const matches = (p: NFProfile): boolean => {
        // TS 29.510 5.3.2.2.2: only instances that are REGISTERED are discovered
        if (p.nfType !== target || p.nfStatus !== 'REGISTERED') return false;
        if (p.allowedNfTypes && !p.allowedNfTypes.includes(requester)) return false;
        if (q['target-nf-instance-id'] && p.nfInstanceId.toLowerCase() !== q['target-nf-instance-id'].toLowerCase()) return false;
        if (serviceNames && !servicesOf(p).some((s) => serviceNames.includes(s.serviceName))) return false;
        const slices = slicesOf(p);
        if (snssais && slices && !snssais.some((s) => slices.some((x) => sameSnssai(s, x)))) return false;
        // an NF registered without plmnList serves the NRF's PLMN (TS 29.510 6.1.6.2.2 plmnList)
        const served = p.plmnList ?? [nrfPlmn];
        if (plmns && !plmns.some((t) => served.some((s) => s.mcc === t.mcc && s.mnc === t.mnc))) return false;
        if (dnn && p.smfInfo && !p.smfInfo.sNssaiSmfInfoList.some((i) => (!snssais || snssais.some((s) => sameSnssai(s, i.sNssai))) && i.dnnSmfInfoList.some((d) => d.dnn === dnn || d.dnn === '*'))) return false;
        if (q['amf-region-id'] && p.amfInfo?.amfRegionId.toLowerCase() !== q['amf-region-id'].toLowerCase()) return false;
        if (q['amf-set-id'] && p.amfInfo?.amfSetId.toLowerCase() !== q['amf-set-id'].toLowerCase()) return false;
        // TS 29.510 6.2.3.2.3.1 guami: the AMF whose amfInfo.guamiList holds it
        if (guami && !p.amfInfo?.guamiList.some((g) => g.amfId.toLowerCase() === guami.amfId.toLowerCase() && g.plmnId.mcc === guami.plmnId.mcc && g.plmnId.mnc === guami.plmnId.mnc)) return false;
        return true;
      };
      // the profiles returned carry only the services asked for (TS 29.510 6.2.3.2.3.1 service-names)
      const trimmed = (p: NFProfile): NFProfile => {
        if (!serviceNames) return p;
        const { nfServices, nfServiceList, ...rest } = p;
        return {
          ...rest,
          ...(nfServices ? { nfServices: nfServices.filter((s) => serviceNames.includes(s.serviceName)) } : {}),
          ...(nfServiceList ? { nfServiceList: Object.fromEntries(Object.entries(nfServiceList).filter(([, s]) => serviceNames.includes(s.serviceName))) } : {}),
        };
      };
      const ignored = Object.keys(q).filter((k) => !EVALUATED.has(k));
      return ok({ validityPeriod: nrf.o.validitySeconds, nfInstances: nrf.profiles().filter(matches).map(trimmed), ...(ignored.length ? { ignoredQueryParams: ignored } : {}) });
    }),
  ];
}
