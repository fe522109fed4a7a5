// Who is running where: a `wire5g run` (or `start`) holds a lock file in its out directory and one
// per address it binds (in the system's temporary directory), each holding its pid, out directory
// and addresses. A second run that finds a live holder refuses at once, naming it, before it has
// bound a socket or written a byte; a holder that died is cleaned away.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommandFailed } from './args.ts';

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
export function acquireLocks(files: string[], me: Omit<LockHolder, 'pid' | 'started'>, hint: string): () => void {
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
          throw new CommandFailed(`another ${holder.command} is running (${describe(holder)}; lock ${file}); ${hint}`);
        }
        rmSync(file, { force: true });
      }
    }
  }
  process.once('exit', release);
  return release;
}
