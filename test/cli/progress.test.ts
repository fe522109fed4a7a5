// The progress line of a long `wire5g run` (issue 13): on a terminal one line rewritten in place
// ("\r" ... erase to end of line), without one a line every 5 s; silent for the first 2 s.
// Judged on a fake output stream with vitest's fake timers.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { reportProgress, progressLine } from '../../cli/progress.ts';
import type { ScenarioProgress } from '../../nodes/scenario.ts';

afterEach(() => {
  vi.useRealTimers();
});

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(c: string) { s.text += c; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress line', () => {
  const p: ScenarioProgress = { ues: 1000, registered: 400, withSession: 390, deregistered: 350, failed: 2, finished: 352 };

  it('says registered / with a session / deregistered, failures, rate, elapsed and remaining', () => {
    expect(progressLine(p, 10_000)).toBe('UEs 400/1000 registered, 390 with a session, 350 deregistered, 2 failed | 35.2 UE/s | 0:10 elapsed, ~0:18 left');
  });

  it('on a terminal: nothing for 2 s, then one line rewritten in place, ended by a newline when stopped', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'] });
    const out = stream(true);
    const stop = reportProgress(p, out);
    vi.advanceTimersByTime(1999);
    expect(out.text).toBe('');
    vi.advanceTimersByTime(1 + 250 * 3);
    expect(out.text.split('\r').length - 1).toBe(4);
    expect(out.text).not.toContain('\n');
    expect(out.text).toContain('\x1b[K');
    stop();
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('without a terminal: a line every 5 s', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'] });
    const out = stream(false);
    const stop = reportProgress(p, out);
    vi.advanceTimersByTime(2000 + 5000 * 2);
    expect(out.text.trimEnd().split('\n')).toHaveLength(3);
    expect(out.text).not.toContain('\r');
    stop();
  });
});
