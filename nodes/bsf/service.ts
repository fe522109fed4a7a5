// The BSF's Nbsf_Management service (TS 29.521 5.2.2): the PCF registers the binding of a PDU
// session (UE address, DNN, S-NSSAI -> the PCF serving it) when it creates the SM policy
// association (TS 23.502 4.16.4), updates it when the UE address or the PCF's address changes
// (4.2.5) and deregisters it at the association's termination (4.16.6 step 5); an AF finds the
// PCF of a UE's session by discovery (TS 29.521 5.2.2.4). Only the session bindings
// (`/pcfBindings`) are served: the UE and MBS bindings of the API are not.
//
// A UE address names one PDU session at a time (TS 23.501 5.8.2.2: the SMF allocates it to the
// session and releases it with the session), so a registration for an address (in its IP
// domain, on its DNN) that has a binding already is the newer truth: the older binding names a
// session that no longer holds the address (its PCF association was never terminated) and is
// replaced. 403 EXISTING_BINDING_INFO_FOUND is the answer the OpenAPI gives for "the indicated
// combination" (ParameterCombination `paraCom`, the SamePcf feature: one PCF for a SUPI, DNN,
// S-NSSAI), with the existing binding's PCF, not for an address (docs/decisions/21-100k-run.md).
// Each key (IPv4 address, IPv6 prefix, MAC address, SUPI) is an index: no scan over bindings.

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { BSF } from '../common/sbi/operations.ts';
import type { components as BsfC } from '../common/sbi-types/TS29521_Nbsf_Management.ts';

type PcfBinding = BsfC['schemas']['PcfBinding'];
type Snssai = PcfBinding['snssai'];

/** What the BSF counts beside its ledger (not resources: they only grow). */
export interface BsfStats {
  /** Bindings replaced by a registration for the same UE address (stale: see the file's head). */
  replaced: number;
}

/** The UE address keys of a binding, each naming at most one binding. */
function addressKeys(b: Partial<PcfBinding>): string[] {
  const keys: string[] = [];
  const dnn = b.dnn ?? '';
  // TS 29.521 5.6.2.2: ipDomain tells apart IPv4 addresses of overlapping private ranges
  if (b.ipv4Addr) keys.push(`4|${b.ipDomain ?? ''}|${dnn}|${b.ipv4Addr}`);
  for (const p of [b.ipv6Prefix, ...(b.addIpv6Prefixes ?? [])]) if (p) keys.push(`6|${dnn}|${p.toLowerCase()}`);
  for (const m of [b.macAddr48, ...(b.addMacAddrs ?? [])]) if (m) keys.push(`m|${dnn}|${m.toLowerCase()}`);
  return keys;
}

const sameSnssai = (a: Snssai, sst: unknown, sd: unknown) => a.sst === Number(sst) && (a.sd ?? '').toLowerCase() === (typeof sd === 'string' ? sd.toLowerCase() : '');

export function bsfRoutes(baseUri: string, ledger = new ResourceLedger('BSF')): { routes: SbiRoute[]; ledger: ResourceLedger; stats: BsfStats } {
  const bindings = new Map<string, PcfBinding>();
  const byAddress = new Map<string, string>();
  const bySupi = new Map<string, Set<string>>();
  /** The DNNs bindings are held for, with how many: a discovery without a DNN tries each. */
  const dnns = new Map<string, number>();
  const stats: BsfStats = { replaced: 0 };
  let next = 1;
  ledger.gauge('PCF bindings', () => bindings.size);

  const index = (id: string, b: PcfBinding) => {
    for (const k of addressKeys(b)) byAddress.set(k, id);
    dnns.set(b.dnn, (dnns.get(b.dnn) ?? 0) + 1);
    if (b.supi) {
      let ids = bySupi.get(b.supi);
      if (!ids) bySupi.set(b.supi, (ids = new Set()));
      ids.add(id);
    }
  };
  const remove = (id: string): boolean => {
    const b = bindings.get(id);
    if (!b) return false;
    bindings.delete(id);
    for (const k of addressKeys(b)) if (byAddress.get(k) === id) byAddress.delete(k);
    const n = dnns.get(b.dnn)! - 1;
    if (n) dnns.set(b.dnn, n);
    else dnns.delete(b.dnn);
    const ids = b.supi ? bySupi.get(b.supi) : undefined;
    if (ids && ids.delete(id) && ids.size === 0) bySupi.delete(b.supi!);
    return true;
  };
  /** Bindings of other sessions holding one of `b`'s addresses: stale, replaced (the file's head). */
  const replaceStale = (b: PcfBinding, keep?: string) => {
    for (const k of addressKeys(b)) {
      const old = byAddress.get(k);
      if (old !== undefined && old !== keep && remove(old)) stats.replaced++;
    }
  };
  const validAddresses = (b: Partial<PcfBinding>) => {
    if (!b.ipv4Addr && !b.ipv6Prefix && !b.macAddr48) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'one of ipv4Addr, ipv6Prefix, macAddr48 is required');
  };

  const routes: SbiRoute[] = [
    // TS 29.521 5.2.2.2 Nbsf_Management_Register: one binding per PDU session
    serve(BSF.management.register, (req) => {
      const body = objectBody(req) as Partial<PcfBinding>;
      requireString(body, 'dnn');
      if (!body.snssai || typeof body.snssai.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'snssai is required');
      validAddresses(body);
      const binding = body as PcfBinding;
      // SamePcf (TS 29.521 5.8): a binding for the indicated combination is answered with its PCF
      const para = binding.paraCom;
      if (para) {
        const existing = sameCombination(para);
        if (existing) {
          // ExtProblemDetails (TS 29.521 5.6.2.x): ProblemDetails with BindingResp, the existing binding's PCF
          const p = new SbiProblem(403, 'EXISTING_BINDING_INFO_FOUND', `a binding for the indicated combination exists (${[para.supi, para.dnn].filter(Boolean).join(', ')})`);
          const pcfSmFqdn = existing.pcfSmFqdn ?? existing.pcfFqdn;
          const pcfSmIpEndPoints = existing.pcfSmIpEndPoints ?? existing.pcfIpEndPoints;
          Object.assign(p.problem, { ...(pcfSmFqdn ? { pcfSmFqdn } : {}), ...(pcfSmIpEndPoints ? { pcfSmIpEndPoints } : {}) } satisfies BsfC['schemas']['BindingResp']);
          throw p;
        }
      }
      replaceStale(binding);
      const id = String(next++);
      bindings.set(id, binding);
      index(id, binding);
      return undoable(created(resourceUri(baseUri, BSF.management.deregister, { bindingId: id }), binding), () => void (bindings.get(id) === binding && remove(id)));
    }),
    // TS 29.521 5.2.2.4 Nbsf_Management_Discovery: by UE address (and DNN, S-NSSAI when given)
    serve(BSF.management.discover, (req) => {
      const q = req.query;
      if (!q.ipv4Addr && !q.ipv6Prefix && !q.macAddr48 && !q.supi) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'ipv4Addr, ipv6Prefix, macAddr48 or supi is required');
      let snssai: { sst?: unknown; sd?: unknown } | undefined;
      try {
        snssai = q.snssai ? (JSON.parse(q.snssai) as { sst?: unknown; sd?: unknown }) : undefined;
      } catch {
        throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'snssai is not JSON');
      }
      const matches = (b: PcfBinding) =>
        (!q.ipv4Addr || b.ipv4Addr === q.ipv4Addr) && (!q.supi || b.supi === q.supi) && (!q.dnn || b.dnn === q.dnn) && (!snssai || sameSnssai(b.snssai, snssai.sst, snssai.sd));
      for (const id of candidates(q)) {
        const b = bindings.get(id);
        if (b && matches(b)) return ok(b);
      }
      return { status: 204 as const };
    }),
    // TS 29.521 5.2.2.5 Nbsf_Management_Update (4.2.5.2): a JSON merge patch of the binding (RFC 7396)
    serve(BSF.management.update, (req) => {
      const id = req.params.bindingId;
      const b = bindings.get(id);
      if (!b) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no binding ${id}`);
      const patch = objectBody(req);
      const updated: Record<string, unknown> = { ...b };
      for (const [k, v] of Object.entries(patch)) {
        if (!PATCHABLE.has(k)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${k} cannot be patched (PcfBindingPatch)`);
        if (v === null) delete updated[k];
        else updated[k] = v;
      }
      validAddresses(updated as Partial<PcfBinding>);
      remove(id);
      replaceStale(updated as PcfBinding, id);
      bindings.set(id, updated as PcfBinding);
      index(id, updated as PcfBinding);
      return ok(updated as PcfBinding);
    }),
    // TS 29.521 5.2.2.3 Nbsf_Management_Deregister
    serve(BSF.management.deregister, (req) => {
      if (!remove(req.params.bindingId)) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no binding ${req.params.bindingId}`);
      return noContent();
    }),
  ];

  /** The binding ids a discovery can match, from the most selective index its query names. */
  function candidates(q: Record<string, string>): Iterable<string> {
    const keys: string[] = [];
    for (const dnn of q.dnn ? [q.dnn] : dnns.keys()) keys.push(...addressKeys({ dnn, ...(q.ipv4Addr ? { ipv4Addr: q.ipv4Addr, ...(q.ipDomain ? { ipDomain: q.ipDomain } : {}) } : {}), ...(q.ipv6Prefix ? { ipv6Prefix: q.ipv6Prefix } : {}), ...(q.macAddr48 ? { macAddr48: q.macAddr48 } : {}) }));
    if (keys.length) return keys.map((k) => byAddress.get(k)).filter((id): id is string => id !== undefined);
    return q.supi ? (bySupi.get(q.supi) ?? []) : [];
  }
  /** SamePcf: a binding with the combination's SUPI, DNN and S-NSSAI (those it names). */
  function sameCombination(para: NonNullable<PcfBinding['paraCom']>): PcfBinding | undefined {
    if (!para.supi) return undefined; // only the SUPI is indexed; a combination without one is not served
    for (const id of bySupi.get(para.supi) ?? []) {
      const b = bindings.get(id)!;
      if (para.dnn && b.dnn !== para.dnn) continue;
      if (para.snssai && !sameSnssai(b.snssai, para.snssai.sst, para.snssai.sd)) continue;
      return b;
    }
    return undefined;
  }
  return { routes, ledger, stats };
}

/** TS 29.521 5.6.2.3 PcfBindingPatch: what an update may change. */
const PATCHABLE = new Set(['ipv4Addr', 'ipDomain', 'ipv6Prefix', 'addIpv6Prefixes', 'macAddr48', 'addMacAddrs', 'pcfId', 'pcfFqdn', 'pcfIpEndPoints', 'pcfDiamHost', 'pcfDiamRealm', 'snssai']);
