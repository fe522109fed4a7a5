// A core thread that dies during a run (review 2026-12-07b rv6, 127.0.144.x): the run fails naming
// the thread's NFs, and still writes its outputs: the dead thread never closed its capture file
// (what it buffered is lost, an empty file at first), which the merge of the threads' captures
// must not choke on. A thread that dies while UEs are under way: they are given up at once, not
// left to their NAS timers (T3580 x 5, about 80 s, for a PDU session whose SMF is gone).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ThreadedCore } from '../../nodes/core-threads/threaded-core.ts';
import { runScenario } from '../../nodes/scenario.ts';
import { readCaptureFile } from '../../codecs/capture/files.ts';
import { testConfig } from '../helpers/network.ts';
import { bin } from '../helpers/wire5g.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { HaltableClock } from '../../transport/clock.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a core thread that dies during a run', () => {
  it('fails the run naming its NFs; the outputs are written, run.pcapng from the threads that lived', async () => {
    const seed = ThreadedCore.prototype.seed;
    // once the UDR is seeded, the second thread (UDR+PCF+UPF+SMF+...) ends as a thread that crashed would
    vi.spyOn(ThreadedCore.prototype, 'seed').mockImplementation(async function (this: ThreadedCore, subscribers) {
      await seed.call(this, subscribers);
      const second = (this as unknown as { threads: { worker: Worker }[] }).threads[1].worker;
      await second.terminate();
    });
    const out = mkdtempSync(join(tmpdir(), 'wire5g-thread-death-'));
    const cfg = testConfig(144);
    cfg.ue.count = 1;
    const r = await runScenario(cfg, { outDir: out, threads: 2, threadEntry: { script: bin }, pings: 1 });
    expect(r.ok).toBe(false);
    expect((r.summary.procedures as { detail?: string }[]).map((p) => p.detail ?? '').join('\n')).toContain('core thread UDR+PCF+UPF+SMF+BSF+CHF+NWDAF+AF exited');
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']);
    expect([...readCaptureFile(new Uint8Array(readFileSync(join(out, 'run.pcapng'))))].length).toBeGreaterThan(0); // the NG Setup at least
  }, 60_000);

  it('gives up the UEs under way at once, failed with the line naming the thread, instead of on their NAS timers', async () => {
    const started = ThreadedCore.start;
    let core: ThreadedCore | undefined;
    vi.spyOn(ThreadedCore, 'start').mockImplementation(async (...args) => (core = await started.apply(ThreadedCore, args)));
    // the first UE's PDU Session Establishment Request is on its way when the SMF's thread ends
    const establish = Ue.prototype.establishPduSession;
    vi.spyOn(Ue.prototype, 'establishPduSession').mockImplementation(function (this: Ue, ...args) {
      void (core as unknown as { threads: { worker: Worker }[] }).threads[1].worker.terminate();
      return establish.apply(this, args);
    });
    // the given-up UE's timers are halted: its T3580 would otherwise retransmit, 16 s later, to the
    // stopped gNB (an uncaught "gNB is stopped" in whatever runs then; HaltableClock: clock.test.ts)
    const halt = vi.spyOn(HaltableClock.prototype, 'halt');
    const out = mkdtempSync(join(tmpdir(), 'wire5g-thread-death-'));
    const cfg = testConfig(144);
    cfg.ue.count = 2;
    const began = performance.now();
    const r = await runScenario(cfg, { outDir: out, threads: 2, threadEntry: { script: bin }, pings: 1 });
    const tookMs = performance.now() - began;
    expect(r.ok).toBe(false);
    // the UE under way failed with the thread's line, not a T3580 expiry; the second never started
    expect(r.ues.map((u) => [u.supi, u.error])).toEqual([[r.ues[0].supi, 'given up: core thread UDR+PCF+UPF+SMF+BSF+CHF+NWDAF+AF exited (code 1)']]);
    expect(tookMs).toBeLessThan(40_000); // 80 s and more on the UE's timers before
    expect(halt).toHaveBeenCalledTimes(1);
  }, 90_000);

  // review rv11: the ping loop went on after the give-up. An echo reply that lands just after it
  // (here: the AMF's thread dies under the first ping, whose reply comes once the UE is given up)
  // put an RTT into the given-up UE's outcome and started the next ping through the stopped gNB,
  // a procedure of a UE the run had already counted failed and finished
  it('a given-up UE starts nothing more: a ping answered after the give-up is neither kept nor followed by the next', async () => {
    const started = ThreadedCore.start;
    let core: ThreadedCore | undefined;
    vi.spyOn(ThreadedCore, 'start').mockImplementation(async (...args) => (core = await started.apply(ThreadedCore, args)));
    let pings = 0;
    vi.spyOn(Ue.prototype, 'ping').mockImplementation(async () => {
      if (++pings > 1) return 1.5;
      const amfThread = (core as unknown as { threads: { worker: Worker }[] }).threads[0].worker;
      const exited = new Promise((r) => amfThread.once('exit', r));
      void amfThread.terminate();
      await exited;
      // the run has seen the death and given the UE up (its outcome failed, its gNB stopping)
      await new Promise((r) => setImmediate(r));
      return 1.5; // the echo reply, late
    });
    const progress = { ues: 0, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
    const cfg = testConfig(144);
    cfg.ue.count = 1;
    const r = await runScenario(cfg, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-thread-death-')), threads: 2, threadEntry: { script: bin }, pings: 3, progress });
    expect(r.ok).toBe(false);
    expect(r.ues).toMatchObject([{ rttsMs: [], error: 'given up: core thread NRF+NSSF+AMF+AUSF+UDM exited (code 1)' }]);
    expect(pings).toBe(1);
    expect((r.summary.procedures as { name: string }[]).filter((p) => p.name === 'Ping over the user plane')).toHaveLength(1);
    expect(progress).toMatchObject({ ues: 1, registered: 1, withSession: 1, deregistered: 0, failed: 1, finished: 1 });
  }, 90_000);

  // the same for the deregistration: one that ends after the give-up is not counted deregistered
  it('a given-up UE whose deregistration ends after the give-up is not counted deregistered', async () => {
    const started = ThreadedCore.start;
    let core: ThreadedCore | undefined;
    vi.spyOn(ThreadedCore, 'start').mockImplementation(async (...args) => (core = await started.apply(ThreadedCore, args)));
    vi.spyOn(Ue.prototype, 'deregister').mockImplementation(async () => {
      const amfThread = (core as unknown as { threads: { worker: Worker }[] }).threads[0].worker;
      const exited = new Promise((r) => amfThread.once('exit', r));
      void amfThread.terminate();
      await exited;
      await new Promise((r) => setImmediate(r));
      return 'accepted'; // the Deregistration Accept, late
    });
    const progress = { ues: 0, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
    const cfg = testConfig(144);
    cfg.ue.count = 1;
    const r = await runScenario(cfg, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-thread-death-')), threads: 2, threadEntry: { script: bin }, pings: 1, deregistration: 'normal', progress });
    expect(r.ok).toBe(false);
    expect(r.ues).toHaveLength(1);
    expect(r.ues[0].deregistration).toBeUndefined();
    expect(r.ues[0].error).toBe('given up: core thread NRF+NSSF+AMF+AUSF+UDM exited (code 1)');
    expect(progress).toMatchObject({ ues: 1, registered: 1, withSession: 1, deregistered: 0, failed: 1, finished: 1 });
  }, 90_000);
});

