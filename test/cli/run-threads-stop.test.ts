// `wire5g run --threads 2` when it cannot finish (review 2026-12-07b rv6, 127.0.139.x): a core
// thread whose NF cannot bind its address fails the run in one line, with nothing left in the out
// directory (each thread's capture file included) and every lock released; Ctrl-C twice quits at
// once with nothing of the run left there either (once the threads have started: a thread still
// loading may open its file after the exit's clean-up). And the threads load the command's own entry
// script also when the command was started through a link to it (npm's .bin, npm link).

import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bin, startWire5g, wire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { until } from '../helpers/until.ts';
import { addressLockFile } from '../../cli/run-lock.ts';
import { threadEntry } from '../../cli/run.ts';

const T = 120_000;

function network(): { dir: string; config: string; cfg: ReturnType<typeof testConfig> } {
  const dir = mkdtempSync(join(tmpdir(), 'wire5g-run-threads-stop-'));
  const cfg = testConfig(139);
  const config = join(dir, 'net.yaml');
  writeFileSync(config, stringify({ addresses: cfg.addresses, udr: { database: ':memory:' } }));
  return { dir, config, cfg };
}

describe('wire5g run --threads: a run that cannot finish', () => {
  it("an NF's address in use in a thread: one line naming the thread's NFs, exit 1, nothing left in the out directory, the locks released", async () => {
    const { dir, config, cfg } = network();
    const taken = createServer();
    await new Promise<void>((resolve, reject) => taken.once('error', reject).listen(cfg.ports.sbi, cfg.addresses.pcf, resolve));
    try {
      const out = join(dir, 'out');
      const r = await wire5g(['run', '--config', config, '--out', out, '--ues', '2', '--quiet', '--threads', '2']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain(`core thread UDR+PCF+UPF+SMF+BSF+CHF+NWDAF+AF: listen EADDRINUSE: address already in use ${cfg.addresses.pcf}:${cfg.ports.sbi}`);
      expect(lastLine(r.stdout)).toMatch(/^FAILED/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(out)).toEqual([]); // no thread's capture file either
      for (const a of Object.values(cfg.addresses)) expect(existsSync(addressLockFile(a)), a).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, T);

  it('Ctrl-C twice while the threads run: exit 130 at once, nothing of the run left in the out directory', async () => {
    const { dir, config } = network();
    const out = join(dir, 'out');
    const run = startWire5g(['run', '--config', config, '--out', out, '--ues', '10000', '--threads', '2']);
    try {
      // the UEs are under way: the threads have started and written to their capture files
      await until(() => /UEs \d+\/10000 registered/.test(run.stdout()), 'a progress line', 60_000);
      expect(readdirSync(out).filter((f) => f.includes('.thread'))).toHaveLength(2);
      run.child.kill('SIGINT');
      await until(() => run.stderr().includes('interrupted;'), 'the first Ctrl-C heard', 60_000);
      run.child.kill('SIGINT');
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGINT');
    }
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).toContain('stopped at once; nothing written');
    expect(readdirSync(out)).toEqual([]);
  }, T);
});

describe('the core threads entry', () => {
  it('is the command script itself when the command was started through a link to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-bin-link-'));
    const link = join(dir, 'wire5g'); // as npm links a package's bin: no .js
    symlinkSync(bin, link);
    expect(threadEntry(link)).toEqual({ script: realpathSync(bin) });
    expect(threadEntry(bin)).toEqual({ script: realpathSync(bin) });
    expect(threadEntry(join(dir, '..', 'cli', 'main.ts'))).toEqual({ tsx: true }); // the sources under tsx
  });
});
