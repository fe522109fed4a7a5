// A Map whose entries are also found by a key of their values (the SM policy associations of one
// SUPI), kept up to date as entries are set and deleted: a per-UE lookup reads the entries of that
// UE instead of scanning every entry of the NF. A scan per PDU session made a burst of N sessions
// cost N^2/2 steps (issue 21: 2,000 sessions allocated 125 MiB in the PCF's scan alone,
// docs/decisions/21-nf-cpu.md). The indexed key of a value must not change while it is stored.

export class IndexedMap<K, V, I> extends Map<K, V> {
  private readonly index = new Map<I, Set<K>>();
  private readonly indexOf: (v: V) => I;

  constructor(indexOf: (v: V) => I) {
    super();
    this.indexOf = indexOf;
  }

  override set(k: K, v: V): this {
    if (this.has(k)) this.unindex(k, this.get(k)!);
    super.set(k, v);
    const i = this.indexOf(v);
    let keys = this.index.get(i);
    if (!keys) this.index.set(i, (keys = new Set()));
    keys.add(k);
    return this;
  }

  override delete(k: K): boolean {
    if (!this.has(k)) return false;
    this.unindex(k, this.get(k)!);
    return super.delete(k);
  }

  override clear(): void {
    this.index.clear();
    super.clear();
  }

  /** The entries whose value has index key `i`, in the order they were set. */
  *entriesWith(i: I): IterableIterator<[K, V]> {
    for (const k of this.index.get(i) ?? []) yield [k, this.get(k)!];
  }

  private unindex(k: K, v: V): void {
    const i = this.indexOf(v);
    const keys = this.index.get(i);
    keys?.delete(k);
    if (keys?.size === 0) this.index.delete(i);
  }
}
