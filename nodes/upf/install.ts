// Installing a session's rules into the data path's tables (TS 29.244 7.5.2 establishment and
// 7.5.4 modification share this): the new complete rule set is checked first — references between
// rules, UE addresses and TEIDs in use, room in the tables — and only then applied, so a refused
// request changes nothing (7.5.3.1/7.5.5.1). Applying keeps what stays: a PDR, FAR, QER or URR
// with an unchanged ID keeps its counters, buckets and measurement.
//
// F-TEIDs (5.5.3, 7.5.3.2): CH = 1 makes the UPF choose a TEID, shared by every PDR of the request
// (and of later requests of the session) with the same CHOOSE ID; CH = 0 takes the SMF's TEID.

import { PfcpCause, RuleIdType, UsageReportTrigger, Interface } from '../../codecs/pfcp/index.ts';
import { RuleError, ruleFailure, type RuleSet, type PdrSpec, type FTeidSpec, type FarSpec } from './rules.ts';
import { Ctl, type FarState, type PdrState, type SessionState, type TeidEntry } from './tables.ts';
import { RECORD, COLD, MAX_URRS_PER_PDR } from './flat.ts';
import { UrrState, QerState, reportAndReset, type UrrReport } from './usage.ts';
import { setTimed, flushBuffer } from './slow-path.ts';
import { writeControl, writeClassifier, classifier } from './control-words.ts';
import { writeRow } from './teardown.ts';
import type { UpfDatapath } from './datapath.ts';
import { endMarker, encodeGtpu } from '../../codecs/gtpu/index.ts';

export interface CreatedPdr {
  pdrId: number;
  teid: number;
}

export interface InstallResult {
  /** One per PDR whose F-TEID the UPF chose in this request (7.5.3.2), for the Created PDR IEs. */
  created: CreatedPdr[];
  /** Final reports of the URRs this request removed (7.5.5.2). */
  removedUrrReports: UrrReport[];
}

interface TeidPlan {
  reuse: TeidEntry | undefined;
  smfAssigned: boolean;
  teid: number | undefined;
  chooseId: number | undefined;
  specs: PdrSpec[];
}

const sameFteid = (a: FTeidSpec | undefined, b: FTeidSpec | undefined): boolean => a?.choose === b?.choose && a?.chooseId === b?.chooseId && a?.teid === b?.teid;
const sameTunnel = (a: FarSpec, b: FarSpec): boolean => a.tunnel?.teid === b.tunnel?.teid && a.tunnel?.address === b.tunnel?.address;

/** Rule lists up to this length are scanned for an ID; longer ones get a Map. */
const SCAN_LIMIT = 16;

/**
 * Rules by ID. A session has a handful of rules, and each request built a dozen Maps and Sets of
 * them (about 2% of a 2,000-UE run's allocation, issue 21 goal 3): a short list is scanned
 * instead, a long one still indexed once, so that a large rule set costs no quadratic time.
 */
class ById<T> {
  private readonly items: readonly T[];
  private readonly idOf: (x: T) => number;
  /** Position of the first rule with each ID, for a long list. */
  private readonly map: Map<number, number> | undefined;
  constructor(items: readonly T[], idOf: (x: T) => number) {
    this.items = items;
    this.idOf = idOf;
    if (items.length > SCAN_LIMIT) {
      this.map = new Map();
      for (let i = 0; i < items.length; i++) if (!this.map.has(idOf(items[i]))) this.map.set(idOf(items[i]), i);
    }
  }
  /** Position of the first rule with `id`, or -1. */
  indexOf(id: number): number {
    if (this.map) return this.map.get(id) ?? -1;
    for (let i = 0; i < this.items.length; i++) if (this.idOf(this.items[i]) === id) return i;
    return -1;
  }
  get(id: number): T | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.items[i];
  }
  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }
}
const specId = (x: { id: number }): number => x.id;
const stateId = (x: { spec: { id: number } }): number => x.spec.id;

/** The rules of a type by ID; a rule ID twice in the request is refused (8.2.x Rule IDs are unique within the session). */
function uniqueIds<T extends { id: number }>(xs: readonly T[], type: number): ById<T> {
  const index = new ById(xs, specId);
  for (let i = 0; i < xs.length; i++) if (index.indexOf(xs[i].id) !== i) throw ruleFailure(type, xs[i].id, `rule ID ${xs[i].id} appears twice`);
  return index;
}

function validate(dp: UpfDatapath, s: SessionState, r: RuleSet): Map<string, TeidPlan> {
  uniqueIds(r.pdrs, RuleIdType.PDR);
  const fars = uniqueIds(r.fars, RuleIdType.FAR);
  const qers = uniqueIds(r.qers, RuleIdType.QER);
  const urrs = uniqueIds(r.urrs, RuleIdType.URR);
  for (const p of r.pdrs) {
    if (!fars.has(p.farId)) throw ruleFailure(RuleIdType.PDR, p.id, `PDR ${p.id} refers to FAR ${p.farId}, which does not exist`);
    for (const u of p.urrIds) if (!urrs.has(u)) throw ruleFailure(RuleIdType.PDR, p.id, `PDR ${p.id} refers to URR ${u}, which does not exist`);
    for (const q of p.qerIds) if (!qers.has(q)) throw ruleFailure(RuleIdType.PDR, p.id, `PDR ${p.id} refers to QER ${q}, which does not exist`);
    if (p.urrIds.length > MAX_URRS_PER_PDR) throw ruleFailure(RuleIdType.PDR, p.id, `PDR ${p.id}: this UPF links at most ${MAX_URRS_PER_PDR} URRs to a PDR`);
    if (p.ueAddress !== undefined) {
      const other = dp.byUe.get(p.ueAddress);
      if (other && other !== s) throw ruleFailure(RuleIdType.PDR, p.id, `PDR ${p.id}: UE address is another session's`);
    }
  }
  for (const f of r.fars) if (f.barId !== undefined && f.barId !== r.bar?.id) throw ruleFailure(RuleIdType.FAR, f.id, `FAR ${f.id} refers to BAR ${f.barId}, which does not exist`);
  const old = new ById(s.pdrs, stateId);
  const plans = new Map<string, TeidPlan>();
  for (const spec of r.pdrs) {
    const f = spec.fteid;
    if (!f) continue;
    const before = old.get(spec.id);
    let key: string;
    let reuse: TeidEntry | undefined;
    if (f.choose) {
      if (f.chooseId !== undefined) {
        key = `c${f.chooseId}`;
        reuse = s.entries.find((e) => !e.smfAssigned && e.chooseId === f.chooseId);
      } else if (before?.entry && sameFteid(before.spec.fteid, f)) {
        key = `e${before.entry.teid}`;
        reuse = before.entry;
      } else {
        key = `n${spec.id}`;
      }
    } else {
      key = `t${f.teid}`;
      reuse = s.entries.find((e) => e.smfAssigned && e.teid === f.teid);
      if (!reuse && dp.teidInUse(f.teid!)) throw ruleFailure(RuleIdType.PDR, spec.id, `PDR ${spec.id}: TEID ${f.teid} is in use`);
    }
    let plan = plans.get(key);
    if (!plan) plans.set(key, (plan = { reuse, smfAssigned: !f.choose, teid: f.teid, chooseId: f.chooseId, specs: [] }));
    plan.specs.push(spec);
  }
  let freshPdrs = 0;
  // an F-TEID change can move a PDR off its anchor slot: count one more slot each, to be safe
  let moved = 0;
  for (const p of r.pdrs) {
    const before = old.get(p.id);
    if (!before) freshPdrs++;
    else if (!sameFteid(before.spec.fteid, p.fteid)) moved++;
  }
  // a new chosen TEID's anchor is the slot of a new PDR on it; only one shared by existing PDRs alone needs a slot of its own
  let freshTeids = 0;
  for (const p of plans.values()) if (!p.reuse && !p.smfAssigned && p.specs.every((sp) => old.has(sp.id))) freshTeids++;
  if (dp.flat.pdrSlots.available < freshPdrs + freshTeids + moved) throw new RuleError(PfcpCause.NoResourcesAvailable, 'the UPF rule tables are full');
  const oldUrrs = new ById(s.urrs, stateId);
  let freshUrrs = 0;
  for (const u of r.urrs) if (!oldUrrs.has(u.id)) freshUrrs++;
  if (dp.flat.urrSlots.available < freshUrrs) throw new RuleError(PfcpCause.NoResourcesAvailable, 'the UPF usage rule table is full');
  return plans;
}

/**
 * Installs `r` as the session's complete rule set. Throws RuleError (before changing anything).
 *
 * The steps are functions of their own: as one function of ~200 lines with a dozen inlined
 * callbacks, V8's optimizing compiler took 100-400 ms per compilation of it (and compiled it three
 * times in a 2,000-UE run, "wrong map" deoptimizations between), the largest compile job of the
 * run (issue 21 goal 3, docs/decisions/21-nf-cpu-4.md).
 */
export function install(dp: UpfDatapath, s: SessionState, r: RuleSet, now: number): InstallResult {
  const plans = validate(dp, s, r);
  const oldPdrs = new ById(s.pdrs, stateId);
  // the PDR states' specs are replaced below: the F-TEIDs they had
  const oldSpecs = new ById(s.pdrs.map((p) => p.spec), specId);
  const newSpecs = new ById(r.pdrs, specId);
  unlinkUrrs(dp, s, oldPdrs, newSpecs);
  const removedUrrReports = removeUrrs(dp, s, r, now);
  const farChanged = applyFars(dp, s, r);
  applyQersAndUrrs(dp, s, r, now);
  s.bar = r.bar;
  const removedPdrs = applyPdrs(s, r, oldPdrs, newSpecs);
  const oldEntries = s.entries;
  const created = applyEntries(dp, s, plans, oldPdrs, oldSpecs);
  placePdrs(dp, s, removedPdrs);
  dropEntries(dp, s, oldEntries);
  for (const p of s.pdrs) writeControl(dp, p);
  writeAnchors(dp, s);
  applyUeAddresses(dp, s);
  linkUrrs(dp, s);
  if (s.urrs.some((u) => u.timed)) setTimed(dp, s);
  writeRow(dp, s);
  if (farChanged) {
    s.ddrSent = false;
    s.ddrDueAt = 0;
    flushBuffer(dp, s);
  }
  return { created, removedUrrReports };
}

/** URR links that go (PDR removed or no longer pointing at the URR): what they counted stays with the URR. */
function unlinkUrrs(dp: UpfDatapath, s: SessionState, oldPdrs: ById<PdrState>, newSpecs: ById<PdrSpec>): void {
  const flat = dp.flat;
  for (const u of s.urrs) {
    const kept: PdrState[] = [];
    for (const p of u.pdrs as PdrState[]) {
      const spec = newSpecs.get(p.spec.id);
      if (spec !== undefined && oldPdrs.get(spec.id) === p && spec.urrIds.includes(u.spec.id)) kept.push(p);
      else flat.foldLink(p.slot, flat.link(p.slot, u.slot));
    }
    u.pdrs = kept;
  }
}

/** A URR that goes has no link left (no PDR of the new set may refer to it): its final report, its record freed. */
function removeUrrs(dp: UpfDatapath, s: SessionState, r: RuleSet, now: number): UrrReport[] {
  const removedUrrReports: UrrReport[] = [];
  const keptUrrs = new ById(r.urrs, specId);
  for (const u of s.urrs) {
    if (keptUrrs.has(u.spec.id)) continue;
    removedUrrReports.push(reportAndReset(u, UsageReportTrigger.TERMR, now, dp.droppedIn(s), true));
    dp.flat.urrSlots.release(u.slot);
  }
  return removedUrrReports;
}

/** FARs: a change of action or tunnel releases buffered packets (the result); SNDEM sends an End Marker on the old tunnel (5.2.4.3 / TS 29.281 7.3.2). */
function applyFars(dp: UpfDatapath, s: SessionState, r: RuleSet): boolean {
  const oldFarList = s.fars;
  const oldFars = new ById(oldFarList, stateId);
  let farChanged = false;
  const fars: FarState[] = [];
  for (const spec of r.fars) {
    const f = oldFars.get(spec.id);
    const peer = spec.tunnel ? { address: spec.tunnel.address, port: spec.tunnel.port } : undefined;
    if (!f) {
      fars.push({ spec, peer });
      continue;
    }
    if (f.spec.action !== spec.action || !sameTunnel(f.spec, spec)) farChanged = true;
    if (spec.sendEndMarker && f.spec.tunnel && f.peer && !sameTunnel(f.spec, spec)) dp.sinks.toN3(encodeGtpu(endMarker(f.spec.tunnel.teid)), f.peer);
    f.spec = spec;
    f.peer = peer;
    fars.push(f);
  }
  s.fars = fars;
  const newFars = new ById(r.fars, specId);
  for (const f of oldFarList) if (!newFars.has(f.spec.id)) farChanged = true;
  return farChanged;
}

function applyQersAndUrrs(dp: UpfDatapath, s: SessionState, r: RuleSet, now: number): void {
  const oldQers = new ById(s.qers, stateId);
  const qers: QerState[] = [];
  for (const spec of r.qers) {
    const q = oldQers.get(spec.id);
    if (q) q.setSpec(spec);
    qers.push(q ?? new QerState(spec, now));
  }
  s.qers = qers;
  const oldUrrs = new ById(s.urrs, stateId);
  const urrs: UrrState[] = [];
  for (const spec of r.urrs) {
    const u = oldUrrs.get(spec.id);
    if (u) u.setSpec(spec, now);
    urrs.push(u ?? new UrrState(spec, dp.flat.urrSlots.allocate(), dp.flat, now));
  }
  s.urrs = urrs;
}

/** The rules of `all` whose IDs `ids` lists, in `all`'s order. */
function linked<T extends { spec: { id: number } }>(all: readonly T[], ids: readonly number[]): T[] {
  const out: T[] = [];
  for (const x of all) if (ids.includes(x.spec.id)) out.push(x);
  return out;
}

/** PDR states, linked to their rules; returns the PDR states that go. */
function applyPdrs(s: SessionState, r: RuleSet, oldPdrs: ById<PdrState>, newSpecs: ById<PdrSpec>): PdrState[] {
  const farById = new ById<FarState>(s.fars, stateId);
  const removedPdrs: PdrState[] = [];
  for (const p of s.pdrs) if (!newSpecs.has(p.spec.id)) removedPdrs.push(p);
  const pdrs: PdrState[] = [];
  for (const spec of r.pdrs) {
    let p = oldPdrs.get(spec.id);
    const far = farById.get(spec.farId)!;
    if (!p) p = { spec, slot: -1, uplink: false, session: s, far, qers: [], urrs: [], entry: undefined, markQfi: -1, hasUe: false, ue: 0, assigned: 0, sdf: [] };
    p.spec = spec;
    p.uplink = spec.sourceInterface === Interface.Access;
    p.far = far;
    p.qers = linked(s.qers, spec.qerIds);
    p.urrs = linked(s.urrs, spec.urrIds);
    let marking: QerState | undefined;
    for (const q of p.qers) {
      if (q.spec.qfi !== undefined) {
        marking = q;
        break;
      }
    }
    p.markQfi = marking ? marking.spec.qfi! : spec.qfis.length === 1 ? spec.qfis[0] : -1;
    p.hasUe = spec.ueAddress !== undefined;
    p.ue = (spec.ueAddress ?? 0) | 0;
    p.sdf = spec.sdf;
    pdrs.push(p);
  }
  s.pdrs = pdrs;
  return removedPdrs;
}

/** TEID entries (5.5.3, 7.5.3.2): returns the Created PDRs of the TEIDs the UPF chose. */
function applyEntries(dp: UpfDatapath, s: SessionState, plans: Map<string, TeidPlan>, oldPdrs: ById<PdrState>, oldSpecs: ById<PdrSpec>): CreatedPdr[] {
  const created: CreatedPdr[] = [];
  s.entries = [];
  const byId = new ById(s.pdrs, stateId);
  moveOffAnchors(dp, plans, byId);
  const flat = dp.flat;
  for (const plan of plans.values()) {
    const members: PdrState[] = [];
    for (const sp of plan.specs) members.push(byId.get(sp.id)!);
    let e = plan.reuse;
    if (!e) {
      if (plan.smfAssigned) {
        e = { teid: plan.teid!, chooseId: undefined, smfAssigned: true, anchorSlot: -1, hollow: false, pdrs: [], byQfi: [], block: -1 };
      } else {
        const fresh = members.find((m) => m.slot < 0);
        const slot = dp.allocateAnchorSlot();
        flat.clearPdr(slot, false);
        if (fresh) fresh.slot = slot;
        e = { teid: slot + 1, chooseId: plan.chooseId, smfAssigned: false, anchorSlot: slot, hollow: !fresh, pdrs: [], byQfi: [], block: -1 };
      }
      dp.teidsInUse++;
    }
    for (const m of members) {
      const isNew = !oldPdrs.has(m.spec.id);
      if (m.spec.fteid?.choose && (isNew || !sameFteid(oldSpecs.get(m.spec.id)?.fteid, m.spec.fteid) || m.entry !== e)) created.push({ pdrId: m.spec.id, teid: e.teid });
      m.entry = e;
    }
    e.pdrs = members;
    s.entries.push(e);
  }
  for (const p of s.pdrs) if (!p.spec.fteid) p.entry = undefined;
  return created;
}

/** A PDR leaving a surviving entry whose anchor is its own slot takes a slot of its own. */
function moveOffAnchors(dp: UpfDatapath, plans: Map<string, TeidPlan>, byId: ById<PdrState>): void {
  const hot = dp.hot, flat = dp.flat;
  const surviving = new Set<TeidEntry | undefined>();
  for (const pl of plans.values()) surviving.add(pl.reuse);
  for (const plan of plans.values()) {
    for (const sp of plan.specs) {
      const p = byId.get(sp.id)!;
      const before = p.entry;
      if (before && before !== plan.reuse && surviving.has(before) && !before.smfAssigned && before.anchorSlot === p.slot) {
        const slot = flat.pdrSlots.allocate();
        hot.copyWithin(slot * RECORD, p.slot * RECORD, p.slot * RECORD + RECORD);
        hot[p.slot * RECORD + 1] = 0; // the counts moved: the hollow anchor counts nothing
        flat.ue[slot] = flat.ue[p.slot];
        flat.cold.copyWithin(slot * COLD, p.slot * COLD, p.slot * COLD + COLD);
        flat.cold.fill(0, p.slot * COLD + 2, p.slot * COLD + COLD); // counters and links moved with the PDR
        dp.setPdr(p.slot, undefined);
        before.hollow = true;
        p.slot = slot;
      }
    }
  }
}

/** Slots for the PDRs without one; the slots of removed PDRs: a surviving entry's anchor becomes hollow, the others are freed. */
function placePdrs(dp: UpfDatapath, s: SessionState, removedPdrs: readonly PdrState[]): void {
  const flat = dp.flat;
  for (const p of s.pdrs) {
    if (p.slot < 0) {
      p.slot = flat.pdrSlots.allocate();
      flat.clearPdr(p.slot, p.uplink);
    }
    flat.cold[p.slot * COLD + 1] = p.uplink ? 1 : 0;
    dp.setPdr(p.slot, p);
  }
  for (const p of removedPdrs) {
    const anchorOf = s.entries.find((e) => !e.smfAssigned && e.anchorSlot === p.slot);
    if (anchorOf) {
      anchorOf.hollow = true;
      dp.setPdr(p.slot, undefined);
    } else {
      dp.freeSlot(p.slot);
    }
  }
}

/** Entries that go: their TEIDs lead nowhere any more. */
function dropEntries(dp: UpfDatapath, s: SessionState, oldEntries: readonly TeidEntry[]): void {
  const hot = dp.hot;
  for (const e of oldEntries) {
    if (s.entries.includes(e)) continue;
    if (e.smfAssigned) dp.foreign.delete(e.teid);
    else {
      const owner = dp.pdrAt(e.anchorSlot);
      if (owner && owner.session === s && s.pdrs.includes(owner)) hot[e.anchorSlot * RECORD] &= ~(Ctl.ANCHOR | Ctl.CLASSIFY);
      else if (e.hollow) dp.freeSlot(e.anchorSlot);
    }
    dp.setAnchor(e.anchorSlot, undefined);
    if (e.block >= 0) {
      dp.freeClassifier(e.block);
      dp.classifierOf[e.anchorSlot] = 0;
      e.block = -1;
    }
    dp.teidsInUse--;
  }
}

/** The anchors' control words and classifiers (the flat form once "assigned" is known, applyUeAddresses). */
function writeAnchors(dp: UpfDatapath, s: SessionState): void {
  const hot = dp.hot;
  for (const e of s.entries) {
    if (e.smfAssigned) {
      if (e.anchorSlot >= 0 && dp.anchorAt(e.anchorSlot) === e) {
        dp.setAnchor(e.anchorSlot, undefined);
        dp.classifierOf[e.anchorSlot] = 0;
      }
      e.anchorSlot = e.pdrs[0].slot;
      dp.foreign.set(e.teid, e.anchorSlot);
    }
    const single = e.pdrs.length === 1 && !e.hollow && e.pdrs[0].slot === e.anchorSlot && e.pdrs[0].spec.sdf.length === 0 && e.pdrs[0].spec.qfis.length <= 1 && (e.pdrs[0].uplink || e.pdrs[0].spec.ueAddress === undefined);
    const k = e.anchorSlot * RECORD;
    if (e.hollow) hot[k] = 0;
    if (!e.smfAssigned) hot[k] |= Ctl.ANCHOR;
    if (!single) {
      hot[k] |= Ctl.CLASSIFY;
      e.byQfi = classifier(e.pdrs);
    } else {
      e.byQfi = [];
      if (e.block >= 0) dp.freeClassifier(e.block);
      e.block = -1;
      dp.classifierOf[e.anchorSlot] = 0;
    }
    dp.setAnchor(e.anchorSlot, e);
  }
}

/** UE addresses, the classifiers' flat form and the N6 (downlink) PDRs. */
function applyUeAddresses(dp: UpfDatapath, s: SessionState): void {
  const ue: number[] = [];
  for (const p of s.pdrs) if (p.spec.ueAddress !== undefined && !ue.includes(p.spec.ueAddress)) ue.push(p.spec.ueAddress);
  for (const a of s.ueAddresses) if (!ue.includes(a)) dp.byUe.delete(a);
  for (const a of ue) dp.byUe.set(a, s);
  s.ueAddresses = ue;
  for (const p of s.pdrs) p.assigned = (p.spec.ueAddress ?? ue[0] ?? 0) | 0; // "assigned" (RFC 6733 4.3): the UE's address
  for (const e of s.entries) if (e.byQfi.length > 0) writeClassifier(dp, e);
  s.dlList = s.pdrs.filter((p) => !p.spec.fteid && (p.spec.sourceInterface === Interface.Core || p.spec.sourceInterface === Interface.SGiLanN6Lan)).sort((a, b) => a.spec.precedence - b.spec.precedence);
  s.dlSingle = s.dlList.length === 1 && s.dlList[0].spec.sdf.length === 0 ? s.dlList[0].slot : -1;
}

/** URR links that are new count from the PDR's counters now. */
function linkUrrs(dp: UpfDatapath, s: SessionState): void {
  for (const u of s.urrs) {
    for (const p of s.pdrs) {
      if (!p.spec.urrIds.includes(u.spec.id) || u.pdrs.includes(p)) continue;
      dp.flat.addLink(p.slot, u.slot);
      u.pdrs.push(p);
    }
  }
}
