import { describe, it, expect } from 'vitest';
import { DenseIdPool, Ipv4Pool, PoolExhausted } from '../../nodes/common/pools.ts';
import { ResourceLedger, ledgerDiff } from '../../nodes/common/ledger.ts';
import { configFromYaml, DEFAULT_CONFIG, loadConfig } from '../../nodes/common/config.ts';
import { subscribeTrace, trace, ladderLine, mermaidLadder, type TraceEvent } from '../../nodes/common/trace.ts';
import { Semaphore } from '../../nodes/common/concurrency.ts';

describe('pools', () => {
  it('DenseIdPool allocates each value once, reuses released ones, and reports exhaustion', () => {
    const p = new DenseIdPool('teid', 3);
    const got = [p.allocate(), p.allocate(), p.allocate()];
    expect(got.sort()).toEqual([1, 2, 3]);
    expect(() => p.allocate()).toThrowError(PoolExhausted);
    expect(p.release(2)).toBe(true);
    expect(p.release(2)).toBe(false); // double free is refused, not counted
    expect(p.release(99)).toBe(false);
    expect(p.inUse).toBe(2);
    expect(p.allocate()).toBe(2);
    expect(p.isAllocated(2)).toBe(true);
  });

  it('a 2^24 pool costs nothing up front and keeps O(1) allocate/release', () => {
    const p = new DenseIdPool('big', 1 << 24, 0x100);
    const t0 = performance.now();
    const ids: number[] = [];
    for (let i = 0; i < 200_000; i++) ids.push(p.allocate());
    for (const id of ids) p.release(id);
    expect(p.inUse).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('Ipv4Pool hands out host addresses of the CIDR, never network or broadcast', () => {
    const p = new Ipv4Pool('10.45.0.0/30');
    const a = [p.allocate(), p.allocate()].map(Ipv4Pool.format);
    expect(a).toEqual(['10.45.0.1', '10.45.0.2']);
    expect(() => p.allocate()).toThrowError(PoolExhausted);
    expect(p.release(Ipv4Pool.parse('10.45.0.1'))).toBe(true);
    expect(p.inUse).toBe(1);
  });

  it('Ipv4Pool does not hand a released address to the next session: every address of the range first, then the least recently released', () => {
    // issue 21: with the most recently released address reused at once, 100,000 sessions 200 at a
    // time went round ~77 addresses, and one stale BSF binding failed every later session given its address
    const p = new Ipv4Pool('10.45.0.0/29'); // 6 hosts
    const a = p.allocate();
    p.release(a);
    const next = [p.allocate(), p.allocate(), p.allocate(), p.allocate(), p.allocate()].map(Ipv4Pool.format);
    expect(next).toEqual(['10.45.0.2', '10.45.0.3', '10.45.0.4', '10.45.0.5', '10.45.0.6']);
    expect(Ipv4Pool.format(p.allocate())).toBe('10.45.0.1'); // the range used up: the one released
    p.release(Ipv4Pool.parse('10.45.0.4'));
    p.release(Ipv4Pool.parse('10.45.0.2'));
    p.release(Ipv4Pool.parse('10.45.0.6'));
    expect([p.allocate(), p.allocate(), p.allocate()].map(Ipv4Pool.format)).toEqual(['10.45.0.4', '10.45.0.2', '10.45.0.6']);
    expect(() => p.allocate()).toThrowError(PoolExhausted);
    expect(p.inUse).toBe(6);
  });

  it('an oldest-first pool whose ring overflows still finds every released value', () => {
    const size = (1 << 20) + 2;
    const p = new DenseIdPool('wide', size, 1, 'oldest-first');
    for (let i = 0; i < size; i++) p.allocate();
    for (let v = 1; v <= size; v++) p.release(v); // 2 more than the ring holds
    expect(p.inUse).toBe(0);
    const seen = new Uint8Array(size + 1);
    for (let i = 0; i < size; i++) seen[p.allocate()]++;
    expect(seen.indexOf(2)).toBe(-1);
    expect(p.inUse).toBe(size);
    expect(() => p.allocate()).toThrowError(PoolExhausted);
  });
});

describe('ledger', () => {
  it('reads gauges from the live structures and diffs snapshots', () => {
    const teids = new DenseIdPool('teid', 10);
    const contexts = new Map<number, string>();
    const l = new ResourceLedger('UPF').gauge('TEIDs', () => teids.inUse).gauge('sessions', () => contexts.size);
    const before = l.snapshot();
    const t = teids.allocate();
    contexts.set(t, 'x');
    expect(ledgerDiff(before, l.snapshot())).toEqual({ TEIDs: { before: 0, after: 1 }, sessions: { before: 0, after: 1 } });
    // one gauge read alone, as a run waiting for quiet polls it, reads what the table holds now
    expect([l.read('TEIDs'), l.read('sessions'), l.read('no such gauge')]).toEqual([1, 1, undefined]);
    teids.release(t);
    contexts.delete(t);
    expect(ledgerDiff(before, l.snapshot())).toEqual({});
  });
});

describe('config', () => {
  it('an empty file is the embedded default network', () => {
    expect(configFromYaml('')).toEqual(DEFAULT_CONFIG);
    expect(loadConfig()).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.plmn).toEqual({ mcc: '001', mnc: '01' });
    expect(DEFAULT_CONFIG.uePool).toBe('10.45.0.0/16');
  });

  it('merges overrides and rejects unknown keys and wrong types with the path', () => {
    const c = configFromYaml('plmn: {mcc: "208", mnc: "93"}\naddresses: {amf: 127.0.0.55}\nsecurity: {ciphering: NEA2}\n');
    expect(c.plmn).toEqual({ mcc: '208', mnc: '93' });
    expect(c.addresses.amf).toBe('127.0.0.55');
    expect(c.addresses.smf).toBe(DEFAULT_CONFIG.addresses.smf);
    expect(c.security.ciphering).toBe('NEA2');
    expect(() => configFromYaml('adresses: {}')).toThrowError(/adresses: unknown key/);
    expect(() => configFromYaml('tac: "one"')).toThrowError(/tac: expected number/);
  });
});

describe('trace', () => {
  it('publishes events to subscribers and renders the ladder', () => {
    const seen: TraceEvent[] = [];
    const off = subscribeTrace((e) => seen.push(e));
    trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: 'Registration request', step: '4.2.2.2.2 step 1' });
    off();
    trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: 'not seen' });
    expect(seen).toHaveLength(1);
    expect(ladderLine(seen[0])).toBe('UE   -> AMF  NAS Registration request  [4.2.2.2.2 step 1]');
    expect(mermaidLadder(seen)).toContain('UE->>AMF: NAS Registration request [4.2.2.2.2 step 1]');
  });
});

describe('Semaphore (issue 21: pacing a burst)', () => {
  it('runs at most `width` tasks at once, the others in arrival order, and passes on a failing task\'s slot', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string, fail = false) => s.run(async () => {
      order.push(`start ${name}`);
      await new Promise<void>((r) => gates.set(name, r));
      order.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
    const a = task('a', true), b = task('b'), c = task('c'), d = task('d');
    await Promise.resolve();
    expect(order).toEqual(['start a', 'start b']);
    expect(s.queued).toBe(2);
    gates.get('a')!();
    await expect(a).rejects.toThrow('a');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['start a', 'start b', 'end a', 'start c']);
    gates.get('b')!();
    gates.get('c')!();
    await Promise.all([b, c]);
    await new Promise((r) => setImmediate(r));
    gates.get('d')!();
    expect(await d).toBe('d');
    expect(s.stats).toEqual({ waited: 2, queuedAtMost: 2 });
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
