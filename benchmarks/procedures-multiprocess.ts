// Issue 21 goal 5: the same procedures with every core NF in its own process (`wire5g start <nf>`,
// as README "wire5g start" runs them), the gNB and the UEs in the bench process, measured in the
// same run as the one-process rows of procedures.bench.ts so the two compare as a ratio. With
// layout 'core' (issue 21 goal 3), every core NF in one process (`wire5g start core`) and the gNB
// and UEs, the load, in the bench process: the core's own CPU per UE is read from /proc.
//
// N UEs (WIRE5G_BENCH_MP_UES, default 1,000; 0 skips it) each register and establish a PDU
// session, WINDOW of them in flight, then all switch off and the time until the gNB holds no UE
// context is the deregistration figure. A first round of the same, untimed, warms the processes up. Each NF prints its ledger when it stops; the figures are
// refused (the task fails) when a procedure failed or an NF's ledger is not back at 0 (every
// counter but the node-level ones, NF instances at the NRF and PFCP / NG associations).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Gnb } from '../nodes/gnb/gnb.ts';
import { Ue } from '../nodes/ue/ue.ts';
import { CORE_NFS } from '../nodes/core.ts';
import { DEFAULT_CONFIG, DEFAULT_SUBSCRIBER, type NetworkConfig } from '../nodes/common/config.ts';

export interface MultiProcessFigures {
  ues: number;
  /** 'per-nf': `wire5g start <nf>` for each core NF; 'core': `wire5g start core`, all of them in one process. */
  layout: 'per-nf' | 'core';
  processes: number;
  /**
   * CPU time (user + system, every thread) of the core's processes and of this bench process (the
   * gNB and UEs) during registration + PDU session, per UE in ms; from /proc (Linux), else absent.
   */
  cpuMsPerUe?: { core: number; gnbAndUes: number };
  failed: number;
  failures: Record<string, number>;
  registrationAndPduSessionMs: number;
  deregistrationMs: number;
  /** Each NF's ledger as it printed it when stopped. */
  ledgersAtStop: Record<string, Record<string, number>>;
  /** Ledger entries (contexts, sessions, subscriptions) not back at zero after every UE switched off. */
  leftBehind: Record<string, Record<string, number>>;
}

/** Ledger counters that are not per UE (every other one starts at 0 and must be back at 0). */
const NODE_LEVEL = /^(NF instances|PFCP associations|NG associations)$/;

function readyLine(p: ChildProcess, nf: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`wire5g start ${nf}: not ready in ${timeoutMs / 1000} s: ${err.trim().split('\n').pop() ?? ''}`)), timeoutMs);
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`wire5g ${nf} ready on`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wire5g start ${nf} exited (${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** The ledger a stopping NF prints; `wire5g start core` prints every NF's, by NF name ('core: AMF', ...). */
function stopAndReadLedger(p: ChildProcess, nf: string): Promise<Record<string, Record<string, number>>> {
  return new Promise((resolve) => {
    let out = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', () => {
      const m = new RegExp(`wire5g ${nf} stopping; (ledgers?) (\\{.*\\})`).exec(out);
      if (!m) return resolve({ [nf]: {} });
      if (m[1] === 'ledger') return resolve({ [nf]: JSON.parse(m[2]) as Record<string, number> });
      resolve(Object.fromEntries(Object.entries(JSON.parse(m[2]) as Record<string, Record<string, number>>).map(([name, l]) => [`${nf}: ${name}`, l])));
    });
    p.kill('SIGTERM');
  });
}

/** User + system CPU time of a process so far, in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s); undefined off Linux. */
function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Runs `ues` UEs through registration + PDU session and switch-off against a core of one process per NF, or of one process ('core'). */
export async function measureMultiProcess(o: { ues: number; window: number; bin: string; layout?: 'per-nf' | 'core' }): Promise<MultiProcessFigures> {
  const layout = o.layout ?? 'per-nf';
  const dir = mkdtempSync(join(tmpdir(), 'wire5g-bench-mp-'));
  const a = (n: number) => `127.1.${layout === 'core' ? 11 : 9}.${n}`;
  const supi = (i: number) => `imsi-00101${String(2_000_000_000 + i).slice(1)}`;
  const cfg: NetworkConfig = {
    ...structuredClone(DEFAULT_CONFIG),
    addresses: { amf: a(5), smf: a(4), upf: a(7), ausf: a(11), udm: a(12), pcf: a(13), udr: a(20), gnb: a(100), bsf: a(15), chf: a(16), nwdaf: a(17), af: a(18), nrf: a(10), nssf: a(35) },
    udr: { database: join(dir, 'udr.sqlite') },
    subscribers: Array.from({ length: o.ues }, (_, i) => ({ ...DEFAULT_SUBSCRIBER, supi: supi(i) })),
  };
  const file = join(dir, 'network.yaml');
  // no anchors/aliases: the subscribers share DEFAULT_SUBSCRIBER's nested objects, which yaml would
  // write as ~4 aliases per subscriber, and its parser refuses more than 100 (resource exhaustion)
  writeFileSync(file, stringify({ addresses: cfg.addresses, udr: cfg.udr, subscribers: cfg.subscribers }, { aliasDuplicateObjects: false }));
  const procs = new Map<string, ChildProcess>();
  // the order README gives: the NRF, the data and policy NFs, then the SMF (PFCP with the UPF), then the AMF
  const order = layout === 'core' ? ['core'] : ['nrf', ...CORE_NFS.filter((n) => !['nrf', 'smf', 'amf'].includes(n)), 'smf', 'amf'];
  let gnb: Gnb | undefined;
  try {
    for (const nf of order) {
      const p = spawn(process.execPath, [o.bin, 'start', nf, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      procs.set(nf, p);
      await readyLine(p, nf, 60_000);
    }
    gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 1, name: 'bench-gnb-mp', admission: cfg.gnb.admission });
    const ues = Array.from({ length: o.ues }, (_, i) => new Ue({ supi: supi(i), k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: 'ffffff000000', plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' }));
    const failures = new Map<string, number>();
    const fail = (e: unknown) => {
      const m = (e instanceof Error ? e.message : String(e)).replace(/\d+/g, '#');
      failures.set(m, (failures.get(m) ?? 0) + 1);
    };
    const coreCpu = () => [...procs.values()].reduce<number | undefined>((sum, p) => {
      const ms = processCpuMs(p.pid);
      return sum === undefined || ms === undefined ? undefined : sum + ms;
    }, 0);
    const registerAll = () => {
      let next = 0;
      return Promise.all(Array.from({ length: Math.min(o.window, ues.length) }, async () => {
        while (next < ues.length) {
          const ue = ues[next++];
          try {
            await ue.register(gnb!);
            await ue.establishPduSession(1);
          } catch (e) {
            fail(e);
          }
        }
      }));
    };
    const switchOffAll = async () => {
      await Promise.all(ues.map((ue) => ue.deregister({ switchOff: true }).catch(fail)));
      while (gnb!.ledger.read('UE contexts')! > 0) await new Promise((r) => setTimeout(r, 5));
    };
    // a warm-up round, untimed, as the one-process rows have theirs (tinybench's warm-up): the
    // processes' code is compiled by the JIT before the timed round, and every UE has been registered once
    await registerAll();
    await switchOffAll();
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = { core: coreCpu(), here: process.cpuUsage() };
    const t0 = performance.now();
    await registerAll();
    const registered = performance.now() - t0;
    const coreCpuMs = coreCpu();
    const hereCpu = process.cpuUsage(cpu0.here);
    const cpuMsPerUe = coreCpuMs !== undefined && cpu0.core !== undefined ? { core: (coreCpuMs - cpu0.core) / o.ues, gnbAndUes: (hereCpu.user + hereCpu.system) / 1000 / o.ues } : undefined;
    const t1 = performance.now();
    await switchOffAll();
    const deregistered = performance.now() - t1;
    // what the switch-offs started at the AMF (4.2.2.3.2 steps 2-5) finishes in the NFs' processes
    await new Promise((r) => setTimeout(r, 2000));
    await gnb.stop();
    gnb = undefined;
    const ledgersAtStop: Record<string, Record<string, number>> = {};
    for (const nf of [...order].reverse()) Object.assign(ledgersAtStop, await stopAndReadLedger(procs.get(nf)!, nf));
    procs.clear();
    const leftBehind = Object.fromEntries(Object.entries(ledgersAtStop)
      .map(([nf, l]) => [nf, Object.fromEntries(Object.entries(l).filter(([k, v]) => !NODE_LEVEL.test(k) && v !== 0))])
      .filter(([, l]) => Object.keys(l).length)) as Record<string, Record<string, number>>;
    return {
      ues: o.ues, layout, processes: order.length, ...(cpuMsPerUe ? { cpuMsPerUe } : {}), failed: [...failures.values()].reduce((x, y) => x + y, 0), failures: Object.fromEntries(failures),
      registrationAndPduSessionMs: registered, deregistrationMs: deregistered, ledgersAtStop, leftBehind,
    };
  } finally {
    await gnb?.stop();
    for (const p of procs.values()) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
