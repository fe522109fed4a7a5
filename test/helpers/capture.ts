// Writes golden-test captures to a temporary pcapng with a deterministic clock.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture } from '../../transport/capture/capture.ts';

export function tempCapture(name: string): { capture: Capture; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wire5g-'));
  const path = join(dir, `${name}.pcapng`);
  let t = 1_700_000_000_000_000;
  const capture = Capture.toFile(path, { nowUs: () => (t += 1000) });
  return { capture, path };
}
