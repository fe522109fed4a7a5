// The capture files a command is given ('wire5g decode', 'wire5g capture merge').

import { closeSync, openSync, readSync } from 'node:fs';
import { CommandFailed } from './args.ts';

/** Fails with one line saying why (missing, a directory, not readable) when `file` cannot be read; it is read later, a block at a time. */
export function checkCaptureInput(file: string): void {
  try {
    const fd = openSync(file, 'r');
    try {
      // a directory opens on Linux; reading it is what fails
      readSync(fd, new Uint8Array(1), 0, 1, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw cannotRead(file, e);
  }
}

function cannotRead(file: string, e: unknown): CommandFailed {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a capture file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return new CommandFailed(`cannot read ${file}: ${why}`);
}
