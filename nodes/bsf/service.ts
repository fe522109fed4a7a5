// The BSF's Nbsf_Management service (TS 29.521 5.2.2): the PCF registers the binding of a PDU
// session (UE address, DNN, S-NSSAI -> the PCF serving it) when it creates the SM policy
// association (TS 23.502 4.16.4) and deregisters it at the association's termination (4.16.6
// step 5); an AF finds the PCF of a UE's session by discovery (TS 29.521 5.2.2.4). Only the
// session bindings (`/pcfBindings`) are served: the UE and MBS bindings of the API are not.

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { BSF } from '../common/sbi/operations.ts';
import type { components as BsfC } from '../common/sbi-types/TS29521_Nbsf_Management.ts';

type PcfBinding = BsfC['schemas']['PcfBinding'];

export function bsfRoutes(baseUri: string, ledger = new ResourceLedger('BSF')): { routes: SbiRoute[]; ledger: ResourceLedger } {
  const bindings = new Map<string, PcfBinding>();
  let next = 1;
  ledger.gauge('PCF bindings', () => bindings.size);
  const sameSnssai = (a: PcfBinding['snssai'], sst: unknown, sd: unknown) => a.sst === Number(sst) && (a.sd ?? '').toLowerCase() === (typeof sd === 'string' ? sd.toLowerCase() : '');
  const routes: SbiRoute[] = [
    // TS 29.521 5.2.2.2 Nbsf_Management_Register: one binding per PDU session
    serve(BSF.management.register, (req) => {
      const body = objectBody(req) as Partial<PcfBinding>;
      requireString(body, 'dnn');
      if (!body.snssai || typeof body.snssai.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'snssai is required');
      if (!body.ipv4Addr && !body.ipv6Prefix && !body.macAddr48) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'one of ipv4Addr, ipv6Prefix, macAddr48 is required');
      // TS 29.521 5.2.2.2.2: a second binding for the same UE address and DNN replaces nothing: 403 EXISTING_BINDING_INFO_FOUND
      for (const b of bindings.values()) if (body.ipv4Addr && b.ipv4Addr === body.ipv4Addr && b.dnn === body.dnn) throw new SbiProblem(403, 'EXISTING_BINDING_INFO_FOUND', `${body.ipv4Addr} on ${body.dnn} is bound already`);
      const id = String(next++);
      const binding = body as PcfBinding;
      bindings.set(id, binding);
      return undoable(created(resourceUri(baseUri, BSF.management.deregister, { bindingId: id }), binding), () => void bindings.delete(id));
    }),
    // TS 29.521 5.2.2.4 Nbsf_Management_Discovery: by UE address (and DNN, S-NSSAI when given)
    serve(BSF.management.discover, (req) => {
      const q = req.query;
      if (!q.ipv4Addr && !q.supi) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'ipv4Addr or supi is required');
      const snssai = q.snssai ? (JSON.parse(q.snssai) as { sst?: unknown; sd?: unknown }) : undefined;
      for (const b of bindings.values()) {
        if (q.ipv4Addr && b.ipv4Addr !== q.ipv4Addr) continue;
        if (q.supi && b.supi !== q.supi) continue;
        if (q.dnn && b.dnn !== q.dnn) continue;
        if (snssai && !sameSnssai(b.snssai, snssai.sst, snssai.sd)) continue;
        return ok(b);
      }
      return { status: 204 as const };
    }),
    // TS 29.521 5.2.2.3 Nbsf_Management_Deregister
    serve(BSF.management.deregister, (req) => {
      if (!bindings.delete(req.params.bindingId)) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no binding ${req.params.bindingId}`);
      return noContent();
    }),
  ];
  return { routes, ledger };
}
