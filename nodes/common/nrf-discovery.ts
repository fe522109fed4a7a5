// The NF side of Nnrf_NFDiscovery (TS 29.510 5.3.2.2, TS 23.502 4.17.4): with `nrf.discovery` on,
// an NF finds each peer it calls by asking the NRF for an instance of the peer's NF type offering
// the service it uses (and, for an SMF, the slice and DNN), and calls the address the chosen
// profile gives instead of the configured one. wire5g's NFs discover their peers when they start
// (the peers registered before them, see core.ts START_ORDER; a peer of another process not
// registered yet is asked for again), and keep the answer for the run (its validityPeriod is an
// hour by default: docs/decisions.md).

import type { SbiClient } from './sbi.ts';
import type { NetworkConfig } from './config.ts';
import { nrfClient } from './sbi/client.ts';
import type { NFProfile, NFType } from './nf-profile-type.ts';

/** An NF of wire5g that others call over the SBI. */
export type SbiPeer = 'udr' | 'udm' | 'ausf' | 'pcf' | 'smf' | 'bsf' | 'chf' | 'nwdaf';

/** The peers each NF calls and the service it uses of each (TS 29.510 ServiceName). */
export const PEERS: Partial<Record<string, readonly { peer: SbiPeer; service: string }[]>> = {
  udm: [{ peer: 'udr', service: 'nudr-dr' }],
  ausf: [{ peer: 'udm', service: 'nudm-ueau' }],
  pcf: [{ peer: 'udr', service: 'nudr-dr' }, { peer: 'bsf', service: 'nbsf-management' }, { peer: 'chf', service: 'nchf-spendinglimitcontrol' }, { peer: 'nwdaf', service: 'nnwdaf-eventssubscription' }],
  smf: [{ peer: 'udm', service: 'nudm-sdm' }, { peer: 'pcf', service: 'npcf-smpolicycontrol' }],
  amf: [{ peer: 'ausf', service: 'nausf-auth' }, { peer: 'udm', service: 'nudm-uecm' }, { peer: 'pcf', service: 'npcf-am-policy-control' }, { peer: 'smf', service: 'nsmf-pdusession' }],
  af: [{ peer: 'bsf', service: 'nbsf-management' }],
};

export interface DiscoveryQuery {
  target: NFType;
  requester: NFType;
  service: string;
  plmn?: { mcc: string; mnc: string };
  snssai?: { sst: number; sd?: string };
  dnn?: string;
  /** Nnrf_NFDiscovery for an AMF Set (TS 23.502 4.2.2.2.3 step 6a). */
  amfRegionId?: string;
  amfSetId?: string;
  /** The AMF serving a GUAMI (TS 29.510 6.2.3.2.3.1 `guami`): the old AMF of a 5G-GUTI (TS 23.502 4.2.2.2.2 step 4). */
  guami?: { plmnId: { mcc: string; mnc: string }; amfId: string };
  step?: string;
}

/** TS 29.510 5.3.2.2.2: the profiles the NRF finds, in its order (priority lowest first when given). */
export async function discover(sbi: SbiClient, nrfUri: string, q: DiscoveryQuery): Promise<NFProfile[]> {
  const r = await nrfClient(sbi, nrfUri).nfDiscovery.search({
    query: {
      'target-nf-type': q.target,
      'requester-nf-type': q.requester,
      'service-names': [q.service],
      ...(q.plmn ? { 'target-plmn-list': JSON.stringify([q.plmn]) } : {}),
      ...(q.snssai ? { snssais: JSON.stringify([q.snssai]) } : {}),
      ...(q.dnn ? { dnn: q.dnn } : {}),
      ...(q.amfRegionId ? { 'amf-region-id': q.amfRegionId } : {}),
      ...(q.amfSetId ? { 'amf-set-id': q.amfSetId } : {}),
      ...(q.guami ? { guami: JSON.stringify(q.guami) } : {}),
    },
    step: q.step ?? '4.17.4 step 1',
  });
  const found = (r.body?.nfInstances ?? []) as unknown as NFProfile[];
  return [...found].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
}

/** The apiRoot of a profile's `service` (TS 29.510 6.1.6.2.3 NFService: scheme, ipEndPoints, apiPrefix), else of the profile's address. */
export function apiRootOf(p: NFProfile, service: string, defaultPort: number): string | undefined {
  const s = [...(p.nfServices ?? []), ...Object.values(p.nfServiceList ?? {})].find((x) => x.serviceName === service);
  const scheme = s?.scheme ?? 'http';
  const ep = s?.ipEndPoints?.find((e) => e.ipv4Address);
  const host = ep?.ipv4Address ?? s?.fqdn ?? p.ipv4Addresses?.[0] ?? p.fqdn;
  if (!host) return undefined;
  const port = ep?.port ?? (defaultPort === (scheme === 'https' ? 443 : 80) ? undefined : defaultPort);
  return `${scheme}://${host}${port ? `:${port}` : ''}${s?.apiPrefix ?? ''}`;
}

/**
 * The apiRoot of each peer `nf` calls, found at the NRF (TS 23.502 4.17.4). A peer not found (not
 * registered yet) is asked for again, `attempts` times `waitMs` apart; then it fails, naming it.
 */
export async function discoverPeers(nf: string, cfg: NetworkConfig, sbi: SbiClient, nrfUri: string, o: { attempts?: number; waitMs?: number; log?: (line: string) => void } = {}): Promise<Map<SbiPeer, string>> {
  const out = new Map<SbiPeer, string>();
  const requester = nf.toUpperCase();
  for (const { peer, service } of PEERS[nf] ?? []) {
    const q: DiscoveryQuery = { target: peer.toUpperCase(), requester, service, plmn: cfg.plmn, ...(peer === 'smf' ? { snssai: cfg.snssai, dnn: cfg.dnn } : {}) };
    for (let attempt = 1; ; attempt++) {
      const root = await discover(sbi, nrfUri, q).then(
        (ps) => ps.map((p) => apiRootOf(p, service, cfg.ports.sbi)).find((x) => x !== undefined),
        (e: unknown) => {
          o.log?.(`[${requester}] NFDiscovery of a ${q.target} at the NRF ${nrfUri} failed: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        },
      );
      if (root) {
        out.set(peer, root);
        break;
      }
      if (attempt >= (o.attempts ?? 30)) throw new Error(`${requester}: the NRF ${nrfUri} knows no ${q.target} offering ${service}${q.dnn ? ` for DNN ${q.dnn}` : ''} (nrf.discovery is on; is the ${q.target} started?)`);
      o.log?.(`[${requester}] no ${q.target} offering ${service} registered at the NRF yet; asking again (${attempt}/${o.attempts ?? 30})`);
      await new Promise((r) => setTimeout(r, o.waitMs ?? 1000));
    }
  }
  return out;
}
