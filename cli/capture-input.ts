// The capture files a command is given ('wire5g decode', 'wire5g capture merge').

import { accessSync, constants, statSync } from 'node:fs';
import { CommandFailed } from './args.ts';

/**
 * Fails with one line saying why (missing, a directory, not readable) when `file` cannot be read;
 * it is read later, a block at a time. Nothing is opened or read here: a pipe (`wire5g decode
 * /dev/stdin`, `<(zcat run.pcapng.gz)`) can be read only once and cannot seek, and opening a named
 * pipe waits for its writer.
 */
export function checkCaptureInput(file: string): void {
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    accessSync(file, constants.R_OK);
  } catch (e) {
    throw cannotRead(file, e);
  }
}

function cannotRead(file: string, e: unknown): CommandFailed {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a capture file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return new CommandFailed(`cannot read ${file}: ${why}`);
}
