// The rules an SMF installs over N4, read from Create/Update IEs (TS 29.244 7.5.2.2-7.5.2.6,
// 7.5.4.2-7.5.4.7, 7.5.4.11). Every IE the request carries is either applied or refused: what
// this UPF does not implement is answered with cause 76 "Service not supported" and the Offending
// IE; a rule that references what does not exist with cause 73 "Rule creation/modification
// failure" and the Failed Rule ID (8.2.80); a value out of its range with cause 69 (TS 29.244 7.6).

import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpCause, ApplyAction, Interface, MeasurementMethod, OuterHeaderCreationDescription, ReportingTrigger, MeasurementInformation, Gate, RuleIdType } from '../../codecs/pfcp/index.ts';
import { parseFlowDescription, SdfParseError, type CompiledSdf } from './sdf.ts';

export class RuleError extends Error {
  readonly pfcpCause: number;
  readonly offendingIe: number | undefined;
  readonly failedRule: P.FailedRuleId | undefined;
  constructor(cause: number, message: string, opts: { offendingIe?: number; failedRule?: P.FailedRuleId } = {}) {
    super(message);
    this.name = 'RuleError';
    this.pfcpCause = cause;
    this.offendingIe = opts.offendingIe;
    this.failedRule = opts.failedRule;
  }
}

export const unsupported = (ie: number, what: string): RuleError => new RuleError(PfcpCause.ServiceNotSupported, `${P.ieName(ie)}: ${what}`, { offendingIe: ie });
export const incorrect = (ie: number, what: string): RuleError => new RuleError(PfcpCause.MandatoryIeIncorrect, `${P.ieName(ie)}: ${what}`, { offendingIe: ie });
export const ruleFailure = (ruleType: number, id: number, what: string): RuleError => new RuleError(PfcpCause.RuleCreationModificationFailure, what, { failedRule: { ruleType, id } });

/** Informational IEs: they describe the session (TS 29.244 7.5.2.1) and ask the UPF to do nothing. */
const THREEGPP_INTERFACE_TYPE = 160;

/** Refuses any child IE outside `allowed` (unknown, vendor-specific or not implemented). */
export function onlySupported(ies: P.PfcpIe[], allowed: ReadonlySet<number>): void {
  for (const x of ies) if (!allowed.has(x.type)) throw unsupported(x.type, 'not supported by this UPF');
}

export interface FTeidSpec {
  /** CH: the UPF chooses the TEID (TS 29.244 5.5.3). */
  choose: boolean;
  chooseId?: number;
  /** CH = 0: the TEID the SMF assigned. */
  teid?: number;
}

export interface PdrSpec {
  id: number;
  precedence: number;
  sourceInterface: number;
  fteid?: FTeidSpec;
  /** The UE's IPv4 address as a 32-bit number. */
  ueAddress?: number;
  qfis: number[];
  sdf: CompiledSdf[];
  applicationId?: string;
  outerHeaderRemoval: boolean;
  farId: number;
  urrIds: number[];
  qerIds: number[];
}

export interface TunnelSpec {
  teid: number;
  address: string;
  port: number;
}

export interface FarSpec {
  id: number;
  /** Apply Action flags DROP/FORW/BUFF/NOCP (8.2.26). */
  action: number;
  destination?: number;
  tunnel?: TunnelSpec;
  barId?: number;
  /** SNDEM (8.2.31) in this update: send an End Marker on the old tunnel. */
  sendEndMarker?: boolean;
}

export interface QerSpec {
  id: number;
  ulOpen: boolean;
  dlOpen: boolean;
  /** Bit rates in kbps (8.2.8, 8.2.9). */
  mbrUl?: number;
  mbrDl?: number;
  gbrUl?: number;
  gbrDl?: number;
  qfi?: number;
}

export interface VolumeSpec {
  total?: number;
  uplink?: number;
  downlink?: number;
}

export interface UrrSpec {
  id: number;
  method: number;
  triggers: number;
  measurementPeriod?: number;
  volumeThreshold?: VolumeSpec;
  volumeQuota?: VolumeSpec;
  timeThreshold?: number;
  timeQuota?: number;
}

export interface BarSpec {
  id: number;
  /** Downlink Data Notification Delay in 50 ms units (8.2.28). */
  notificationDelay?: number;
  suggestedPacketCount?: number;
}

export interface RuleSet {
  pdrs: PdrSpec[];
  fars: FarSpec[];
  qers: QerSpec[];
  urrs: UrrSpec[];
  bar?: BarSpec;
}

/** Applications the UPF detects by Application ID (PDI, 8.2.6): their flow descriptions. */
export type ApplicationTable = ReadonlyMap<string, readonly string[]>;

const PDR_IES = new Set<number>([T.PDRID, T.Precedence, T.PDI, T.OuterHeaderRemoval, T.FARID, T.URRID, T.QERID]);
const PDI_IES = new Set<number>([T.SourceInterface, T.FTEID, T.NetworkInstance, T.UEIPAddress, T.SDFFilter, T.ApplicationID, T.QFI, THREEGPP_INTERFACE_TYPE]);
const FAR_IES = new Set<number>([T.FARID, T.ApplyAction, T.ForwardingParameters, T.UpdateForwardingParameters, T.BARID]);
const FORWARDING_IES = new Set<number>([T.DestinationInterface, T.NetworkInstance, T.OuterHeaderCreation, T.PFCPSMReqFlags, THREEGPP_INTERFACE_TYPE]);
const QER_IES = new Set<number>([T.QERID, T.QERCorrelationID, T.GateStatus, T.MBR, T.GBR, T.QFI]);
const URR_IES = new Set<number>([T.URRID, T.MeasurementMethod, T.ReportingTriggers, T.MeasurementPeriod, T.VolumeThreshold, T.VolumeQuota, T.TimeThreshold, T.TimeQuota, T.MeasurementInformation]);
const BAR_IES = new Set<number>([T.BARID, T.DownlinkDataNotificationDelay, T.SuggestedBufferingPacketsCount]);

const SUPPORTED_ACTIONS = ApplyAction.DROP | ApplyAction.FORW | ApplyAction.BUFF | ApplyAction.NOCP;
/** Reporting triggers this UPF acts on (8.2.19); any other set bit is refused. */
const SUPPORTED_TRIGGERS = ReportingTrigger.PERIO | ReportingTrigger.VOLTH | ReportingTrigger.TIMTH | ReportingTrigger.VOLQU | ReportingTrigger.TIMQU;

function u32Of(ies: P.PfcpIe[], type: keyof P.IeValues): number | undefined {
  return P.get(ies, type) as number | undefined;
}

function ipv4Number(s: string): number {
  const o = s.split('.').map(Number);
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

function compileSdf(f: P.SdfFilter, ruleId: number): CompiledSdf {
  if (f.securityParameterIndex !== undefined) throw unsupported(T.SDFFilter, `PDR ${ruleId}: matching an IPsec SPI is not supported`);
  if (f.flowLabel !== undefined) throw unsupported(T.SDFFilter, `PDR ${ruleId}: an IPv6 flow label cannot match this UPF's IPv4 traffic`);
  if (f.flowDescription === undefined) {
    if (f.tosTrafficClass === undefined) throw incorrect(T.SDFFilter, `PDR ${ruleId}: SDF filter without a flow description or ToS`);
    return parseFlowDescription('permit out ip from any to any', f.tosTrafficClass);
  }
  try {
    return parseFlowDescription(f.flowDescription, f.tosTrafficClass);
  } catch (e) {
    if (e instanceof SdfParseError) throw unsupported(T.SDFFilter, `PDR ${ruleId}: ${e.message}`);
    throw e;
  }
}

/** Create PDR (7.5.2.2) or Update PDR (7.5.4.2) on top of `base`. */
export function readPdr(ies: P.PfcpIe[], base: PdrSpec | undefined, apps: ApplicationTable): PdrSpec {
  onlySupported(ies, PDR_IES);
  const id = P.get(ies, T.PDRID)!;
  const pdr: PdrSpec = base ? { ...base, qfis: [...base.qfis], sdf: [...base.sdf], urrIds: [...base.urrIds], qerIds: [...base.qerIds] } : { id, precedence: 0, sourceInterface: 0, qfis: [], sdf: [], outerHeaderRemoval: false, farId: -1, urrIds: [], qerIds: [] };
  const precedence = P.get(ies, T.Precedence);
  if (precedence !== undefined) pdr.precedence = precedence;
  const ohr = ies.find((x) => x.type === T.OuterHeaderRemoval);
  if (ohr) {
    const d = (ohr.value as P.OuterHeaderRemoval).description;
    // 8.2.64: 0 GTP-U/UDP/IPv4, 6 GTP-U/UDP/IP; the others strip headers this UPF never receives
    if (d !== 0 && d !== 6) throw unsupported(T.OuterHeaderRemoval, `description ${d}`);
    pdr.outerHeaderRemoval = true;
  }
  const farId = P.get(ies, T.FARID);
  if (farId !== undefined) pdr.farId = farId;
  if (!base && farId === undefined) throw new RuleError(PfcpCause.ConditionalIeMissing, `Create PDR ${id} without FAR ID`, { offendingIe: T.FARID });
  const urrs = ies.filter((x) => x.type === T.URRID).map((x) => x.value as number);
  if (urrs.length || !base) pdr.urrIds = urrs;
  const qers = ies.filter((x) => x.type === T.QERID).map((x) => x.value as number);
  if (qers.length || !base) pdr.qerIds = qers;
  const pdi = P.group(ies, T.PDI);
  if (pdi) readPdi(pdr, pdi, apps);
  return pdr;
}

function readPdi(pdr: PdrSpec, pdi: P.PfcpIe[], apps: ApplicationTable): void {
  onlySupported(pdi, PDI_IES);
  const src = P.get(pdi, T.SourceInterface);
  if (src === undefined) throw new RuleError(PfcpCause.MandatoryIeMissing, `PDR ${pdr.id}: PDI without Source Interface`, { offendingIe: T.SourceInterface });
  const si = src & 0x0f;
  if (si !== Interface.Access && si !== Interface.Core && si !== Interface.SGiLanN6Lan && si !== Interface.CpFunction) throw unsupported(T.SourceInterface, `source interface ${si}`);
  pdr.sourceInterface = si;
  const f = P.get(pdi, T.FTEID);
  delete pdr.fteid;
  if (f) {
    if (f.choose) {
      if (!f.choose.v4) throw new RuleError(PfcpCause.InvalidFTeidAllocationOption, `PDR ${pdr.id}: CHOOSE asks for an IPv6 F-TEID only; this UPF's N3 is IPv4`, { offendingIe: T.FTEID });
      pdr.fteid = { choose: true, ...(f.choose.chooseId !== undefined ? { chooseId: f.choose.chooseId } : {}) };
    } else {
      if (f.teid === undefined || f.teid === 0) throw incorrect(T.FTEID, `PDR ${pdr.id}: TEID 0`);
      pdr.fteid = { choose: false, teid: f.teid };
    }
  }
  const ue = P.get(pdi, T.UEIPAddress);
  delete pdr.ueAddress;
  if (ue) {
    if (ue.flags & (P.UeIpFlags.CHV4 | P.UeIpFlags.CHV6)) throw unsupported(T.UEIPAddress, 'UE IP address allocation by the UPF');
    if (!ue.ipv4) throw unsupported(T.UEIPAddress, 'IPv6-only UE address (this UPF carries IPv4 PDU sessions)');
    pdr.ueAddress = ipv4Number(ue.ipv4);
  }
  pdr.qfis = pdi.filter((x) => x.type === T.QFI).map((x) => x.value as number);
  pdr.sdf = pdi.filter((x) => x.type === T.SDFFilter).map((x) => compileSdf(x.value as P.SdfFilter, pdr.id));
  delete pdr.applicationId;
  const app = P.get(pdi, T.ApplicationID);
  if (app) {
    const flows = apps.get(app.text);
    if (!flows) throw ruleFailure(RuleIdType.PDR, pdr.id, `PDR ${pdr.id}: application '${app.text}' is not configured in this UPF`);
    pdr.applicationId = app.text;
    if (pdr.sdf.length) throw unsupported(T.ApplicationID, `PDR ${pdr.id}: both SDF filters and an Application ID`);
    pdr.sdf = flows.map((d) => compileSdf({ flowDescription: d }, pdr.id));
  }
}

/** Create FAR (7.5.2.3) or Update FAR (7.5.4.3). */
export function readFar(ies: P.PfcpIe[], base: FarSpec | undefined): FarSpec {
  onlySupported(ies, FAR_IES);
  const id = P.get(ies, T.FARID)!;
  const far: FarSpec = base ? { ...base } : { id, action: 0 };
  delete far.sendEndMarker;
  const a = P.get(ies, T.ApplyAction);
  if (a) {
    if (a.value & ~SUPPORTED_ACTIONS) throw unsupported(T.ApplyAction, `FAR ${id}: flags 0x${(a.value & ~SUPPORTED_ACTIONS).toString(16)} (only DROP, FORW, BUFF, NOCP)`);
    const primary = a.value & (ApplyAction.DROP | ApplyAction.FORW | ApplyAction.BUFF);
    if (primary !== ApplyAction.DROP && primary !== ApplyAction.FORW && primary !== ApplyAction.BUFF) throw incorrect(T.ApplyAction, `FAR ${id}: exactly one of DROP, FORW, BUFF must be set (8.2.26)`);
    far.action = a.value;
  }
  const bar = P.get(ies, T.BARID);
  if (bar !== undefined) far.barId = bar;
  const fp = P.group(ies, base ? T.UpdateForwardingParameters : T.ForwardingParameters) ?? P.group(ies, T.ForwardingParameters);
  if (fp) {
    onlySupported(fp, FORWARDING_IES);
    const dest = P.get(fp, T.DestinationInterface);
    if (dest !== undefined) {
      const d = dest & 0x0f;
      if (d > Interface.CpFunction) throw unsupported(T.DestinationInterface, `destination interface ${d}`);
      far.destination = d;
    }
    const ohc = P.get(fp, T.OuterHeaderCreation);
    if (ohc) {
      if (ohc.description !== OuterHeaderCreationDescription.GtpuUdpIpv4 || !ohc.ipv4 || ohc.teid === undefined) throw unsupported(T.OuterHeaderCreation, `FAR ${id}: only GTP-U/UDP/IPv4 outer headers`);
      far.tunnel = { teid: ohc.teid, address: ohc.ipv4, port: 2152 };
    }
    const flags = P.get(fp, T.PFCPSMReqFlags);
    if (flags !== undefined) {
      if (flags & ~P.PfcpSmReqFlags.SNDEM) throw unsupported(T.PFCPSMReqFlags, `flags 0x${flags.toString(16)} in forwarding parameters`);
      if (flags & P.PfcpSmReqFlags.SNDEM) far.sendEndMarker = true;
    }
  }
  if (far.action & ApplyAction.FORW) {
    if (far.destination === undefined) throw new RuleError(PfcpCause.ConditionalIeMissing, `FAR ${id} forwards without Forwarding Parameters`, { offendingIe: T.ForwardingParameters });
    if ((far.destination === Interface.Access || far.destination === Interface.CpFunction) && !far.tunnel) throw new RuleError(PfcpCause.ConditionalIeMissing, `FAR ${id} forwards to interface ${far.destination} without Outer Header Creation`, { offendingIe: T.OuterHeaderCreation });
  }
  return far;
}

/** Create QER (7.5.2.5) or Update QER (7.5.4.5). */
export function readQer(ies: P.PfcpIe[], base: QerSpec | undefined): QerSpec {
  onlySupported(ies, QER_IES);
  const id = P.get(ies, T.QERID)!;
  const q: QerSpec = base ? { ...base } : { id, ulOpen: true, dlOpen: true };
  const g = P.get(ies, T.GateStatus);
  if (g) {
    if (g.ul > 1 || g.dl > 1) throw incorrect(T.GateStatus, `QER ${id}: gate values ${g.ul}/${g.dl}`);
    q.ulOpen = g.ul === Gate.OPEN;
    q.dlOpen = g.dl === Gate.OPEN;
  }
  const mbr = P.get(ies, T.MBR);
  if (mbr) {
    q.mbrUl = mbr.ulKbps;
    q.mbrDl = mbr.dlKbps;
  }
  const gbr = P.get(ies, T.GBR);
  if (gbr) {
    q.gbrUl = gbr.ulKbps;
    q.gbrDl = gbr.dlKbps;
  }
  if (q.gbrUl !== undefined && q.mbrUl !== undefined && (q.gbrUl > q.mbrUl || q.gbrDl! > q.mbrDl!)) throw incorrect(T.GBR, `QER ${id}: GBR above MBR`);
  const qfi = P.get(ies, T.QFI);
  if (qfi !== undefined) q.qfi = qfi;
  return q;
}

function volumeOf(v: P.Volumes): VolumeSpec {
  return { ...(v.total !== undefined ? { total: Number(v.total) } : {}), ...(v.uplink !== undefined ? { uplink: Number(v.uplink) } : {}), ...(v.downlink !== undefined ? { downlink: Number(v.downlink) } : {}) };
}

/** Create URR (7.5.2.4) or Update URR (7.5.4.4). */
export function readUrr(ies: P.PfcpIe[], base: UrrSpec | undefined): UrrSpec {
  onlySupported(ies, URR_IES);
  const id = P.get(ies, T.URRID)!;
  const u: UrrSpec = base ? { ...base } : { id, method: 0, triggers: 0 };
  const m = P.get(ies, T.MeasurementMethod);
  if (m !== undefined) {
    if (m & MeasurementMethod.EVENT) throw unsupported(T.MeasurementMethod, `URR ${id}: event measurement`);
    u.method = m & (MeasurementMethod.DURAT | MeasurementMethod.VOLUM);
  }
  const rt = P.get(ies, T.ReportingTriggers);
  if (rt) {
    if (rt.value & ~SUPPORTED_TRIGGERS) throw unsupported(T.ReportingTriggers, `URR ${id}: triggers 0x${(rt.value & ~SUPPORTED_TRIGGERS).toString(16)} (supported: PERIO, VOLTH, TIMTH, VOLQU, TIMQU)`);
    u.triggers = rt.value;
  }
  const mi = P.get(ies, T.MeasurementInformation);
  if (mi && mi.value & ~MeasurementInformation.MNOP) throw unsupported(T.MeasurementInformation, `URR ${id}: flags 0x${mi.value.toString(16)} (packets are always counted; MBQE, INAM, RADI, ISTM are not supported)`);
  const period = u32Of(ies, T.MeasurementPeriod);
  if (period !== undefined) u.measurementPeriod = period;
  const vt = P.get(ies, T.VolumeThreshold);
  if (vt) u.volumeThreshold = volumeOf(vt);
  const vq = P.get(ies, T.VolumeQuota);
  if (vq) u.volumeQuota = volumeOf(vq);
  const tt = P.get(ies, T.TimeThreshold);
  if (tt !== undefined) u.timeThreshold = tt;
  const tq = P.get(ies, T.TimeQuota);
  if (tq !== undefined) u.timeQuota = tq;
  if (u.triggers & ReportingTrigger.PERIO && !u.measurementPeriod) throw new RuleError(PfcpCause.ConditionalIeMissing, `URR ${id}: PERIO without Measurement Period`, { offendingIe: T.MeasurementPeriod });
  if (u.volumeThreshold && !(u.method & MeasurementMethod.VOLUM)) throw incorrect(T.VolumeThreshold, `URR ${id}: volume threshold without volume measurement`);
  if ((u.timeThreshold !== undefined || u.timeQuota !== undefined) && !(u.method & MeasurementMethod.DURAT)) throw incorrect(T.TimeThreshold, `URR ${id}: time threshold/quota without duration measurement`);
  return u;
}

/** Create BAR (7.5.2.6) or Update BAR (7.5.4.11). */
export function readBar(ies: P.PfcpIe[], base: BarSpec | undefined): BarSpec {
  onlySupported(ies, BAR_IES);
  const b: BarSpec = base ? { ...base } : { id: P.get(ies, T.BARID) ?? 0 };
  if (P.get(ies, T.BARID) === undefined) throw new RuleError(PfcpCause.MandatoryIeMissing, 'BAR without BAR ID', { offendingIe: T.BARID });
  const d = P.get(ies, T.DownlinkDataNotificationDelay);
  if (d !== undefined) b.notificationDelay = d;
  const n = P.get(ies, T.SuggestedBufferingPacketsCount);
  if (n !== undefined) b.suggestedPacketCount = n;
  return b;
}
