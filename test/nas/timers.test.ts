import { describe, it, expect } from 'vitest';
import { gprsTimer3, GPRS_TIMER3_UNIT_SECONDS } from '../../codecs/nas/index.ts';

const seconds = (t: { unit: number; value: number }) => t.value * (GPRS_TIMER3_UNIT_SECONDS[t.unit] ?? NaN);

describe('GPRS timer 3 (TS 24.008 10.5.7.4a)', () => {
  it('encodes exact values in the finest unit that holds them', () => {
    expect(gprsTimer3(60)).toEqual({ unit: 3, value: 30 });
    expect(gprsTimer3(900)).toEqual({ unit: 4, value: 30 });
    expect(gprsTimer3(7200)).toEqual({ unit: 0, value: 12 }); // 120 min does not fit the 1-min unit
  });
  it('rounds what no unit expresses exactly to the nearest value (default T3512, 54 min -> 50 min)', () => {
    expect(gprsTimer3(3240)).toEqual({ unit: 0, value: 5 });
    expect(seconds(gprsTimer3(3240))).toBe(3000);
    for (const s of [61, 3241, 100_000, 5_000_000]) {
      const t = gprsTimer3(s);
      expect(Math.abs(seconds(t) - s) / s).toBeLessThan(0.2);
    }
  });
});
