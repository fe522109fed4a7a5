// The capture files a command is given ('wire5g decode', 'wire5g capture merge').

import { readFileSync } from 'node:fs';
import { CommandFailed } from './args.ts';

/** Reads a capture file, or fails with one line saying why (missing, a directory, not readable). */
export function readCaptureInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a capture file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CommandFailed(`cannot read ${file}: ${why}`);
  }
}
