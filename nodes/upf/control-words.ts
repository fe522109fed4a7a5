// The flat forms of a session's rules in the data path's tables (tables.ts), written after
// install.ts placed the rules: each PDR's control word and the classifier of a TEID that several
// PDRs share.

import { Ctl, FarAction, CLASSIFIER_MAX_QFIS, type PdrState, type TeidEntry } from './tables.ts';
import { RECORD } from './flat.ts';
import { walkWords } from './flat-walk.ts';
import type { UpfDatapath } from './datapath.ts';

/** The control word and UE condition of a PDR's hot record (tables.ts). */
export function writeControl(dp: UpfDatapath, p: PdrState): void {
  const far = p.far.spec;
  let ctl = far.action & 0xff;
  if (far.tunnel && far.action & FarAction.FORW) ctl |= Ctl.OHC;
  for (const q of p.qers) if (p.uplink ? !q.spec.ulOpen : !q.spec.dlOpen) ctl |= Ctl.GATE_CLOSED;
  if (p.qers.some((q) => q.limits) || p.urrs.some((u) => u.volumeChecked)) ctl |= Ctl.SLOW;
  if (p.urrs.some((u) => u.exhausted)) ctl |= Ctl.QUOTA_EXHAUSTED;
  if (p.markQfi >= 0) ctl |= Ctl.MARK | (p.markQfi << 23);
  const k = p.slot * RECORD;
  if (p.entry) {
    if (p.spec.qfis.length === 1) ctl |= Ctl.QFI_COND | (p.spec.qfis[0] << 16);
    if (p.uplink && p.spec.ueAddress !== undefined) {
      ctl |= Ctl.UE_COND;
      dp.flat.ue[p.slot] = p.spec.ueAddress | 0;
    }
  }
  dp.hot[k] = ctl;
}

/**
 * The flat form of `e.byQfi` (tables.ts CLASSIFIER_MAX_QFIS): direct where one PDR without SDF
 * filters answers for a QFI, else the QFI's candidates in precedence order as a flat walk
 * (flat-walk.ts), after the QFI table in the same region.
 */
export function writeClassifier(dp: UpfDatapath, e: TeidEntry): void {
  const qfis: number[] = [];
  for (let q = 0; q < 64; q++) if (e.byQfi[q]) qfis.push(q);
  qfis.push(64);
  const entries: [number, number][] = [];
  const walks: number[][] = [];
  if (qfis.length > CLASSIFIER_MAX_QFIS) {
    entries.push([64, -1]); // too many QFIs: every packet takes the precedence walk over the objects
  } else {
    for (const q of qfis) {
      const list = e.byQfi[q];
      const first = list?.[0];
      const direct = first !== undefined && first.spec.sdf.length === 0 && (list!.length === 1 ? first.uplink || first.spec.ueAddress === undefined : first.spec.ueAddress === undefined);
      if (!list) entries.push([q, 0]);
      else if (direct) entries.push([q, first.slot + 1]);
      else {
        const walk = walkWords(list);
        entries.push([q, walk ? -2 - walks.length : -1]); // an index into `walks` until the region is placed
        if (walk) walks.push(walk);
      }
    }
  }
  if (e.block >= 0) dp.freeClassifier(e.block);
  const o = (e.block = dp.allocateClassifier(1 + 2 * entries.length + walks.reduce((n, w) => n + w.length, 0)));
  const t = dp.classifiers;
  let k = o + 1 + 2 * entries.length;
  const starts = walks.map((w) => {
    t.set(w, k);
    k += w.length;
    return k - w.length;
  });
  t[o] = entries.length;
  entries.forEach(([q, target], j) => {
    t[o + 1 + 2 * j] = q;
    t[o + 2 + 2 * j] = target < -1 ? -2 - starts[-target - 2] : target;
  });
  dp.classifierOf[e.anchorSlot] = o + 1;
}

/** QFI -> candidate PDRs in precedence order; PDRs without a QFI condition are in every list (index 64: no QFI). */
export function classifier(pdrs: PdrState[]): (PdrState[] | undefined)[] {
  const sorted = [...pdrs].sort((a, b) => a.spec.precedence - b.spec.precedence);
  const any = sorted.filter((p) => p.spec.qfis.length === 0);
  const out: (PdrState[] | undefined)[] = new Array(65);
  for (const p of sorted) for (const q of p.spec.qfis) out[q] ??= sorted.filter((x) => x.spec.qfis.length === 0 || x.spec.qfis.includes(q));
  if (any.length) out[64] = any;
  return out;
}
