// Order checks over recorded steps (trace lines): each expected piece appears at or after the
// previous one's position.
import { expect } from 'vitest';

export function inOrder(steps: string[], expected: string[]): void {
  let from = 0;
  for (const s of expected) {
    const i = steps.findIndex((x, k) => k >= from && x.includes(s));
    expect(i, `${s} after position ${from} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = i;
  }
}
