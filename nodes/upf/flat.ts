// The UPF's per-slot state in typed arrays (struct of arrays), so that the packet path and N4
// Session Deletion touch a few cache lines instead of a graph of objects
// (docs/decisions/upf.md, "Flat layout"):
//
// - hot: 2 int32 per PDR slot, 8 octets, eight to a cache line: [control word, counts]. The counts
//   word holds the packets in its low COUNT_SHIFT bits and the octets above them; it spills into
//   the cold record before either field can carry over (SPILL), so the packet path counts with one
//   addition to the line its control word is on (docs/decisions/20-upf-speed-4.md).
// - ue: 1 int32 per PDR slot, the UE address condition of an uplink PDR (read off the fast path).
// - cold: 16 doubles per PDR slot: [next PDR slot of the session (-1: last), uplink, spilled
//   octets, spilled packets, then up to MAX_URRS_PER_PDR URR links of (URR slot + 1, octets and
//   packets counted when the link or the URR's measurement began), packed from the first].
// - urr: 8 doubles per URR slot: [measurement start, UR-SEQN, carried UL octets, UL packets, DL
//   octets, DL packets (counted by links that went), URR ID * 2 + volume measured, next URR slot].
// - row: 8 doubles per session: [live, first PDR slot, first URR slot, dropped packets, flags,
//   UE address + 1 (0: none; the only one), -, -].
//
// Free slots are kept on LIFO stacks (no "in use" bitmap to read back on release: a slot is
// released only through its session's chains).

/** int32 per hot record, as a shift (the packet paths index with `slot << RECORD_SHIFT`). */
export const RECORD_SHIFT = 1;
export const RECORD = 1 << RECORD_SHIFT;
export const COLD = 16;
export const COLD_LINKS = 4;
export const MAX_URRS_PER_PDR = 4;
export const URR_RECORD = 8;
export const ROW = 8;
/** Bits of the counts word that count packets; the octets are counted above them. */
export const COUNT_SHIFT = 11;
/**
 * The counts word spills into the cold record when its packets reach 2^10 or its octets 2^20
 * (bit 31): before the addition neither was there, so a packet of under 2^20 octets carries into
 * neither the octet field (packets <= 2^10 < 2^11) nor past bit 31, and the word read as unsigned
 * is exact. One addition per packet: `w + (octets << COUNT_SHIFT) + 1`.
 */
export const SPILL = (1 << 31) | (1 << 10);
/** Octets one counted packet may have (a larger one is counted in the cold record directly). */
export const COUNT_MAX_OCTETS = 1 << 20;

/** Session row flags: what N4 Session Deletion must do beyond the flat tables. */
export const RowFlag = {
  /** Buffered packets, timed URRs or reports, SMF-assigned TEIDs, a TEID kept by no PDR, several UE addresses. */
  OBJECTS: 1,
} as const;

/** A LIFO stack of free slots 0..size-1, handed out fresh first. */
export class SlotStack {
  readonly name: string;
  readonly size: number;
  private readonly free: Int32Array;
  private top = 0;
  private fresh = 0;
  inUse = 0;

  constructor(name: string, size: number) {
    this.name = name;
    this.size = size;
    this.free = new Int32Array(size);
  }

  get available(): number {
    return this.size - this.inUse;
  }

  /** A free slot, or -1 when there is none. */
  allocate(): number {
    let s: number;
    if (this.top > 0) s = this.free[--this.top];
    else if (this.fresh < this.size) s = this.fresh++;
    else return -1;
    this.inUse++;
    return s;
  }

  release(slot: number): void {
    this.free[this.top++] = slot;
    this.inUse--;
  }
}

/**
 * Where a large ArrayBuffer's memory starts past a cache line: Node's allocator gets a buffer of
 * more than 32 MB (glibc's largest mmap threshold) from mmap, after a 16-octet chunk header, so
 * a 64-octet record at offset 0 of a million-session table straddles two cache lines, and 48
 * octets in it starts on one. Measured, not assumed (docs/decisions/20-upf-deletion-1m.md): a
 * second word of random 64-octet records costs more from word 6 on at offset 0, the same for
 * every word at offset 48. Elsewhere (another allocator, a small table) it is only 48 octets.
 */
const LINE_SKIP = 48;

/** A zeroed Float64Array of `length` whose 64-octet records start on cache lines (LINE_SKIP). */
function lineAligned(length: number): Float64Array {
  return new Float64Array(new ArrayBuffer(LINE_SKIP + length * 8), LINE_SKIP, length);
}

export class FlatTables {
  readonly hot: Int32Array;
  /** The UE address condition of an uplink PDR, by slot (Ctl.UE_COND says whether it applies). */
  readonly ue: Int32Array;
  readonly cold: Float64Array;
  readonly urr: Float64Array;
  readonly row: Float64Array;
  readonly pdrSlots: SlotStack;
  readonly urrSlots: SlotStack;
  readonly sessionSlots: SlotStack;

  constructor(sessions: number, pdrs: number, urrs: number) {
    this.hot = new Int32Array(pdrs * RECORD);
    this.ue = new Int32Array(pdrs);
    this.cold = lineAligned(pdrs * COLD);
    this.urr = lineAligned(urrs * URR_RECORD);
    this.row = lineAligned(sessions * ROW);
    this.pdrSlots = new SlotStack('UPF PDR slot', pdrs);
    this.urrSlots = new SlotStack('UPF URR slot', urrs);
    this.sessionSlots = new SlotStack('UPF UP SEID', sessions);
  }

  /**
   * Forwarded packets that are in no slot's counts word: spilled from one into a cold record,
   * counted there directly, or on a word since cleared (a slot released or reused). Every packet
   * a counts word counts is one the packet paths forwarded, and each forwarded packet is counted
   * on its PDR's slot, so the UPF's forwarded packets are this plus every word's packets
   * (forwarded()): the packet paths keep no separate count (issue 20).
   */
  packetsOutsideWords = 0;

  /** Packets forwarded since the tables were made (O(PDR slots): for summaries, not per packet). */
  forwarded(): number {
    const hot = this.hot;
    let n = this.packetsOutsideWords;
    for (let k = 1; k < hot.length; k += RECORD) n += hot[k] & ((1 << COUNT_SHIFT) - 1);
    return n;
  }

  /** Clears a slot's record, its counted packets kept in packetsOutsideWords. */
  clearRecord(slot: number): void {
    const k = slot * RECORD;
    this.packetsOutsideWords += this.hot[k + 1] & ((1 << COUNT_SHIFT) - 1);
    this.hot[k] = this.hot[k + 1] = 0;
  }

  /** Octets a PDR slot counted since it was installed. */
  octets(slot: number): number {
    return this.cold[slot * COLD + 2] + (this.hot[slot * RECORD + 1] >>> COUNT_SHIFT);
  }

  packets(slot: number): number {
    return this.cold[slot * COLD + 3] + (this.hot[slot * RECORD + 1] & ((1 << COUNT_SHIFT) - 1));
  }

  /** Moves a slot's counts word into its cold record (when SPILL says so, or before a large packet). */
  spill(slot: number): void {
    const k = slot * RECORD + 1, c = slot * COLD;
    const w = this.hot[k];
    this.cold[c + 2] += w >>> COUNT_SHIFT;
    this.cold[c + 3] += w & ((1 << COUNT_SHIFT) - 1);
    this.packetsOutsideWords += w & ((1 << COUNT_SHIFT) - 1);
    this.hot[k] = 0;
  }

  /** Counts one packet of `octets` on a slot (the paths that are not inline). */
  count(slot: number, octets: number): void {
    const k = slot * RECORD + 1;
    if (octets >= COUNT_MAX_OCTETS) {
      this.spill(slot);
      this.cold[slot * COLD + 2] += octets;
      this.cold[slot * COLD + 3] += 1;
      this.packetsOutsideWords += 1;
      return;
    }
    const w = (this.hot[k] + (octets << COUNT_SHIFT) + 1) | 0;
    this.hot[k] = w;
    if (w & SPILL) this.spill(slot);
  }

  /** A fresh PDR slot: zero record, no links, not yet chained. */
  clearPdr(slot: number, uplink: boolean): void {
    this.clearRecord(slot);
    this.ue[slot] = 0;
    const c = slot * COLD;
    this.cold.fill(0, c, c + COLD);
    this.cold[c] = -1;
    this.cold[c + 1] = uplink ? 1 : 0;
  }

  clearUrr(slot: number, id: number, volume: boolean, now: number): void {
    const u = slot * URR_RECORD;
    this.urr.fill(0, u, u + URR_RECORD);
    this.urr[u] = now;
    this.urr[u + 6] = id * 2 + (volume ? 1 : 0);
    this.urr[u + 7] = -1;
  }

  /** The cold-record index of the link from PDR `slot` to URR `urrSlot`, or -1. */
  link(slot: number, urrSlot: number): number {
    const c = slot * COLD + 4;
    for (let j = 0; j < COLD_LINKS; j++) if (this.cold[c + 3 * j] === urrSlot + 1) return c + 3 * j;
    return -1;
  }

  /** Links PDR `slot` to URR `urrSlot`: it counts for the URR from now. */
  addLink(slot: number, urrSlot: number): void {
    const c = slot * COLD + 4;
    for (let j = 0; j < COLD_LINKS; j++) {
      const l = c + 3 * j;
      if (this.cold[l] !== 0) continue;
      this.cold[l] = urrSlot + 1;
      this.cold[l + 1] = this.octets(slot);
      this.cold[l + 2] = this.packets(slot);
      return;
    }
    throw new RangeError(`PDR slot ${slot}: more than ${MAX_URRS_PER_PDR} URRs`);
  }

  /** Adds what the link at `l` counted to its URR's carried measurement (the link stays: foldLink removes it). */
  foldCount(slot: number, l: number): void {
    const cold = this.cold;
    const u = ((cold[l] - 1) | 0) * URR_RECORD + (cold[slot * COLD + 1] ? 2 : 4);
    this.urr[u] += this.octets(slot) - cold[l + 1];
    this.urr[u + 1] += this.packets(slot) - cold[l + 2];
  }

  /**
   * Folds what a link counted into its URR's carried measurement and removes the link. The last
   * link takes its place: a slot's links are packed from the first, so N4 Session Deletion reads
   * no further than the first empty one (teardown.ts).
   */
  foldLink(slot: number, l: number): void {
    this.foldCount(slot, l);
    const cold = this.cold;
    let last = slot * COLD + 4 + 3 * (COLD_LINKS - 1);
    while (last > l && cold[last] === 0) last -= 3;
    if (last > l) cold.copyWithin(l, last, last + 3);
    cold[last] = cold[last + 1] = cold[last + 2] = 0;
  }
}
