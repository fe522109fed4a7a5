// Values of the NAS-5GS IEs wire5g models (TS 24.501 clause 9.11; TS 24.008 for the GPRS
// timers). Each codec sees only the value octets (after IEI and length); read and write side by
// side. IEs without a codec here are kept as raw octets by the message engine. The PLMN identity
// and 5GS mobile identity are in mobile-identity.ts, the 5GSM IEs in session-management-ies.ts.

import type { NasReader } from './reader.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { readPlmn, writePlmn, type Plmn } from './mobile-identity.ts';

export * from './mobile-identity.ts';
export * from './session-management-ies.ts';

export interface ValueCodec<V> {
  read(r: NasReader): V;
  write(w: ByteWriter, v: V): void;
}

export const raw: ValueCodec<Uint8Array> = { read: (r) => r.restCopy(), write: (w, v) => void w.bytes(v) };
export const u8: ValueCodec<number> = { read: (r) => r.u8('value'), write: (w, v) => void w.u8(v) };
export const u16: ValueCodec<number> = { read: (r) => r.u16('value'), write: (w, v) => void w.u16(v) };

/** Half-octet values (type 1 IEs, TS 24.007 11.2.1.1.3). */
export interface HalfCodec<V> {
  read(nibble: number): V;
  write(v: V): number;
}
export const nibble: HalfCodec<number> = { read: (n) => n, write: (v) => v & 0x0f };

// 9.11.3.7 5GS registration type: FOR (bit 4) | registration type value (bits 3-1)
export interface RegistrationType {
  followOnRequest: boolean;
  /** 1 initial, 2 mobility updating, 3 periodic updating, 4 emergency, 5 SNPN onboarding, 6 disaster roaming mobility, 7 disaster roaming initial. */
  value: number;
}
export const registrationType: HalfCodec<RegistrationType> = {
  read: (n) => ({ followOnRequest: (n & 8) !== 0, value: n & 7 }),
  write: (v) => (v.followOnRequest ? 8 : 0) | (v.value & 7),
};

// 9.11.3.32 NAS key set identifier: TSC (bit 4) | NAS key set identifier (bits 3-1); 7 = no key
export interface NgKsi {
  /** 0 native, 1 mapped security context. */
  tsc: number;
  ksi: number;
}
export const NO_KEY_AVAILABLE = 7;
export const ngKsi: HalfCodec<NgKsi> = { read: (n) => ({ tsc: (n >> 3) & 1, ksi: n & 7 }), write: (v) => ((v.tsc & 1) << 3) | (v.ksi & 7) };

// 9.11.3.20 De-registration type: switch off (bit 4) | re-registration required (bit 3) | access type (bits 2-1)
export const AccessType = { ThreeGpp: 1, NonThreeGpp: 2, Both: 3 } as const;
export interface DeregistrationType {
  switchOff: boolean;
  reRegistrationRequired: boolean;
  accessType: number;
}
export const deregistrationType: HalfCodec<DeregistrationType> = {
  read: (n) => ({ switchOff: (n & 8) !== 0, reRegistrationRequired: (n & 4) !== 0, accessType: n & 3 }),
  write: (v) => (v.switchOff ? 8 : 0) | (v.reRegistrationRequired ? 4 : 0) | (v.accessType & 3),
};

// --- 9.11.2.8 S-NSSAI and 9.11.3.37 NSSAI ---------------------------------------------------------
//   length 1: SST; 2: SST, mapped HPLMN SST; 4: SST, SD; 5: SST, SD, mapped SST; 8: + mapped SD
export interface SNssai {
  sst: number;
  sd?: number;
  mappedSst?: number;
  mappedSd?: number;
}
export const sNssai: ValueCodec<SNssai> = {
  read: (r) => {
    const n = r.remaining;
    if (n !== 1 && n !== 2 && n !== 4 && n !== 5 && n !== 8) throw r.error('BAD_LENGTH', `S-NSSAI of ${n} octets`, 'S-NSSAI');
    const v: SNssai = { sst: r.u8('SST') };
    if (n === 2) v.mappedSst = r.u8('MappedHPLMNSST');
    if (n >= 4) v.sd = r.u24('SD');
    if (n >= 5) v.mappedSst = r.u8('MappedHPLMNSST');
    if (n === 8) v.mappedSd = r.u24('MappedHPLMNSD');
    return v;
  },
  write: (w, v) => {
    w.u8(v.sst);
    if (v.sd === undefined) {
      if (v.mappedSst !== undefined) w.u8(v.mappedSst);
      return;
    }
    w.u24(v.sd);
    if (v.mappedSst !== undefined) w.u8(v.mappedSst);
    if (v.mappedSd !== undefined) w.u24(v.mappedSd);
  },
};
export const nssai: ValueCodec<SNssai[]> = {
  read: (r) => {
    const out: SNssai[] = [];
    while (!r.atEnd) {
      const len = r.u8('S-NSSAI.Length');
      const outer = r.narrow(len, 'S-NSSAI');
      out.push(sNssai.read(r));
      r.widen(outer);
    }
    return out;
  },
  write: (w, v) => {
    for (const s of v) {
      const at = w.reserve(1);
      sNssai.write(w, s);
      w.patchU8(at, w.pos - at - 1);
    }
  },
};

// 9.11.3.46 Rejected NSSAI: per entry: length (bits 8-5) | cause (bits 4-1), SST, [SD]
export const rejectedNssai: ValueCodec<{ cause: number; sst: number; sd?: number }[]> = {
  read: (r) => {
    const out: { cause: number; sst: number; sd?: number }[] = [];
    while (!r.atEnd) {
      const o = r.u8('RejectedS-NSSAI');
      const len = o >> 4;
      const outer = r.narrow(len, 'RejectedS-NSSAI');
      const e: { cause: number; sst: number; sd?: number } = { cause: o & 15, sst: r.u8('SST') };
      if (len === 4) e.sd = r.u24('SD');
      r.widen(outer);
      if (len !== 1 && len !== 4) throw r.error('BAD_LENGTH', `rejected S-NSSAI of ${len} octets`, 'RejectedS-NSSAI');
      out.push(e);
    }
    return out;
  },
  write: (w, v) => {
    for (const e of v) {
      w.u8(((e.sd !== undefined ? 4 : 1) << 4) | (e.cause & 15)).u8(e.sst);
      if (e.sd !== undefined) w.u24(e.sd);
    }
  },
};

// --- 9.11.3.9 5GS tracking area identity list ------------------------------------------------------
//   per partial list: octet: spare | type of list (bits 7-6) | number of elements - 1 (bits 5-1)
//   type 00: one PLMN, TACs; 01: one PLMN, first TAC of consecutive TACs; 10: TAIs (PLMN + TAC each)
export interface TaiPartialList {
  type: 0 | 1 | 2;
  plmn?: Plmn;
  tacs: { plmn?: Plmn; tac: number }[];
  /** Type 01: number of consecutive TACs. */
  count?: number;
}
export const taiList: ValueCodec<TaiPartialList[]> = {
  read: (r) => {
    const out: TaiPartialList[] = [];
    while (!r.atEnd) {
      const o = r.u8('PartialTAIList');
      const type = (o >> 5) & 3;
      const n = (o & 31) + 1;
      if (type === 0) {
        const plmn = readPlmn(r);
        const tacs: { tac: number }[] = [];
        for (let i = 0; i < n; i++) tacs.push({ tac: r.u24('TAC') });
        out.push({ type: 0, plmn, tacs });
      } else if (type === 1) {
        const plmn = readPlmn(r);
        out.push({ type: 1, plmn, tacs: [{ tac: r.u24('TAC') }], count: n });
      } else if (type === 2) {
        const tacs: { plmn: Plmn; tac: number }[] = [];
        for (let i = 0; i < n; i++) tacs.push({ plmn: readPlmn(r), tac: r.u24('TAC') });
        out.push({ type: 2, tacs });
      } else {
        throw r.error('BAD_VALUE', 'type of list 11 is reserved', 'TypeOfList', r.pos - 1);
      }
    }
    return out;
  },
  write: (w, v) => {
    for (const l of v) {
      const n = l.type === 1 ? (l.count ?? 1) : l.tacs.length;
      w.u8((l.type << 5) | ((n - 1) & 31));
      if (l.type !== 2) writePlmn(w, l.plmn!);
      if (l.type === 1) w.u24(l.tacs[0].tac);
      else for (const t of l.tacs) {
        if (l.type === 2) writePlmn(w, t.plmn!);
        w.u24(t.tac);
      }
    }
  },
};

// 9.11.3.44 PDU session status / 9.11.3.42 reactivation result / 9.11.3.57 uplink data status:
// a bitmap of PSI 0..15 (octet 3 bit n = PSI n, octet 4 bit n = PSI 8+n), optional spare octets kept.
export interface PsiBitmap {
  psis: number[];
  spare?: Uint8Array;
}
export const psiBitmap: ValueCodec<PsiBitmap> = {
  read: (r) => {
    const a = r.u8('PSI(7..0)'), b = r.u8('PSI(15..8)');
    const psis: number[] = [];
    for (let i = 0; i < 8; i++) if (a & (1 << i)) psis.push(i);
    for (let i = 0; i < 8; i++) if (b & (1 << i)) psis.push(8 + i);
    return r.atEnd ? { psis } : { psis, spare: r.restCopy() };
  },
  write: (w, v) => {
    let a = 0, b = 0;
    for (const p of v.psis) if (p < 8) a |= 1 << p;
    else b |= 1 << (p - 8);
    w.u8(a).u8(b);
    if (v.spare) w.bytes(v.spare);
  },
};

// 9.11.3.54 UE security capability: 5G-EA (octet 3), 5G-IA (4), [EEA (5), EIA (6)], spare octets
export interface UeSecurityCapability {
  ea: number;
  ia: number;
  eea?: number;
  eia?: number;
  spare?: Uint8Array;
}
export const ueSecurityCapability: ValueCodec<UeSecurityCapability> = {
  read: (r) => {
    const v: UeSecurityCapability = { ea: r.u8('5G-EA'), ia: r.u8('5G-IA') };
    if (!r.atEnd) v.eea = r.u8('EEA');
    if (!r.atEnd) v.eia = r.u8('EIA');
    if (!r.atEnd) v.spare = r.restCopy();
    return v;
  },
  write: (w, v) => {
    w.u8(v.ea).u8(v.ia);
    if (v.eea !== undefined) w.u8(v.eea);
    if (v.eia !== undefined) w.u8(v.eia);
    if (v.spare) w.bytes(v.spare);
  },
};

// 9.11.3.34 NAS security algorithms: type of ciphering algorithm (bits 7-5) | integrity (bits 3-1)
export interface NasSecurityAlgorithms {
  ciphering: number;
  integrity: number;
}
export const nasSecurityAlgorithms: ValueCodec<NasSecurityAlgorithms> = {
  read: (r) => {
    const b = r.u8('NASSecurityAlgorithms');
    return { ciphering: (b >> 4) & 15, integrity: b & 15 };
  },
  write: (w, v) => void w.u8(((v.ciphering & 15) << 4) | (v.integrity & 15)),
};

// TS 24.008 10.5.7.3 GPRS timer (unit bits 8-6, value bits 5-1); 10.5.7.4 GPRS timer 2; 10.5.7.4a GPRS timer 3
export interface GprsTimer {
  unit: number;
  value: number;
}
export const gprsTimer: ValueCodec<GprsTimer> = {
  read: (r) => {
    const b = r.u8('GPRSTimer');
    return { unit: b >> 5, value: b & 31 };
  },
  write: (w, v) => void w.u8(((v.unit & 7) << 5) | (v.value & 31)),
};
/** GPRS timer 3 units (TS 24.008 Table 10.5.163a): seconds of one unit, or undefined for "deactivated". */
export const GPRS_TIMER3_UNIT_SECONDS: (number | undefined)[] = [600, 3600, 36000, 2, 30, 60, 1152000, undefined];
/**
 * The GPRS timer 3 value (TS 24.008 10.5.7.4a) that best represents `seconds`: exact in the
 * finest unit that holds it, else the nearest value any unit can express (54 min, the default
 * T3512 of TS 24.501, has no exact form: it becomes 5 x 10 min).
 */
export function gprsTimer3(seconds: number): GprsTimer {
  const units = [[3, 2], [4, 30], [5, 60], [0, 600], [1, 3600], [2, 36000], [6, 1152000]] as const;
  for (const [unit, s] of units) if (seconds % s === 0 && seconds / s <= 31) return { unit, value: seconds / s };
  let best: GprsTimer = { unit: 6, value: 31 };
  let bestError = Infinity;
  for (const [unit, s] of units) {
    const value = Math.min(31, Math.max(1, Math.round(seconds / s)));
    const error = Math.abs(value * s - seconds);
    if (error < bestError) {
      best = { unit, value };
      bestError = error;
    }
  }
  return best;
}

/**
 * GPRS timer 2 (TS 24.008 10.5.7.4, e.g. the T3346 value of TS 24.501 9.11.2.4): unit 0 = 2 s,
 * 1 = 1 min, 2 = decihours, 7 = deactivated; "other values shall be interpreted as multiples of
 * 1 minute". The seconds it stands for, or undefined when deactivated.
 */
export function gprsTimer2Seconds(t: GprsTimer): number | undefined {
  if (t.unit === 7) return undefined;
  return t.value * (t.unit === 0 ? 2 : t.unit === 2 ? 360 : 60);
}

/** The GPRS timer 2 value for `seconds`: exact in the finest unit that holds it, else rounded up. */
export function gprsTimer2(seconds: number): GprsTimer {
  for (const [unit, s] of [[0, 2], [1, 60], [2, 360]] as const) if (seconds % s === 0 && seconds / s <= 31) return { unit, value: seconds / s };
  for (const [unit, s] of [[0, 2], [1, 60], [2, 360]] as const) if (Math.ceil(seconds / s) <= 31) return { unit, value: Math.ceil(seconds / s) };
  return { unit: 2, value: 31 };
}

// then the period duration (3 octets, seconds) and the start of the period (3 octets, seconds) when indicated.
export interface UnavailabilityInformation {
  /** 0 unavailability due to UE reasons, 1 due to discontinuous coverage. */
  type: number;
  periodDurationSeconds?: number;
  startOfPeriodSeconds?: number;
}
export const unavailabilityInformation: ValueCodec<UnavailabilityInformation> = {
  read: (r) => {
    const o = r.u8('UnavailabilityInformation');
    const v: UnavailabilityInformation = { type: o & 7 };
    if (o & 8) v.periodDurationSeconds = r.u24('UnavailabilityPeriodDuration');
    if (o & 16) v.startOfPeriodSeconds = r.u24('StartOfUnavailabilityPeriod');
    return v;
  },
  write: (w, v) => {
    w.u8((v.type & 7) | (v.periodDurationSeconds !== undefined ? 8 : 0) | (v.startOfPeriodSeconds !== undefined ? 16 : 0));
    if (v.periodDurationSeconds !== undefined) w.u24(v.periodDurationSeconds);
    if (v.startOfPeriodSeconds !== undefined) w.u24(v.startOfPeriodSeconds);
  },
};

/** Encodes a value with a codec into a fresh buffer (for length checks and tests). */
export function encodeValue<V>(c: ValueCodec<V>, v: V): Uint8Array {
  const w = new ByteWriter(32);
  c.write(w, v);
  return new Uint8Array(w.finish());
}
