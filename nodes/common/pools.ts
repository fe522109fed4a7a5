// Identifier and address pools a node allocates from: TEIDs, SEIDs, NGAP UE IDs, 5G-TMSIs,
// PDU session addresses. Each is dense (values 1..size) with an O(1) free-list, so a UPF can use
// the TEID itself as the index of its session table and a teardown returns values in O(1).
// `inUse` is what the resource ledger reports: the pool is the truth, nothing counts twice.
//
// Reuse order: identifiers (TEIDs, SEIDs, NGAP IDs) come back most recently released first
// (a stack: the tables they index stay dense and warm). PDU session addresses come back least
// recently released first, and only once every address of the range has been used (a FIFO
// after a cursor): state about an address that outlived its session elsewhere (a BSF binding
// of a PCF association nobody terminated) then meets the next session of that address as late
// as the pool allows, not the very next session (issue 21: a LIFO pool handed ~77 addresses
// round 100,000 sessions, so one stale binding failed thousands of them).

export class PoolExhausted extends Error {
  readonly pool: string;
  constructor(pool: string) {
    super(`${pool}: pool exhausted`);
    this.pool = pool;
    this.name = 'PoolExhausted';
  }
}

/** Which released value `allocate` hands out next (see the file's head). */
export type PoolReuse = 'newest-first' | 'oldest-first';

export class DenseIdPool {
  readonly name: string;
  /** Values are `base + 0 .. base + size - 1`. */
  readonly base: number;
  readonly size: number;
  readonly reuse: PoolReuse;
  /** Released slots: a stack (`newest-first`) or a ring from `freeHead` (`oldest-first`). */
  private readonly free: Int32Array;
  private freeTop: number;
  private freeHead = 0;
  /** Next never-used slot: the pool grows into its range lazily, so a 16M pool costs nothing up front. */
  private fresh = 0;
  /** `oldest-first` only: released slots the full ring could not hold, found again by `scan`. */
  private unqueued = 0;
  private scanAt = 0;
  private readonly used: Uint8Array;
  inUse = 0;

  constructor(name: string, size: number, base = 1, reuse: PoolReuse = 'newest-first') {
    if (size <= 0 || base + size - 1 > 0xffffffff) throw new RangeError(`${name}: bad pool size ${size} from ${base}`);
    this.name = name;
    this.base = base;
    this.size = size;
    this.reuse = reuse;
    this.free = new Int32Array(Math.min(size, 1 << 20));
    this.freeTop = 0;
    this.used = new Uint8Array(size);
  }

  allocate(): number {
    let slot: number;
    if (this.reuse === 'oldest-first') slot = this.allocateOldest();
    else if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else if (this.fresh < this.size) slot = this.fresh++;
    else throw new PoolExhausted(this.name);
    this.used[slot] = 1;
    this.inUse++;
    return this.base + slot;
  }

  /** Returns a value to the pool; false (and no change) if it was not allocated. */
  release(value: number): boolean {
    const slot = value - this.base;
    if (slot < 0 || slot >= this.size || this.used[slot] === 0) return false;
    this.used[slot] = 0;
    this.inUse--;
    if (this.reuse === 'oldest-first') this.enqueue(slot);
    else if (this.freeTop < this.free.length) this.free[this.freeTop++] = slot;
    else this.reclaimFresh(slot);
    return true;
  }

  /** Never-used slots first (a cursor through the range), then the released ones in release order: O(1). */
  private allocateOldest(): number {
    if (this.fresh < this.size) return this.fresh++;
    if (this.freeTop > 0) {
      const slot = this.free[this.freeHead];
      this.freeHead = (this.freeHead + 1) % this.free.length;
      this.freeTop--;
      return slot;
    }
    if (this.unqueued > 0) return this.scan();
    throw new PoolExhausted(this.name);
  }

  private enqueue(slot: number): void {
    if (this.freeTop === this.free.length) {
      this.unqueued++; // only in a pool over 2^20 with over 2^20 released at once
      return;
    }
    this.free[(this.freeHead + this.freeTop) % this.free.length] = slot;
    this.freeTop++;
  }

  /**
   * A released slot the ring did not hold: the next unused one from where the last scan stopped.
   * Called only with the ring empty and the range used up, so every unused slot is such a one.
   */
  private scan(): number {
    for (;;) {
      const slot = this.scanAt;
      this.scanAt = (this.scanAt + 1) % this.size;
      if (this.used[slot] === 0) {
        this.unqueued--;
        return slot;
      }
    }
  }

  isAllocated(value: number): boolean {
    const slot = value - this.base;
    return slot >= 0 && slot < this.size && this.used[slot] === 1;
  }

  /** Free-list full (only for pools larger than 2^20): lower `fresh` when the slot is its tail. */
  private reclaimFresh(slot: number): void {
    if (slot === this.fresh - 1) this.fresh--;
    // Otherwise the slot stays unused until `fresh` wraps: the pool is still correct, only sparse.
  }
}

/** IPv4 addresses of a CIDR block for PDU sessions (network and broadcast excluded). */
export class Ipv4Pool {
  readonly cidr: string;
  private readonly network: number;
  private readonly ids: DenseIdPool;

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new TypeError(`not an IPv4 CIDR: ${cidr}`);
    const prefix = Number(m[5]);
    if (prefix < 8 || prefix > 30) throw new RangeError(`prefix /${prefix} out of range /8../30`);
    const addr = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const hostBits = 32 - prefix;
    this.network = (addr >>> hostBits) << hostBits >>> 0;
    this.cidr = cidr;
    // least recently released first (the file's head): an address is reused as late as the pool allows
    this.ids = new DenseIdPool(`ue-ip ${cidr}`, 2 ** hostBits - 2, 1, 'oldest-first');
  }

  get inUse(): number {
    return this.ids.inUse;
  }

  /** Allocates an address (as a 32-bit number). */
  allocate(): number {
    return (this.network + this.ids.allocate()) >>> 0;
  }

  release(addr: number): boolean {
    return this.ids.release(addr - this.network);
  }

  static format(addr: number): string {
    return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
  }

  static parse(text: string): number {
    const p = text.split('.').map(Number);
    return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
  }
}
