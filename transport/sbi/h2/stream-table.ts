// The open streams of one HTTP/2 connection by identifier (RFC 9113 5.1.1). Identifiers grow by
// two with each new stream (all of a connection's streams are the client's, odd: no server push)
// and streams mostly close in about the order they opened, so a ring of slots indexed by the low
// bits of identifier / 2 (consecutive streams in consecutive slots) holds them without the allocations a Map makes as it
// grows and shrinks with the streams in flight (its tables are rebuilt at every doubling and
// quartering). A slot taken by a stream still open grows the ring up to MAX_SLOTS; beyond that the
// older stream (one kept open long, e.g. for a late answer) moves to a Map, so memory stays bounded.

import type { H2Stream } from './stream.ts';

const FIRST_SLOTS = 64;
const MAX_SLOTS = 4096;

export class StreamTable {
  private slots: (H2Stream | undefined)[] = new Array<H2Stream | undefined>(FIRST_SLOTS).fill(undefined);
  private mask = FIRST_SLOTS - 1;
  private inSlots = 0;
  /** Streams whose slot a much newer stream needed. */
  private readonly overflow = new Map<number, H2Stream>();

  get size(): number {
    return this.inSlots + this.overflow.size;
  }

  get(id: number): H2Stream | undefined {
    const s = this.slots[(id >>> 1) & this.mask];
    if (s !== undefined && s.id === id) return s;
    return this.overflow.size ? this.overflow.get(id) : undefined;
  }

  /** Adds a stream (its identifier set, not yet in the table). */
  add(s: H2Stream): void {
    for (;;) {
      const i = (s.id >>> 1) & this.mask;
      const held = this.slots[i];
      if (held === undefined) {
        this.slots[i] = s;
        this.inSlots++;
        return;
      }
      if (this.slots.length < MAX_SLOTS) {
        this.grow();
        continue;
      }
      this.overflow.set(held.id, held);
      this.slots[i] = s;
      return;
    }
  }

  delete(s: H2Stream): void {
    const i = (s.id >>> 1) & this.mask;
    if (this.slots[i] === s) {
      this.slots[i] = undefined;
      this.inSlots--;
    } else if (this.overflow.size) {
      this.overflow.delete(s.id);
    }
  }

  /** The streams, oldest (lowest identifier) first. */
  values(): H2Stream[] {
    const out: H2Stream[] = [...this.overflow.values()];
    for (const s of this.slots) if (s !== undefined) out.push(s);
    return out.sort((a, b) => a.id - b.id);
  }

  /** Doubles the ring; streams that would share a slot in it double it again (or overflow at MAX_SLOTS). */
  private grow(): void {
    const old = this.slots;
    this.slots = new Array<H2Stream | undefined>(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    this.inSlots = 0;
    for (const s of old) if (s !== undefined) this.add(s);
  }
}
