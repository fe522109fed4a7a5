// The progress of a long run: on a terminal one line rewritten in place, otherwise a line every few
// seconds; nothing for the first two seconds (short runs stay silent).

import type { ScenarioProgress } from '../nodes/scenario.ts';

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function progressLine(p: ScenarioProgress, elapsedMs: number): string {
  const rate = p.finished / Math.max(elapsedMs / 1000, 0.001);
  const left = rate > 0 ? clock(((p.ues - p.finished) / rate) * 1000) : '?';
  return `UEs ${p.registered}/${p.ues} registered, ${p.withSession} with a session, ${p.deregistered} deregistered, ${p.failed} failed | ${rate.toFixed(1)} UE/s | ${clock(elapsedMs)} elapsed, ~${left} left`;
}

/** Starts reporting; the returned function stops it (and ends the terminal line). */
export function reportProgress(p: ScenarioProgress, out: NodeJS.WriteStream = process.stdout): () => void {
  const t0 = performance.now();
  const tty = out.isTTY === true;
  let shown = false;
  const show = (): void => {
    const line = progressLine(p, performance.now() - t0);
    if (tty) out.write(`\r${line}\x1b[K`);
    else out.write(`${line}\n`);
    shown = true;
  };
  let every: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    show();
    every = setInterval(show, tty ? 250 : 5000);
    every.unref();
  }, 2000);
  start.unref();
  return () => {
    clearTimeout(start);
    if (every) clearInterval(every);
    if (shown) {
      show();
      if (tty) out.write('\n');
    }
  };
}
