// Re-discovery on NF status notifications (TS 29.510 5.2.2.5 NFStatusSubscribe / NFStatusNotify,
// TS 23.502 4.17.7 and 4.17.4): an NF that found its peers at the NRF (nrf.discovery) subscribes
// to the status of their NF types, at its own callback (`{apiRoot}/nnrf-callback/v1/nf-status-notify`).
// When the instance it uses leaves (NF_DEREGISTERED) or stops being usable (NF_PROFILE_CHANGED to a
// status other than REGISTERED, e.g. SUSPENDED after missed heart-beats), the NF asks the NRF again
// and from then on sends what it meant for the old instance to the one found: its SBI client
// redirects every request whose URI starts with the old apiRoot to the new one (the NFs took
// their peers' apiRoots at construction, core.ts; a resource of the old instance, such as an SM
// context, is then asked for at the new one, which answers for it or says it has none).

import type { SbiClient, SbiRoute } from './sbi.ts';
import { SbiProblem, objectBody } from './sbi.ts';
import { serve, noContent } from './sbi/routes.ts';
import { nrfClient, callbackUri } from './sbi/client.ts';
import { CALLBACKS } from './sbi/operations.ts';
import type { NetworkConfig } from './config.ts';
import { PEERS, discover, apiRootOf, type SbiPeer } from './nrf-discovery.ts';
import type { components as NfmC } from './sbi-types/TS29510_Nnrf_NFManagement.ts';

interface Current {
  peer: SbiPeer;
  service: string;
  /** The apiRoot the NF was built with (what its requests name). */
  configured: string;
  /** Where they go now. */
  root: string;
  instanceId?: string;
}

export class PeerWatch {
  private readonly current = new Map<SbiPeer, Current>();
  private readonly subscriptions: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Re-discoveries done, for tests and the log. */
  readonly rediscovered: { peer: SbiPeer; from: string; to: string; event: string }[] = [];

  private readonly o: { nf: string; cfg: NetworkConfig; sbi: SbiClient; nrfUri: string; baseUri: string; peers: ReadonlyMap<SbiPeer, string>; log?: (line: string) => void };

  constructor(o: PeerWatch['o']) {
    this.o = o;
  }

  /** The NF's SBI client, redirecting requests for a peer instance that left. */
  wrap(sbi: SbiClient): SbiClient {
    return { call: (method, uri, body, opts) => sbi.call(method, this.redirect(uri), body, opts) };
  }

  redirect(uri: string): string {
    for (const c of this.current.values()) if (c.root !== c.configured && uri.startsWith(c.configured)) return c.root + uri.slice(c.configured.length);
    return uri;
  }

  /** The NFStatusNotify callback route the NF serves. */
  route(): SbiRoute {
    return serve(CALLBACKS.nfStatusNotify, (req) => {
      const body = objectBody(req) as Partial<NfmC['schemas']['NotificationData']>;
      if (typeof body.event !== 'string' || typeof body.nfInstanceUri !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'event and nfInstanceUri are required');
      const n = { event: body.event, nfInstanceUri: body.nfInstanceUri, ...(body.nfProfile ? { status: (body.nfProfile as { nfStatus?: string }).nfStatus } : {}) };
      // the 204 first (TS 29.510 5.2.2.5.4), the re-discovery after it
      return noContent(() => this.track(this.onNotify(n)));
    });
  }

  /**
   * Records the peers as discovered (`roots`: what discoverPeers gave) and subscribes to the status
   * of their NF types (one subscription per type, TS 29.510 SubscrCond NfTypeCond).
   */
  async start(): Promise<void> {
    const roots = this.o.peers;
    for (const { peer, service } of PEERS[this.o.nf] ?? []) {
      const root = roots.get(peer);
      if (!root) continue;
      const instanceId = await this.instanceOf(peer, service, root);
      this.current.set(peer, { peer, service, configured: root, root, ...(instanceId ? { instanceId } : {}) });
      // SubscriptionData's subscriptionId is readOnly and required (OpenAPI 3.0.3: required of the
      // NRF's answer only), which the generated type and the tests' schema check cannot express:
      // sent by the plain client, as test/nrf/nrf.test.ts does
      const body = { nfStatusNotificationUri: callbackUri(this.o.baseUri, CALLBACKS.nfStatusNotify), subscrCond: { nfType: peer.toUpperCase() }, reqNotifEvents: ['NF_DEREGISTERED', 'NF_PROFILE_CHANGED'] };
      const r = await this.o.sbi.call('POST', `${this.o.nrfUri}/nnrf-nfm/v1/subscriptions`, body, { operation: 'Nnrf_NFManagement_NFStatusSubscribe', step: 'TS 29.510 5.2.2.5.2 (NF status of the peers found, TS 23.502 4.17.7)' });
      if (r.status !== 201) throw new Error(`NFStatusSubscribe at the NRF answered ${r.status}`);
      if (r.headers.location) this.subscriptions.push(r.headers.location);
    }
  }

  /** NFStatusUnsubscribe of every subscription (the NF stops). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    const nrf = nrfClient(this.o.sbi, this.o.nrfUri);
    for (const s of this.subscriptions.splice(0)) await nrf.nfManagement.unsubscribe(s, { step: 'TS 29.510 5.2.2.5.6', timeoutMs: 2000 }).catch(() => undefined);
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<void>): Promise<void> {
    const t: Promise<void> = p.catch((e: unknown) => this.o.log?.(`[${this.o.nf.toUpperCase()}] re-discovery failed: ${e instanceof Error ? e.message : String(e)}`)).finally(() => this.pending.delete(t));
    this.pending.add(t);
    return t;
  }

  private async instanceOf(peer: SbiPeer, service: string, root: string): Promise<string | undefined> {
    const found = await discover(this.o.sbi, this.o.nrfUri, { target: peer.toUpperCase(), requester: this.o.nf.toUpperCase(), service, plmn: this.o.cfg.plmn });
    return found.find((p) => apiRootOf(p, service, this.o.cfg.ports.sbi) === root)?.nfInstanceId;
  }

  private async onNotify(n: { event: string; nfInstanceUri: string; status?: string }): Promise<void> {
    const id = n.nfInstanceUri.split('/').pop() ?? '';
    const gone = n.event === 'NF_DEREGISTERED' || (n.event === 'NF_PROFILE_CHANGED' && n.status !== undefined && n.status !== 'REGISTERED');
    if (!gone) return;
    for (const c of this.current.values()) {
      if (c.instanceId !== id) continue;
      const q = { target: c.peer.toUpperCase(), requester: this.o.nf.toUpperCase(), service: c.service, plmn: this.o.cfg.plmn, ...(c.peer === 'smf' ? { snssai: this.o.cfg.snssai, dnn: this.o.cfg.dnn } : {}), step: 'TS 23.502 4.17.4 (re-discovery after NFStatusNotify)' };
      const found = (await discover(this.o.sbi, this.o.nrfUri, q)).filter((p) => p.nfInstanceId !== id);
      const next = found.map((p) => ({ id: p.nfInstanceId, root: apiRootOf(p, c.service, this.o.cfg.ports.sbi) })).find((x) => x.root !== undefined);
      if (!next?.root) {
        this.o.log?.(`[${this.o.nf.toUpperCase()}] the ${c.peer.toUpperCase()} ${id} left (${n.event}) and the NRF knows no other: requests still go to ${c.root}`);
        continue;
      }
      this.rediscovered.push({ peer: c.peer, from: c.root, to: next.root, event: n.event });
      this.o.log?.(`[${this.o.nf.toUpperCase()}] the ${c.peer.toUpperCase()} ${id} left (${n.event}): using ${next.root} (TS 23.502 4.17.4)`);
      c.root = next.root;
      c.instanceId = next.id;
    }
  }
}
