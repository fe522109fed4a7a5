// The real `wire5g` binary (bin/wire5g.js) as a child process: what a user types, exit code and
// output as a user sees them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = fileURLToPath(new URL('../../bin/wire5g.js', import.meta.url));

export interface Wire5gResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Wire5gProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<Wire5gResult>;
}

export function startWire5g(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Wire5gProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  if (!o.env || !('WIRE5G_DEBUG' in o.env)) delete env.WIRE5G_DEBUG;
  const child = spawn(process.execPath, [bin, ...args], { cwd: o.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<Wire5gResult>((resolve) => child.once('close', (code) => resolve({ code, stdout: out, stderr: err })));
  return { child, stdout: () => out, stderr: () => err, done };
}

export function wire5g(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Wire5gResult> {
  return startWire5g(args, o).done;
}

/** The last non-empty line of a text. */
export const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';
