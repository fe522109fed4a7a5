// The NF side of Nnrf_NFManagement (TS 29.510 5.2.2, TS 23.502 4.17.1): an NF registers its
// NFProfile with the NRF when it starts (NFRegister, 4.17.1), sends a heart-beat every
// heartBeatTimer the NRF answered (NFUpdate, TS 29.510 5.2.2.3.2), and deregisters when it stops
// (NFDeregister, 4.17.2). An NRF not up yet (another process, started later) is tried again every
// heart-beat period; the NF serves meanwhile.

import type { SbiClient, SbiRoute } from './sbi.ts';
import type { NetworkConfig, AmfInstance } from './config.ts';
import type { Clock, TimerHandle } from '../../transport/clock.ts';
import { nrfClient, callbackUri } from './sbi/client.ts';
import { CALLBACKS } from './sbi/operations.ts';
import type { NFProfile, NFService, NFType } from './nf-profile-type.ts';

/** The service names (TS 29.510 6.1.6.3.11 ServiceName) an NF's routes serve: their `/{apiName}/{apiVersion}/`, less our callback APIs. */
export function servedServices(routes: readonly SbiRoute[]): { name: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const r of routes) {
    const m = /^\/([a-z0-9-]+)\/(v[0-9]+)\//.exec(r.path);
    if (m && !m[1].endsWith('-callback') && !seen.has(m[1])) seen.set(m[1], m[2]);
  }
  return [...seen].map(([name, version]) => ({ name, version }));
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/**
 * The NFProfile of an NF of `cfg` serving `routes` at `address` (TS 29.510 6.1.6.2.2), with the
 * type-specific info its discovery filters read; an AMF's from its instance (GUAMI, Set, TAs, slices).
 */
export function nfProfileOf(nfType: NFType, instanceId: string, address: string, cfg: NetworkConfig, routes: readonly SbiRoute[], amf?: AmfInstance): NFProfile {
  const plmn = { mcc: cfg.plmn.mcc, mnc: cfg.plmn.mnc };
  const wire = (s: { sst: number; sd?: string }) => ({ sst: s.sst, ...(s.sd ? { sd: s.sd } : {}) });
  const snssai = wire(cfg.snssai);
  const nfServices: NFService[] = servedServices(routes).map((s, i) => ({
    serviceInstanceId: `${s.name}-${i}`,
    serviceName: s.name,
    // TS 29.501 4.3.1.5: the apiVersion in the URI and the API's full version (wire5g serves 1.0.0 of each)
    versions: [{ apiVersionInUri: s.version, apiFullVersion: `${s.version.slice(1)}.0.0` }],
    scheme: 'http',
    nfServiceStatus: 'REGISTERED',
    ipEndPoints: [{ ipv4Address: address, transport: 'TCP', port: cfg.ports.sbi }],
  }));
  // an NF serving only callbacks (the AF) has no services to list: nfServices has minItems 1
  const p: NFProfile = { nfInstanceId: instanceId, nfType, nfStatus: 'REGISTERED', plmnList: [plmn], sNssais: nfType === 'AMF' && amf ? amf.snssais.map(wire) : [snssai], ipv4Addresses: [address], ...(nfServices.length ? { nfServices } : {}) };
  if (nfType === 'AMF') {
    const g = amf?.guami ?? { regionId: cfg.amf.regionId, setId: cfg.amf.setId, pointer: cfg.amf.pointer };
    p.amfInfo = {
      amfRegionId: hex(g.regionId, 2),
      amfSetId: hex(g.setId, 3),
      guamiList: [{ plmnId: plmn, amfId: hex((g.regionId << 16) | (g.setId << 6) | g.pointer, 6) }],
      taiList: (amf?.tacs ?? [cfg.tac]).map((tac) => ({ plmnId: plmn, tac: hex(tac, 6) })),
    };
    // TS 29.510 DefaultNotificationSubscription: where an initial AMF sends N1MessageNotify (TS 23.502 4.2.2.2.3 step 7(A))
    p.defaultNotificationSubscriptions = [{ notificationType: 'N1_MESSAGES', n1MessageClass: '5GMM', callbackUri: callbackUri(`http://${address}:${cfg.ports.sbi}`, CALLBACKS.n1MessageNotify) }];
  }
  if (nfType === 'SMF') p.smfInfo = { sNssaiSmfInfoList: [{ sNssai: snssai, dnnSmfInfoList: [{ dnn: cfg.dnn }] }] };
  return p;
}

export interface NrfRegistrationOptions {
  /** The NRF's apiRoot. */
  nrfUri: string;
  profile: NFProfile;
  sbi: SbiClient;
  clock: Clock;
  log?: (line: string) => void;
  /** The NF's name in log lines ('AMF'). */
  name: string;
}

export class NrfRegistration {
  private timer: TimerHandle | undefined;
  private registered = false;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly nrf: ReturnType<typeof nrfClient>;
  private readonly o: NrfRegistrationOptions;
  /** The heart-beat period: the one proposed, then the one the NRF answered. */
  private period: number;

  constructor(o: NrfRegistrationOptions) {
    this.o = o;
    this.period = o.profile.heartBeatTimer ?? 60;
    this.nrf = nrfClient(o.sbi, o.nrfUri);
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** TS 23.502 4.17.1 NF service registration: the first attempt, awaited; a failed one is retried later. */
  async start(): Promise<void> {
    await this.run(() => this.register());
  }

  private run(task: () => Promise<void>): Promise<void> {
    this.inFlight = this.inFlight.then(task, task);
    return this.inFlight;
  }

  private schedule(seconds: number, task: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.run(task);
    }, seconds * 1000);
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    try {
      const r = await this.nrf.nfManagement.register(this.o.profile.nfInstanceId, this.o.profile, { step: '4.17.1 step 1' });
      this.registered = true;
      const answered = (r.body as NFProfile | undefined)?.heartBeatTimer;
      if (typeof answered === 'number' && answered > 0) this.period = answered;
      this.schedule(this.period, () => this.heartBeat());
    } catch (e) {
      // an NRF of another process may not be up yet: tried again soon, not a heart-beat later
      const retry = Math.min(this.period, 2);
      this.o.log?.(`[${this.o.name}] NFRegister at the NRF ${this.o.nrfUri} failed (${e instanceof Error ? e.message : String(e)}); trying again in ${retry} s`);
      this.schedule(retry, () => this.register());
    }
  }

  /** TS 29.510 5.2.2.3.2: PATCH replacing nfStatus by REGISTERED; a 404 means the NRF forgot us: register again. */
  private async heartBeat(): Promise<void> {
    if (this.stopped) return;
    const period = this.period;
    try {
      await this.nrf.nfManagement.update(this.o.profile.nfInstanceId, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }], { step: 'TS 29.510 5.2.2.3.2' });
      this.schedule(period, () => this.heartBeat());
    } catch (e) {
      const notFound = typeof e === 'object' && e !== null && (e as { problem?: { status?: number } }).problem?.status === 404;
      this.o.log?.(`[${this.o.name}] heart-beat to the NRF failed (${e instanceof Error ? e.message : String(e)})${notFound ? '; registering again' : ''}`);
      this.registered = !notFound && this.registered;
      this.schedule(notFound ? 0 : period, notFound ? () => this.register() : () => this.heartBeat());
    }
  }

  /** TS 23.502 4.17.2 NF service deregistration, when the NF stops (an NRF gone already is logged, not fatal). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    await this.inFlight;
    if (!this.registered) return;
    this.registered = false;
    await this.nrf.nfManagement.deregister(this.o.profile.nfInstanceId, { step: '4.17.2 step 1', timeoutMs: 2000 }).catch((e: unknown) => {
      this.o.log?.(`[${this.o.name}] NFDeregister at the NRF failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}

/** Registers a started NF (TS 23.502 4.17.1) and returns it with a stop that deregisters it first (4.17.2). */
export async function withNrfRegistration<H extends { stop(): Promise<void> }>(h: H, o: NrfRegistrationOptions): Promise<H> {
  const registration = new NrfRegistration(o);
  await registration.start();
  return { ...h, stop: async () => { await registration.stop(); await h.stop(); } };
}
