// transport/settlers.ts: each promise gets its own resolve and reject, taken once.
import { describe, it, expect } from 'vitest';
import { settleablePromise, takeResolve, takeReject } from '../../transport/settlers.ts';

describe('settleablePromise', () => {
  it('hands each promise its own resolve and reject, and a slot is empty once taken', async () => {
    const a = settleablePromise<number>();
    const resolveA = takeResolve<number>();
    const rejectA = takeReject();
    const b = settleablePromise<number>();
    const resolveB = takeResolve<number>();
    const rejectB = takeReject();
    expect(resolveA).not.toBe(resolveB);
    expect(() => takeResolve<number>()(0)).toThrow(TypeError); // taken: the slot holds nothing
    resolveB(2);
    rejectA(new Error('a failed'));
    rejectB(new Error('too late'));
    resolveA(1);
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe(2);
  });
});
