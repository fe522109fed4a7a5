// Nnrf_NFManagement, NRF side (TS 29.510 5.2.2): NFRegister (PUT of the whole NFProfile),
// NFUpdate (PATCH with a JSON Patch, RFC 6902; the heart-beat is one), NFDeregister, the profile
// and list retrievals, and NFStatusSubscribe / Unsubscribe.

import { SbiProblem, objectBody, type SbiRoute } from '../common/sbi.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { NRF } from '../common/sbi/operations.ts';
import { applyJsonPatch, JsonPatchError } from './json-patch.ts';
import type { NrfRegistry, NFProfile, SubscriptionData } from './registry.ts';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The checks TS 29.510 6.1.6.2.2 makes mandatory of an NFProfile; a 400 names the first failing one. */
function checkProfile(p: Record<string, unknown>, id: string): NFProfile {
  if (typeof p.nfInstanceId !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'nfInstanceId is required');
  if (p.nfInstanceId.toLowerCase() !== id.toLowerCase()) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `nfInstanceId ${p.nfInstanceId} is not the ${id} of the URI`);
  if (typeof p.nfType !== 'string' || p.nfType === '') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'nfType is required');
  if (typeof p.nfStatus !== 'string' || p.nfStatus === '') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'nfStatus is required');
  for (const k of ['nfServices', 'ipv4Addresses', 'sNssais', 'plmnList'] as const) if (p[k] !== undefined && !Array.isArray(p[k])) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `${k} must be an array`);
  if (p.heartBeatTimer !== undefined && (typeof p.heartBeatTimer !== 'number' || !Number.isInteger(p.heartBeatTimer) || p.heartBeatTimer < 1)) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'heartBeatTimer must be a whole number of seconds');
  return p as unknown as NFProfile;
}

/** The members a heart-beat may change without it being a profile change (TS 29.510 5.2.2.3.2). */
const HEARTBEAT_MEMBERS = new Set(['nfStatus', 'load', 'loadTimeStamp']);

export function nfManagementRoutes(nrf: NrfRegistry): SbiRoute[] {
  return [
    // TS 29.510 5.2.2.2.2 NFRegister: PUT .../nf-instances/{nfInstanceID} with the NF's NFProfile
    serve(NRF.nfManagement.register, (req) => {
      const id = req.params.nfInstanceID;
      if (!UUID.test(id)) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `${id} is not an NfInstanceId (a UUID, TS 29.571)`);
      const profile = checkProfile(objectBody(req), id);
      // the NRF decides the heart-beat timer and answers it (TS 29.510 5.2.2.2.2 step 2)
      const stored: NFProfile = { ...profile, heartBeatTimer: nrf.o.heartBeatSeconds };
      const existed = nrf.get(id) !== undefined;
      nrf.put(stored);
      const after = async () => nrf.changed(stored, existed ? 'NF_PROFILE_CHANGED' : 'NF_REGISTERED');
      if (existed) return { status: 200 as const, body: stored, after };
      // the Location is the resource just registered (TS 29.510 6.1.3.3.3.1)
      return { ...undoable(created(nrf.instanceUri(id), stored), () => void nrf.remove(id)), after };
    }),
    // TS 29.510 5.2.2.3 NFUpdate: a JSON Patch (RFC 6902) of the stored profile
    serve(NRF.nfManagement.update, (req) => {
      const id = req.params.nfInstanceID;
      const old = nrf.get(id);
      if (!old) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no NF instance ${id}`);
      let next: NFProfile;
      try {
        next = applyJsonPatch(old, req.body);
      } catch (e) {
        if (e instanceof JsonPatchError) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', e.message);
        throw e;
      }
      const n = checkProfile(next as unknown as Record<string, unknown>, id);
      if (n.nfType !== old.nfType) throw new SbiProblem(403, 'MODIFICATION_NOT_ALLOWED', 'nfType cannot change');
      const changedKeys = new Set([...Object.keys(old), ...Object.keys(n)].filter((k) => JSON.stringify((old as Record<string, unknown>)[k]) !== JSON.stringify((n as Record<string, unknown>)[k])));
      const heartBeatOnly = [...changedKeys].every((k) => HEARTBEAT_MEMBERS.has(k)) && !changedKeys.has('nfStatus');
      nrf.put(n);
      // TS 29.510 5.2.2.3.2: a heart-beat (nfStatus REGISTERED replaced by itself, load) is answered 204
      if (heartBeatOnly) return noContent();
      const patch = (Array.isArray(req.body) ? req.body : []) as { op: string; path: string; value?: unknown }[];
      const profileChanges = patch.map((p) => ({ op: p.op.toUpperCase(), path: p.path, ...(p.value !== undefined ? { newValue: p.value } : {}) }));
      return { status: 200 as const, body: n, after: async () => nrf.changed(n, 'NF_PROFILE_CHANGED', profileChanges.filter((c) => ['ADD', 'MOVE', 'REMOVE', 'REPLACE'].includes(c.op))) };
    }),
    // TS 29.510 5.2.2.4 NFDeregister
    serve(NRF.nfManagement.deregister, (req) => {
      const old = nrf.get(req.params.nfInstanceID);
      if (!old || !nrf.remove(req.params.nfInstanceID)) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no NF instance ${req.params.nfInstanceID}`);
      return noContent(async () => nrf.changed(old, 'NF_DEREGISTERED'));
    }),
    // TS 29.510 5.2.2.7 NFProfileRetrieval
    serve(NRF.nfManagement.getProfile, (req) => {
      const p = nrf.get(req.params.nfInstanceID);
      if (!p) throw new SbiProblem(404, 'RESOURCE_NOT_FOUND', `no NF instance ${req.params.nfInstanceID}`);
      return ok(p);
    }),
    // TS 29.510 5.2.2.6 NFListRetrieval: links to the instances, optionally of one nf-type
    serve(NRF.nfManagement.list, (req) => {
      const type = req.query['nf-type'];
      const limit = req.query.limit !== undefined ? Number(req.query.limit) : undefined;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'limit must be a whole number from 1');
      const items = nrf.profiles().filter((p) => !type || p.nfType === type).slice(0, limit).map((p) => ({ href: nrf.instanceUri(p.nfInstanceId) }));
      return ok({ _links: { self: { href: `${nrf.o.baseUri}/nnrf-nfm/v1/nf-instances` }, items } });
    }),
    // TS 29.510 5.2.2.5.2 NFStatusSubscribe
    serve(NRF.nfManagement.subscribe, (req) => {
      const body = objectBody(req) as Partial<SubscriptionData>;
      if (typeof body.nfStatusNotificationUri !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'nfStatusNotificationUri is required');
      try {
        new URL(body.nfStatusNotificationUri);
      } catch {
        throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `nfStatusNotificationUri ${body.nfStatusNotificationUri} is not a URI`);
      }
      const s = nrf.subscribe(body as SubscriptionData);
      return undoable(created(resourceUri(nrf.o.baseUri, NRF.nfManagement.unsubscribe, { subscriptionID: s.subscriptionId }), s), () => void nrf.unsubscribe(s.subscriptionId));
    }),
    // TS 29.510 5.2.2.5.6 NFStatusUnsubscribe
    serve(NRF.nfManagement.unsubscribe, (req) => {
      if (!nrf.unsubscribe(req.params.subscriptionID)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `no subscription ${req.params.subscriptionID}`);
      return noContent();
    }),
  ];
}
