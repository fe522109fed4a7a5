// The UPF's side of the N4 session procedures (TS 29.244 7.5): Session Establishment,
// Modification and Deletion read into rule sets (rules.ts) and installed in the data path
// (install.ts); Session Report Requests built from what the data path reports. A request is
// applied whole or refused whole, with the cause, Offending IE or Failed Rule ID of TS 29.244 7.6.

import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M, PfcpCause, RuleIdType } from '../../codecs/pfcp/index.ts';
import type { Endpoint } from '../../transport/tap.ts';
import { RuleError, ruleFailure, onlySupported, incorrect, readPdr, readFar, readQer, readUrr, readBar, type RuleSet, type ApplicationTable } from './rules.ts';
import type { UpfDatapath, SessionReport, UrrReport, CreatedPdr } from './datapath.ts';
import { discardBuffer } from './slow-path.ts';

export interface SessionControl {
  cpSeid: bigint;
  smf: Endpoint;
}

export interface N4Context {
  datapath: UpfDatapath;
  nodeId: P.NodeId;
  /** The UPF's N3 address, in the F-TEIDs it chooses. */
  n3Address: string;
  applications: ApplicationTable;
  /** CP SEID and SMF by UP SEID. */
  sessions: Map<bigint, SessionControl>;
  /** NTP seconds for a data path time (seconds on its clock). */
  ntp(t: number): number;
  log?: (line: string) => void;
}

export interface N4Answer {
  response: Uint8Array;
  comment: string;
}

/** IEs that describe the session and ask nothing of the user plane (TS 29.244 7.5.2.1). */
const USER_ID = 141;
const ESTABLISHMENT_IES = new Set<number>([T.NodeID, T.FSEID, T.CreatePDR, T.CreateFAR, T.CreateURR, T.CreateQER, T.CreateBAR, T.PDNType, T.APNDNN, T.SNSSAI, USER_ID]);
const MODIFICATION_IES = new Set<number>([T.FSEID, T.RemovePDR, T.RemoveFAR, T.RemoveURR, T.RemoveQER, T.RemoveBAR, T.CreatePDR, T.CreateFAR, T.CreateURR, T.CreateQER, T.CreateBAR, T.UpdatePDR, T.UpdateFAR, T.UpdateURR, T.UpdateQER, T.UpdateBARSessionModificationRequest, T.QueryURR, T.PFCPSMReqFlags]);
const DELETION_IES = new Set<number>([]);

function rejection(e: RuleError): P.PfcpIe[] {
  return [P.ie(T.Cause, e.pfcpCause), ...(e.offendingIe !== undefined ? [P.ie(T.OffendingIE, e.offendingIe)] : []), ...(e.failedRule ? [P.ie(T.FailedRuleID, e.failedRule)] : [])];
}

function usageIes(ctx: N4Context, r: UrrReport): P.PfcpIe[] {
  return P.usageReportIes({
    urrId: r.urrId,
    urSeqn: r.urSeqn,
    trigger: r.trigger,
    startTime: ctx.ntp(r.startTime),
    endTime: ctx.ntp(r.endTime),
    volume: {
      total: BigInt(r.uplinkOctets + r.downlinkOctets),
      uplink: BigInt(r.uplinkOctets),
      downlink: BigInt(r.downlinkOctets),
      totalPackets: BigInt(r.uplinkPackets + r.downlinkPackets),
      uplinkPackets: BigInt(r.uplinkPackets),
      downlinkPackets: BigInt(r.downlinkPackets),
    },
    durationSeconds: r.durationSeconds,
  });
}

function createdPdrs(ctx: N4Context, created: CreatedPdr[]): P.PfcpIe[] {
  return created.map((c) => P.grouped(T.CreatedPDR, [P.ie(T.PDRID, c.pdrId), P.ie(T.FTEID, { teid: c.teid, ipv4: ctx.n3Address })]));
}

function checkPdnType(ies: P.PfcpIe[]): void {
  const t = P.get(ies, T.PDNType);
  if (t !== undefined && (t & 7) !== 1) throw new RuleError(PfcpCause.ServiceNotSupported, `PDN type ${t & 7}: this UPF carries IPv4 PDU sessions`, { offendingIe: T.PDNType });
}

function ruleSetOf(ies: P.PfcpIe[], apps: ApplicationTable): RuleSet {
  const bars = P.groups(ies, T.CreateBAR);
  if (bars.length > 1) throw incorrect(T.CreateBAR, 'more than one BAR');
  return {
    pdrs: P.groups(ies, T.CreatePDR).map((g) => readPdr(g, undefined, apps)),
    fars: P.groups(ies, T.CreateFAR).map((g) => readFar(g, undefined)),
    qers: P.groups(ies, T.CreateQER).map((g) => readQer(g, undefined)),
    urrs: P.groups(ies, T.CreateURR).map((g) => readUrr(g, undefined)),
    ...(bars[0] ? { bar: readBar(bars[0], undefined) } : {}),
  };
}

/** 7.5.2 / 7.5.3; TS 23.502 4.3.2.2.1 step 10a-10b. */
export function establish(ctx: N4Context, msg: P.PfcpMessage, peer: Endpoint, associated: boolean): N4Answer {
  const cp = P.get(msg.ies, T.FSEID)!;
  const answer = (ies: P.PfcpIe[], comment: string): N4Answer => ({ response: P.encodePfcp({ type: M.SessionEstablishmentResponse, seid: cp.seid, sequenceNumber: msg.sequenceNumber, ies: [P.ie(T.NodeID, ctx.nodeId), ...ies] }), comment });
  if (!associated) return answer([P.ie(T.Cause, PfcpCause.NoEstablishedPfcpAssociation)], 'N4 Session Establishment Response, cause 72 (No established PFCP Association) [TS 29.244 7.5.3]');
  try {
    onlySupported(msg.ies, ESTABLISHMENT_IES);
    checkPdnType(msg.ies);
    const r = ctx.datapath.establish(ruleSetOf(msg.ies, ctx.applications));
    ctx.sessions.set(BigInt(r.seid), { cpSeid: cp.seid, smf: peer });
    return answer([P.ie(T.Cause, PfcpCause.RequestAccepted), P.ie(T.FSEID, { seid: BigInt(r.seid), ipv4: ctx.nodeId.value }), ...createdPdrs(ctx, r.created)], 'N4 Session Establishment Response [TS 23.502 4.3.2.2.1 step 10b]');
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    ctx.log?.(`[upf] Session Establishment refused: ${e.message}`);
    return answer(rejection(e), `N4 Session Establishment Response, cause ${e.pfcpCause}: ${e.message.replace(/[[\]]/g, '')} [TS 29.244 7.5.3]`);
  }
}

/** Remove PDR/FAR/URR/QER (7.5.4.6-7.5.4.9): `list` without the rules the IEs name; one that does not exist is refused. */
function removed<R extends { id: number }>(ies: P.PfcpIe[], list: R[], type: number, idIe: keyof P.IeValues, ruleType: number): R[] {
  for (const g of P.groups(ies, type)) {
    const id = P.get(g, idIe) as number;
    if (!list.some((x) => x.id === id)) throw ruleFailure(ruleType, id, `${P.ieName(type)}: rule ${id} does not exist`);
    list = list.filter((x) => x.id !== id);
  }
  return list;
}

/** Create PDR/FAR/URR/QER in a modification (7.5.4.2-7.5.4.5): a rule ID already in use is refused. */
function added<R extends { id: number }>(list: R[], created: R[], ruleType: number): R[] {
  for (const c of created) if (list.some((x) => x.id === c.id)) throw ruleFailure(ruleType, c.id, `rule ${c.id} already exists`);
  return created.length ? [...list, ...created] : list;
}

/** Update PDR/FAR/URR/QER (7.5.4.2-7.5.4.5): each named rule read again on top of itself; one that does not exist is refused. */
function updated<R extends { id: number }, A>(ies: P.PfcpIe[], list: R[], type: number, idIe: keyof P.IeValues, ruleType: number, read: (g: P.PfcpIe[], base: R, arg: A) => R, arg: A): R[] {
  for (const g of P.groups(ies, type)) {
    const id = P.get(g, idIe) as number;
    const i = list.findIndex((x) => x.id === id);
    if (i < 0) throw ruleFailure(ruleType, id, `${P.ieName(type)}: rule ${id} does not exist`);
    list = list.slice();
    list[i] = read(g, list[i], arg);
  }
  return list;
}

/**
 * Applies Remove, Create and Update IEs of a Session Modification Request to `cur` (7.5.4). The
 * helpers are module functions, not closures made per request (with tsx and the bundle keeping
 * function names, each closure also cost a defineProperty).
 */
function merge(cur: RuleSet, ies: P.PfcpIe[], apps: ApplicationTable): RuleSet {
  const next: RuleSet = { pdrs: cur.pdrs, fars: cur.fars, qers: cur.qers, urrs: cur.urrs, ...(cur.bar ? { bar: cur.bar } : {}) };
  next.pdrs = removed(ies, next.pdrs, T.RemovePDR, T.PDRID, RuleIdType.PDR);
  next.fars = removed(ies, next.fars, T.RemoveFAR, T.FARID, RuleIdType.FAR);
  next.urrs = removed(ies, next.urrs, T.RemoveURR, T.URRID, RuleIdType.URR);
  next.qers = removed(ies, next.qers, T.RemoveQER, T.QERID, RuleIdType.QER);
  for (const g of P.groups(ies, T.RemoveBAR)) {
    const id = P.get(g, T.BARID);
    if (next.bar?.id !== id) throw ruleFailure(RuleIdType.BAR, id ?? 0, `Remove BAR: BAR ${id} does not exist`);
    delete next.bar;
  }
  const fresh = ruleSetOf(ies, apps);
  next.pdrs = added(next.pdrs, fresh.pdrs, RuleIdType.PDR);
  next.fars = added(next.fars, fresh.fars, RuleIdType.FAR);
  next.urrs = added(next.urrs, fresh.urrs, RuleIdType.URR);
  next.qers = added(next.qers, fresh.qers, RuleIdType.QER);
  if (fresh.bar) {
    if (next.bar) throw ruleFailure(RuleIdType.BAR, fresh.bar.id, 'a BAR already exists');
    next.bar = fresh.bar;
  }
  next.pdrs = updated(ies, next.pdrs, T.UpdatePDR, T.PDRID, RuleIdType.PDR, readPdr, apps);
  next.fars = updated(ies, next.fars, T.UpdateFAR, T.FARID, RuleIdType.FAR, readFar, undefined);
  next.urrs = updated(ies, next.urrs, T.UpdateURR, T.URRID, RuleIdType.URR, readUrr, undefined);
  next.qers = updated(ies, next.qers, T.UpdateQER, T.QERID, RuleIdType.QER, readQer, undefined);
  for (const g of P.groups(ies, T.UpdateBARSessionModificationRequest)) {
    const id = P.get(g, T.BARID);
    if (!next.bar || next.bar.id !== id) throw ruleFailure(RuleIdType.BAR, id ?? 0, `Update BAR: BAR ${id} does not exist`);
    next.bar = readBar(g, next.bar);
  }
  return next;
}

/** 7.5.4 / 7.5.5; TS 23.502 4.3.2.2.1 step 16a-16b. */
export function modify(ctx: N4Context, msg: P.PfcpMessage): N4Answer {
  const s = ctx.sessions.get(msg.seid ?? 0n);
  const seid = Number(msg.seid ?? 0n);
  const cur = s ? ctx.datapath.rulesOf(seid) : undefined;
  const answer = (cpSeid: bigint, ies: P.PfcpIe[], comment: string): N4Answer => ({ response: P.encodePfcp({ type: M.SessionModificationResponse, seid: cpSeid, sequenceNumber: msg.sequenceNumber, ies }), comment });
  if (!s || !cur) return answer(0n, [P.ie(T.Cause, PfcpCause.SessionContextNotFound)], 'N4 Session Modification Response, cause 65 (Session context not found) [TS 29.244 7.5.5]');
  try {
    onlySupported(msg.ies, MODIFICATION_IES);
    const flags = P.get(msg.ies, T.PFCPSMReqFlags) ?? 0;
    if (flags & ~(P.PfcpSmReqFlags.QAURR | P.PfcpSmReqFlags.DROBU)) throw new RuleError(PfcpCause.ServiceNotSupported, `PFCPSMReq-Flags 0x${flags.toString(16)}`, { offendingIe: T.PFCPSMReqFlags });
    const next = merge(cur, msg.ies, ctx.applications);
    const queried = P.groups(msg.ies, T.QueryURR).map((g) => P.get(g, T.URRID)!);
    for (const id of queried) if (!next.urrs.some((u) => u.id === id)) throw ruleFailure(RuleIdType.URR, id, `Query URR: URR ${id} does not exist`);
    // DROBU (8.2.31): drop what is buffered before applying the new rules
    if (flags & P.PfcpSmReqFlags.DROBU) discardBuffer(ctx.datapath, ctx.datapath.session(seid)!);
    const r = ctx.datapath.modify(seid, next)!;
    const cp = P.get(msg.ies, T.FSEID);
    if (cp) s.cpSeid = cp.seid;
    const reports = [...r.removedUrrReports, ...(flags & P.PfcpSmReqFlags.QAURR ? ctx.datapath.query(seid) : queried.length ? ctx.datapath.query(seid, queried) : [])];
    return answer(s.cpSeid, [P.ie(T.Cause, PfcpCause.RequestAccepted), ...createdPdrs(ctx, r.created), ...reports.map((u) => P.grouped(T.UsageReportSMR, usageIes(ctx, u)))], 'N4 Session Modification Response [TS 23.502 4.3.2.2.1 step 16b]');
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    ctx.log?.(`[upf] Session Modification refused: ${e.message}`);
    return answer(s.cpSeid, rejection(e), `N4 Session Modification Response, cause ${e.pfcpCause}: ${e.message.replace(/[[\]]/g, '')} [TS 29.244 7.5.5]`);
  }
}

/** 7.5.6 / 7.5.7; TS 23.502 4.2.2.3.2 steps 3a-3b: the final report of every URR. */
export function deleteSession(ctx: N4Context, msg: P.PfcpMessage): N4Answer {
  const seid = msg.seid ?? 0n;
  const s = ctx.sessions.get(seid);
  const answer = (cpSeid: bigint, ies: P.PfcpIe[], comment: string): N4Answer => ({ response: P.encodePfcp({ type: M.SessionDeletionResponse, seid: cpSeid, sequenceNumber: msg.sequenceNumber, ies }), comment });
  if (!s) return answer(0n, [P.ie(T.Cause, PfcpCause.SessionContextNotFound)], 'N4 Session Release Response, cause 65 (Session context not found) [TS 29.244 7.5.7]');
  try {
    onlySupported(msg.ies, DELETION_IES);
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    return answer(s.cpSeid, rejection(e), `N4 Session Release Response, cause ${e.pfcpCause} [TS 29.244 7.5.7]`);
  }
  const reports = ctx.datapath.delete(Number(seid)) ?? [];
  ctx.sessions.delete(seid);
  return answer(s.cpSeid, [P.ie(T.Cause, PfcpCause.RequestAccepted), ...reports.map((u) => P.grouped(T.UsageReportSDR, usageIes(ctx, u)))], 'N4 Session Release Response [TS 23.502 4.2.2.3.2 step 3b]');
}

/** 7.5.8 Session Report Request: a Downlink Data Report (DLDR) or Usage Reports (USAR). */
export function sessionReportRequest(ctx: N4Context, seq: number, cpSeid: bigint, report: SessionReport): P.PfcpMessage {
  const ies: P.PfcpIe[] =
    'usage' in report
      ? [P.ie(T.ReportType, P.ReportType.USAR), ...report.usage.map((u) => P.grouped(T.UsageReportSRR, usageIes(ctx, u)))]
      : [P.ie(T.ReportType, P.ReportType.DLDR), P.grouped(T.DownlinkDataReport, [P.ie(T.PDRID, report.downlinkData.pdrId), ...(report.downlinkData.qfi !== undefined ? [P.ie(T.DownlinkDataServiceInformation, { qfi: report.downlinkData.qfi })] : [])])];
  return { type: M.SessionReportRequest, seid: cpSeid, sequenceNumber: seq, ies };
}
