// Who is running where: a `wire5g run` or `wire5g up` (or `start`) holds a lock file in its out directory and one
// per address it binds (in the system's temporary directory), each holding its pid, out directory
// and addresses. A second run that finds a live holder refuses at once, naming it, before it has
// bound a socket or written a byte; a holder that died is cleaned away.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommandFailed, UsageError } from './args.ts';

export interface LockHolder {
  pid: number;
  command: string;
  outDir?: string;
  addresses: string[];
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(h: LockHolder): string {
  return `pid ${h.pid}, started ${h.started}${h.outDir ? `, out directory ${h.outDir}` : ''}, addresses ${h.addresses.join(' ')}`;
}

/** The lock file of an address (one per loopback address, machine-wide). */
export function addressLockFile(address: string): string {
  return join(tmpdir(), 'wire5g-locks', `${address}.lock`);
}

/** Takes every lock or none; throws CommandFailed naming the live holder of the first one taken. */
export function acquireLocks(files: string[], me: Omit<LockHolder, 'pid' | 'started'>, hint: string | ((holder: LockHolder) => string)): () => void {
  const info: LockHolder = { pid: process.pid, started: new Date().toISOString(), ...me, ...(me.outDir ? { outDir: resolve(me.outDir) } : {}) };
  const held: string[] = [];
  const release = (): void => {
    for (const f of held.splice(0)) rmSync(f, { force: true });
  };
  for (const file of files) {
    mkdirSync(join(file, '..'), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, JSON.stringify(info) + '\n');
        closeSync(fd);
        held.push(file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          release();
          throw e;
        }
        let holder: LockHolder | undefined;
        try {
          holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
        } catch {
          holder = undefined; // half-written or garbage: its writer died
        }
        if (holder && holder.pid !== process.pid && alive(holder.pid)) {
          release();
          throw new CommandFailed(`another ${holder.command} is running (${describe(holder)}; lock ${file}); ${typeof hint === 'string' ? hint : hint(holder)}`);
        }
        rmSync(file, { force: true });
      }
    }
  }
  process.once('exit', release);
  return release;
}

/** The lock of an out directory: one `wire5g run` or `wire5g up` at a time writes there. */
export const OUT_DIR_LOCK = '.wire5g-run.lock';

/**
 * What `wire5g run` and `wire5g up` take before anything is bound or written: the out directory
 * (refused when it is a file) and the addresses of the nodes this process binds. A second run or up
 * on the same out directory or addresses is refused here, naming the first and how to stop it. The
 * temporary files of this process in the out directory go when it exits (stopped at once by a
 * second Ctrl-C, the previous outputs stay as they were).
 */
export function claimRun(command: 'wire5g run' | 'wire5g up', outDir: string, addresses: string[]): () => void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} is a file, not a directory; give a directory (it is created if absent)`);
  const release = acquireLocks([join(outDir, OUT_DIR_LOCK), ...addresses.map(addressLockFile)], { command, outDir, addresses }, (holder) =>
    holder.command === 'wire5g up'
      ? `stop it with 'wire5g ctl --out ${holder.outDir ?? outDir} down' (or Ctrl-C where it runs), or give this one its own --out and addresses (--config)`
      : 'wait for it to finish, or give this one its own --out and addresses (--config)');
  process.once('exit', () => {
    if (!existsSync(outDir)) return;
    for (const f of readdirSync(outDir)) if (f.endsWith(`.${process.pid}.tmp`)) rmSync(join(outDir, f), { force: true });
  });
  return release;
}

/**
 * Ctrl-C (or SIGTERM) once: `first` is printed and the signal aborts, so the command winds down
 * and writes its outputs; twice: `atOnce` is printed and the process exits 130 at once.
 */
export function onInterrupt(command: string, first: string, atOnce: string): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const handler = (): void => {
    if (stop.signal.aborted) {
      process.stderr.write(`\n${command}: ${atOnce}\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${command}: ${first}\n`);
    stop.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
