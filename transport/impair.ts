// A seeded loss / duplicate / reorder injector for a datagram socket's send path, so tests can
// show that a protocol above survives a lossy network (e.g. N2 over SCTP at 10% loss).

export interface ImpairmentOptions {
  seed: number;
  /** Probability of dropping a datagram. */
  loss?: number;
  /** Probability of sending a datagram twice. */
  duplicate?: number;
  /** Probability of holding a datagram back and sending it after the next one. */
  reorder?: number;
}

/** What an endpoint accepts as its send-path impairment (tests may pass a recording fake). */
export interface DatagramImpairment {
  apply(bytes: Uint8Array, send: (b: Uint8Array) => void): void;
}

export class Impairment implements DatagramImpairment {
  private s: number;
  /** Rates in force; change them mid-test (e.g. `loss = 1` to cut the path). */
  readonly o: ImpairmentOptions;
  private held: Uint8Array | undefined;
  readonly stats = { dropped: 0, duplicated: 0, reordered: 0, passed: 0 };

  constructor(o: ImpairmentOptions) {
    this.o = { ...o };
    this.s = o.seed >>> 0 || 1;
  }

  private random(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }

  /** Sends `bytes` through `send` as the impairment decides. */
  apply(bytes: Uint8Array, send: (b: Uint8Array) => void): void {
    if (this.random() < (this.o.loss ?? 0)) {
      this.stats.dropped++;
      return;
    }
    if (this.held === undefined && this.random() < (this.o.reorder ?? 0)) {
      this.held = bytes;
      this.stats.reordered++;
      return;
    }
    this.stats.passed++;
    send(bytes);
    if (this.random() < (this.o.duplicate ?? 0)) {
      this.stats.duplicated++;
      send(bytes);
    }
    if (this.held) {
      const h = this.held;
      this.held = undefined;
      send(h);
    }
  }
}
