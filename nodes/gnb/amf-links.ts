// The gNB's N2 towards several AMFs (TS 23.501 5.21, 6.3.5; TS 38.413 8.7.1): one SCTP association
// and NG Setup per AMF, what each AMF said in its NG SETUP RESPONSE (its served GUAMIs, slices,
// relative capacity), and the AMF a new RRC connection's INITIAL UE MESSAGE goes to:
//   - the AMF that serves the GUAMI the UE gave (TS 38.331 RRCSetupComplete registeredAMF), else
//   - the AMF whose AMF Set ID and AMF Pointer the UE's 5G-S-TMSI carries (TS 23.003 2.11), else
//   - an AMF of the AMF Set asked for (a reroute, TS 38.413 8.6.5), else
//   - among the AMFs serving the slices the UE asked for (the Requested NSSAI of the AN parameters,
//     TS 23.501 6.3.5), the one of the highest relative capacity (the first configured on a tie).

import { ngapPdu, bits, tac, snssai as ngapSnssai, type BitStringValue } from '../../codecs/ngap/index.ts';
import { SctpUdpEndpoint, SCTP_UDP_PORT } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import type { TimerHandle } from '../../transport/clock.ts';
import { amfInstances, type NetworkConfig, type Plmn, type Snssai } from '../common/config.ts';
import type { GnbUeContext } from './context.ts';
import type { Gnb } from './gnb.ts';
import { snpnBroadcastPlmnItem } from './snpn.ts';
import { gnbCellTacs } from './cells.ts';

/** One AMF the gNB connects to: its address, SCTP-over-UDP port and name in the ladder ('AMF', 'AMF2'). */
export interface AmfPeer {
  address: string;
  udpPort?: number;
  nf?: string;
  /** The TAs it serves (config `amfs` tacs): the gNB selects it only for UEs in a cell of one of them. Absent: any. */
  tacs?: number[];
}

/** A GUAMI (TS 23.003 2.10.1). */
export interface Guami {
  plmn: Plmn;
  regionId: number;
  setId: number;
  pointer: number;
}

/** What the UE's RRC gave to select an AMF (TS 38.331 5.3.3.3-5.3.3.4; TS 23.501 6.3.5). */
export interface AmfSelection {
  /** The GUAMI of the AMF the UE is registered with (registeredAMF). */
  guami?: Guami;
  /** The UE's 5G-S-TMSI (ng-5G-S-TMSI). */
  fiveGSTmsi?: { amfSetId: number; amfPointer: number; tmsi: number };
  /** The Requested NSSAI (s-NSSAI-List). */
  requestedNssai?: Snssai[];
  /** An AMF Set to select from (NGAP Reroute NAS Request, TS 38.413 8.6.5). */
  amfSetId?: number;
  /** The TAC of the cell the UE accesses (cells.ts): only the AMFs serving that TA are selected. */
  tac?: number;
}

/** The gNB's association with one AMF. */
export class AmfLink {
  readonly peer: AmfPeer;
  association!: SctpAssociation;
  ngSetup: NgSetupResult | undefined;
  setupWaiter: { resolve(r: NgSetupResult): void; reject(e: Error): void } | undefined;
  /** The UE contexts on this AMF, by its AMF UE NGAP ID (each AMF allocates its own). */
  readonly byAmfId = new Map<number, GnbUeContext>();

  constructor(peer: AmfPeer) {
    this.peer = peer;
  }

  get nf(): string {
    return this.peer.nf ?? 'AMF';
  }

  /** The GUAMIs of the NG SETUP RESPONSE's Served GUAMI List (TS 38.413 9.3.3.3). */
  get guamis(): Guami[] {
    return (this.ngSetup?.servedGuamis ?? []).map((g) => {
      const x = (g as { gUAMI: { pLMNIdentity: Uint8Array; aMFRegionID: BitStringValue; aMFSetID: BitStringValue; aMFPointer: BitStringValue } }).gUAMI;
      return { plmn: plmnOf(x.pLMNIdentity), regionId: bitsNumber(x.aMFRegionID), setId: bitsNumber(x.aMFSetID), pointer: bitsNumber(x.aMFPointer) };
    });
  }

  /** The S-NSSAIs of the PLMN Support List (TS 38.413 9.3.3.5), as the config writes them. */
  get slices(): Snssai[] {
    const out: Snssai[] = [];
    for (const p of (this.ngSetup?.plmnSupport ?? []) as { sliceSupportList: { 's-NSSAI': { sST: Uint8Array; sD?: Uint8Array } }[] }[]) {
      for (const s of p.sliceSupportList) out.push({ sst: s['s-NSSAI'].sST[0], ...(s['s-NSSAI'].sD ? { sd: Buffer.from(s['s-NSSAI'].sD).toString('hex') } : {}) });
    }
    return out;
  }

  get up(): boolean {
    return this.ngSetup !== undefined && this.association !== undefined && this.association.state !== 'CLOSED';
  }
}

export function bitsNumber(b: BitStringValue): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) n = n * 2 + ((b.value[i >> 3] >> (7 - (i & 7))) & 1);
  return n;
}

/** TS 38.413 9.3.3.5 PLMN Identity (TS 24.501 figure 9.11.3.4.1 digit order) to MCC/MNC. */
function plmnOf(p: Uint8Array): Plmn {
  const d = (o: number, hi: boolean) => (hi ? p[o] >> 4 : p[o] & 0x0f);
  const mcc = `${d(0, false)}${d(0, true)}${d(1, false)}`;
  const mnc3 = d(1, true);
  const mnc = `${d(2, false)}${d(2, true)}${mnc3 === 0xf ? '' : mnc3}`;
  return { mcc, mnc };
}

/** Opens the SCTP association to one AMF and runs NG Setup (TS 38.413 8.7.1) on it. */
export async function connectAmf(gnb: Gnb, peer: AmfPeer): Promise<AmfLink> {
  const link = new AmfLink(peer);
  const cfg = gnb.cfg;
  link.association = await SctpUdpEndpoint.connect({
    localAddress: cfg.address,
    remoteAddress: peer.address,
    remoteUdpPort: peer.udpPort ?? SCTP_UDP_PORT,
    ...(cfg.tap ? { tap: cfg.tap } : {}),
    clock: gnb.clock,
    ...(cfg.sctpTimers ? { timers: cfg.sctpTimers } : {}),
    streams: cfg.streams ?? 16,
    log: gnb.log,
  });
  gnb.links.push(link);
  link.association.on('message', (streamId, ppid, payload) => gnb.onSctpMessage(link, streamId, ppid, payload));
  link.association.on('lost', (reason) => gnb.log(`[gNB ${cfg.name}] N2 association with ${link.nf} lost: ${reason}`));
  link.association.on('close', () => gnb.onAssociationClosed(link));
  link.ngSetup = await ngSetupProcedure(gnb, link);
  return link;
}

/** TS 38.413 8.7.1: NG SETUP REQUEST with the gNB's TA and slices; resolves with the AMF's answer. */
function ngSetupProcedure(gnb: Gnb, link: AmfLink): Promise<NgSetupResult> {
  const cfg = gnb.cfg;
  const slices = Array.isArray(cfg.snssai) ? cfg.snssai : [cfg.snssai];
  const req = ngapPdu('NGSetupRequest', {
    GlobalRANNodeID: { 'globalGNB-ID': { pLMNIdentity: gnb.plmnId, 'gNB-ID': { 'gNB-ID': bits(cfg.gnbId, 22) } } },
    RANNodeName: cfg.name,
    // one item per TA of the gNB's cells (cells.ts); the SNPN is broadcast in the first cell
    SupportedTAList: gnbCellTacs(cfg).map((t, i) => ({ tAC: tac(t), broadcastPLMNList: [{ pLMNIdentity: gnb.plmnId, tAISliceSupportList: slices.map((s) => ({ 's-NSSAI': ngapSnssai(s) })) }, ...(cfg.snpn && i === 0 ? [snpnBroadcastPlmnItem(gnb.plmnId, cfg.snpn)] : [])] })),
    DefaultPagingDRX: 'v128',
  });
  return new Promise<NgSetupResult>((resolve, reject) => {
    let timer: TimerHandle | undefined = undefined;
    const done = <T>(f: (v: T) => void) => (v: T) => {
      gnb.clock.clearTimeout(timer);
      link.setupWaiter = undefined;
      f(v);
    };
    link.setupWaiter = { resolve: done(resolve), reject: done(reject) };
    const ms = cfg.ngSetupTimeoutMs ?? 10_000;
    timer = gnb.clock.setTimeout(() => link.setupWaiter?.reject(new Error(`NG Setup: no answer from the AMF at ${link.peer.address} within ${ms} ms (TS 38.413 8.7.1)`)), ms);
    gnb.sendNgap(req, 0, 'NGSetupRequest', 'TS 38.413 8.7.1', undefined, link);
  });
}

const sameSlice = (a: Snssai, b: Snssai) => a.sst === b.sst && (a.sd ?? '').toLowerCase() === (b.sd ?? '').toLowerCase();

/** The AMF for a new RRC connection (TS 23.501 6.3.5; see the head of this file); undefined when no AMF is set up. */
export function selectAmf(links: readonly AmfLink[], s: AmfSelection): AmfLink | undefined {
  // the AMFs serving the TA of the UE's cell (TS 23.501 6.3.5)
  const up = links.filter((l) => l.up && (s.tac === undefined || !l.peer.tacs || l.peer.tacs.includes(s.tac)));
  const g = s.guami;
  if (g) {
    const hit = up.find((l) => l.guamis.some((x) => x.plmn.mcc === g.plmn.mcc && x.plmn.mnc === g.plmn.mnc && x.regionId === g.regionId && x.setId === g.setId && x.pointer === g.pointer));
    if (hit) return hit;
  }
  const t = s.fiveGSTmsi;
  if (t) {
    const hit = up.find((l) => l.guamis.some((x) => x.setId === t.amfSetId && x.pointer === t.amfPointer));
    if (hit) return hit;
  }
  // an AMF Set asked for (reroute), or the Set of the AMF the UE named when that AMF is gone (TS 23.501 5.21.2)
  const setId = s.amfSetId ?? g?.setId ?? t?.amfSetId;
  const inSet = setId === undefined ? [] : up.filter((l) => l.guamis.some((x) => x.setId === setId));
  const candidates = s.amfSetId !== undefined ? inSet : inSet.length ? inSet : up;
  const requested = s.requestedNssai ?? [];
  const serving = candidates.filter((l) => requested.every((r) => l.slices.some((x) => sameSlice(r, x))));
  const pool = serving.length ? serving : candidates;
  let best: AmfLink | undefined;
  for (const l of pool) if (!best || (l.ngSetup?.relativeAmfCapacity ?? 0) > (best.ngSetup?.relativeAmfCapacity ?? 0)) best = l;
  return best;
}

/**
 * The gNB of a network: a cell in `tac` and one in each other TA its AMFs serve (config `amfs`
 * tacs; cells.ts), connected to every AMF, on the NGAP port of the network; each AMF with its TAs.
 * Its slices (TS 38.413 9.3.1.17 TAI Slice Support List): `snssai` and every one its AMFs serve.
 */
export function gnbAmfPeers(cfg: NetworkConfig): { amfs: AmfPeer[]; cellTacs: number[]; snssai: Snssai | Snssai[] } {
  const amfs = amfInstances(cfg);
  const slices: Snssai[] = [cfg.snssai];
  for (const s of amfs.flatMap((a) => a.snssais)) if (!slices.some((x) => x.sst === s.sst && (x.sd ?? '').toLowerCase() === (s.sd ?? '').toLowerCase())) slices.push(s);
  return { amfs: amfs.map((a) => ({ address: a.address, udpPort: cfg.ports.ngapUdp, nf: a.nf, tacs: a.tacs })), cellTacs: [...new Set([cfg.tac, ...amfs.flatMap((a) => a.tacs)])], snssai: slices.length === 1 ? cfg.snssai : slices };
}

/** What the AMF answered in NG SETUP RESPONSE (TS 38.413 8.7.1.2). */
export interface NgSetupResult {
  amfName: string;
  servedGuamis: unknown[];
  relativeAmfCapacity: number;
  plmnSupport: unknown[];
}

export class NgSetupFailed extends Error {
  readonly ngapCause: unknown;
  constructor(cause: unknown, timeToWait?: string) {
    super(`NG Setup failed: cause ${causeText(cause)}${timeToWait ? ` (time to wait ${timeToWait})` : ''} (TS 38.413 8.7.1.3)`);
    this.name = 'NgSetupFailed';
    this.ngapCause = cause;
  }
}

/** An NGAP Cause as `group:value` for a log line. */
export function causeText(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const [k, v] = Object.entries(cause)[0] ?? [];
    if (k !== undefined) return `${k}:${String(v)}`;
  }
  return String(cause);
}
