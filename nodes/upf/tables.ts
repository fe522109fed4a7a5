// The UPF's rule tables, shared by the packet path (datapath.ts) and rule installation
// (install.ts). Layout for the N3/N9 hot path (ARCHITECTURE "The UPF hot path"):
//
// - Every PDR has a slot; its hot record is 2 int32 in one typed array (eight PDRs per cache
//   line): [control word, counts word (packets and octets)]; a UE address condition is beside it,
//   read only off the fast path (flat.ts).
// - A TEID the UPF chooses (CH, TS 29.244 5.5.3) is the slot of the PDR it was chosen for, plus
//   one: the uplink lookup is one read of that record, as cheap as indexing a typed array by TEID.
//   When several PDRs share the F-TEID (CHOOSE ID, 7.5.3.2) the record says CLASSIFY and the PDR
//   is found by QFI, then by SDF filter in precedence order. A TEID the SMF assigned (CH = 0) is
//   found in a Map.
// - The control word holds, beside the FAR's Apply Action, whatever the packet path must check:
//   a QFI or UE-address condition, a closed gate, a used-up quota, an outer header to create, or
//   SLOW (an MBR or a volume threshold/quota to account per packet). The common case — FORW with
//   nothing else — is one masked compare.

import type { PdrSpec, FarSpec, BarSpec } from './rules.ts';
import type { CompiledSdf } from './sdf.ts';
import type { UrrState, QerState, CountedPdr } from './usage.ts';

/** TS 29.244 8.2.26 Apply Action flags, as the data path applies them (low byte of the control word). */
export const FarAction = { DROP: 0x01, FORW: 0x02, BUFF: 0x04, NOCP: 0x08, DUPL: 0x10 } as const;

export const Ctl = {
  /** This slot is the anchor of the UPF-chosen TEID slot + 1. */
  ANCHOR: 1 << 8,
  /** Several PDRs (or SDF filters) behind this TEID: classify. */
  CLASSIFY: 1 << 9,
  /** An MBR or a volume threshold/quota: per-packet QER/URR work. */
  SLOW: 1 << 10,
  GATE_CLOSED: 1 << 11,
  QUOTA_EXHAUSTED: 1 << 12,
  /** The FAR creates an outer GTP-U header (towards the gNB, N9 or the CP function). */
  OHC: 1 << 13,
  /** The uplink packet's source must be the UE address in word 3. */
  UE_COND: 1 << 14,
  /** The packet's QFI must be bits 16-21. */
  QFI_COND: 1 << 15,
  /** Mark the outer header with the QFI in bits 23-28. */
  MARK: 1 << 22,
} as const;

/** Bits that send a packet off the fast path (everything but ANCHOR, the conditions and the marking). */
export const SLOW_MASK = 0xff | Ctl.CLASSIFY | Ctl.SLOW | Ctl.GATE_CLOSED | Ctl.QUOTA_EXHAUSTED | Ctl.OHC;
export { RECORD } from './flat.ts';

export interface TunnelPeer {
  address: string;
  port: number;
}

export interface FarState {
  spec: FarSpec;
  peer: TunnelPeer | undefined;
}

export interface PdrState extends CountedPdr {
  spec: PdrSpec;
  session: SessionState;
  far: FarState;
  qers: QerState[];
  urrs: UrrState[];
  entry: TeidEntry | undefined;
  /** The QFI the outer header carries (QER QFI, else the PDR's own), or -1. */
  markQfi: number;
  /** The PDI as the precedence walk matches it, without visiting the spec or the session: a UE address condition (signed 32-bit), "assigned" of the SDF filters, the filters. */
  hasUe: boolean;
  ue: number;
  assigned: number;
  sdf: CompiledSdf[];
}

export interface TeidEntry {
  teid: number;
  chooseId: number | undefined;
  /** CH = 0: the SMF assigned it (found through the Map). */
  smfAssigned: boolean;
  /** The record the lookup lands on: slot = TEID - 1 when the UPF chose the TEID. */
  anchorSlot: number;
  /** The anchor's PDR is gone but other PDRs still use the TEID. */
  hollow: boolean;
  pdrs: PdrState[];
  /** QFI -> PDRs to try in precedence order (PDRs without a QFI condition in every list); index 64: packets without a QFI. */
  byQfi: (PdrState[] | undefined)[];
  /** Its classifier's start in UpfDatapath.classifiers (the flat form of byQfi), or -1. */
  block: number;
}

/**
 * A shared TEID's classifier, flat in an Int32Array so that the common case — the packet's QFI
 * names one PDR without SDF filters — costs two reads near each other: [m, (qfi, target) x m,
 * then the flat walks], QFI 64 (last) standing for "any other QFI or none"; target slot + 1, or
 * 0: no PDR, or: try the PDRs of that QFI in precedence order (UE address, SDF filters) — -2 - i:
 * over the flat walk at `classifiers[i]`, in the same region (flat-walk.ts), -1: over the
 * objects (TeidEntry.byQfi; when a filter has several port ranges, or the QFIs are more than
 * CLASSIFIER_MAX_QFIS).
 */
export const CLASSIFIER_MAX_QFIS = 9;
/** int32 per SDF filter in a flat walk (flat-walk.ts). */
export const WALK_FILTER = 11;

export interface BufferedPacket {
  pdr: PdrState;
  /** DOWNLINK_HEADROOM octets then the packet. */
  bytes: Uint8Array;
}

/** A session's rules as objects; what deletion needs is also in its row of the flat tables (flat.ts). */
export interface SessionState {
  /** UP SEID: the session's row + 1. */
  seid: number;
  index: number;
  pdrs: PdrState[];
  fars: FarState[];
  qers: QerState[];
  urrs: UrrState[];
  bar: BarSpec | undefined;
  entries: TeidEntry[];
  ueAddresses: number[];
  /** The one downlink PDR without SDF filters, or -1 (then `dlList` in precedence order). */
  dlSingle: number;
  dlList: PdrState[];
  buffered: BufferedPacket[];
  /** A Downlink Data Report was sent (or is due at ddrDueAt) since the FAR last changed. */
  ddrSent: boolean;
  ddrDueAt: number;
  ddrPdr: PdrState | undefined;
  timed: boolean;
}
