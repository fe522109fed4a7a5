// Two patterns the NFs share.
//
// KeyedSerializer: runs tasks for one key one after another (a subscriber's SQN, its remaining
// allowed usage), while tasks for different keys run concurrently.
//
// SharedSubscriptions: one remote subscription per key, shared by every local user of it (the
// SMF's SDM subscription per (SUPI, DNN, S-NSSAI), the PCF's UDR subscription likewise): created
// by the first user, removed by the last (TS 23.502 4.2.2.3.2 step 5b, 4.16.6 step 8).

/** A settled promise to chain the first task of a key on. */
const SETTLED: Promise<void> = Promise.resolve();

export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  get pending(): number {
    return this.tails.size;
  }

  /**
   * Runs `task` after the tasks run before for `key` have settled (at the earliest in a microtask).
   * The key's tail settles with the task, either way, and leaves the table then unless a later task
   * has queued behind it: one promise and one closure besides the task's own (there were three
   * promises and two closures per task, for the UDM's SQN and the PCF's usage and CHF writes of
   * every UE; issue 21 goal 3).
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? SETTLED).then(task, task);
    const settled = (): void => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const tail: Promise<void> = result.then(settled, settled);
    this.tails.set(key, tail);
    return result;
  }
}

export class SharedSubscriptions {
  private readonly subs = new Map<string, { uri: Promise<string>; users: number }>();

  get size(): number {
    return this.subs.size;
  }

  /**
   * Adds a user of the subscription for `key`, creating it with `subscribe` (which resolves to
   * the subscription's URI) when this is the first; a failed creation is forgotten and rethrown.
   */
  async acquire(key: string, subscribe: () => Promise<string>): Promise<void> {
    let s = this.subs.get(key);
    if (!s) {
      s = { uri: subscribe(), users: 0 };
      this.subs.set(key, s);
      const created = s;
      try {
        await created.uri;
      } catch (e) {
        if (this.subs.get(key) === created) this.subs.delete(key);
        throw e;
      }
    } else {
      await s.uri;
    }
    s.users++;
  }

  /** Removes a user; when it was the last, forgets the key and returns the URI to unsubscribe. */
  async release(key: string): Promise<string | undefined> {
    const s = this.subs.get(key);
    if (!s || --s.users > 0) return undefined;
    this.subs.delete(key);
    return s.uri;
  }
}

/**
 * At most `width` tasks running at once; the others wait in arrival order. A node uses it to pace
 * work whose every step is a request to other nodes, so that a burst queues here, where no timer
 * runs, instead of in its peers' sockets, where the requests time out (issue 21).
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  readonly width: number;
  /** Tasks that had to wait, and the longest queue seen. */
  readonly stats = { waited: 0, queuedAtMost: 0 };

  constructor(width: number) {
    if (!(width >= 1)) throw new RangeError(`a semaphore needs a width of 1 or more, got ${width}`);
    this.width = width;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.width) {
      this.stats.waited++;
      await new Promise<void>((r) => {
        this.waiting.push(r);
        this.stats.queuedAtMost = Math.max(this.stats.queuedAtMost, this.waiting.length);
      });
    } else this.running++;
    try {
      return await task();
    } finally {
      // the slot passes to the next task in line (running stays the same), or is freed
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
