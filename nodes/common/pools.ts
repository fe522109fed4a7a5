// Identifier and address pools a node allocates from: TEIDs, SEIDs, NGAP UE IDs, 5G-TMSIs,
// PDU session addresses. Each is dense (values 1..size) with an O(1) free-list, so a UPF can use
// the TEID itself as the index of its session table and a teardown returns values in O(1).
// `inUse` is what the resource ledger reports: the pool is the truth, nothing counts twice.

export class PoolExhausted extends Error {
  readonly pool: string;
  constructor(pool: string) {
    super(`${pool}: pool exhausted`);
    this.pool = pool;
    this.name = 'PoolExhausted';
  }
}

export class DenseIdPool {
  readonly name: string;
  /** Values are `base + 0 .. base + size - 1`. */
  readonly base: number;
  readonly size: number;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Next never-used slot: the pool grows into its range lazily, so a 16M pool costs nothing up front. */
  private fresh = 0;
  private readonly used: Uint8Array;
  inUse = 0;

  constructor(name: string, size: number, base = 1) {
    if (size <= 0 || base + size - 1 > 0xffffffff) throw new RangeError(`${name}: bad pool size ${size} from ${base}`);
    this.name = name;
    this.base = base;
    this.size = size;
    this.free = new Int32Array(Math.min(size, 1 << 20));
    this.freeTop = 0;
    this.used = new Uint8Array(size);
  }

  allocate(): number {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
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
    if (this.freeTop < this.free.length) this.free[this.freeTop++] = slot;
    else this.reclaimFresh(slot);
    return true;
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
    this.ids = new DenseIdPool(`ue-ip ${cidr}`, 2 ** hostBits - 2, 1);
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
