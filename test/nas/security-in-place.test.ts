// NAS protection with MAC-I computed as a word over the message from an offset and the received
// security header read in place (codecs/nas/security.ts): the octets against 128-NIA2/NEA2 applied
// the plain way (TS 24.501 4.4.3.3: the MAC over the sequence number and the NAS message, TS 24.501
// 9.1.1 the header's layout), for every security header type of TS 24.501 9.3, for messages of a
// few octets, past the 64 octets set by a view and past the 256 octets MACed by node:crypto, each
// received at odd offsets of a shared buffer with other octets around it; every cut of a protected
// message throws a typed error and leaves the COUNTs as they were.

import { describe, it, expect } from 'vitest';
import { protectNas, unprotectNas, NasMacFailure, NasReplay, type NasSecurityContext } from '../../codecs/nas/security.ts';
import { nia2, nea2 } from '../../crypto/nas-algorithms.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { Rng } from '../helpers/fuzz.ts';

const ctx = (over: Partial<NasSecurityContext> = {}): NasSecurityContext => ({ ngKsi: 1, kNasInt: fromHex('daa5adbfc68d0928737ac8bf26f20a27'), kNasEnc: fromHex('53aa16a1ee0d7bf601a342eecaf8b0e6'), integrityAlgorithm: 2, cipheringAlgorithm: 2, uplinkCount: 0, downlinkCount: 0, bearer: 1, ...over });

/** A plain 5GMM message of `n` octets (EPD, plain header, a message type, then filler). */
const plainOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x7e : i === 1 ? 0 : i === 2 ? 0x43 : (i * 29 + seed) & 0xff));

/** `m` copied into a shared buffer at `at`, with other octets before and after it. */
function placed(m: Uint8Array, at: number, rng: Rng): Uint8Array {
  const shared = Uint8Array.from({ length: at + m.length + 13 }, () => rng.int(256));
  shared.set(m, at);
  return shared.subarray(at, at + m.length);
}

describe('NAS protection with the MAC as a word and the header read in place', () => {
  for (const direction of [0, 1] as const) {
    for (const sht of [1, 2, 3, 4] as const) {
      it(`security header type ${sht}, ${direction ? 'downlink' : 'uplink'}: octets as NIA2/NEA2 give them, unprotected at odd offsets of shared buffers`, () => {
        const rng = new Rng(sht * 10 + direction + 1);
        const sender = ctx({ uplinkCount: 0x1fe, downlinkCount: 0x2fe }), receiver = ctx({ uplinkCount: 0x1fe, downlinkCount: 0x2fe });
        for (const n of [3, 4, 20, 57, 58, 64, 65, 120, 240, 249, 250, 400]) {
          const plain = plainOf(n, n);
          const count = direction === 0 ? sender.uplinkCount : sender.downlinkCount;
          const p = protectNas(plain, sender, direction, sht);
          const ciphered = sht === 2 || sht === 4;
          const body = ciphered ? nea2(sender.kNasEnc, count, 1, direction, plain) : plain;
          const signed = Uint8Array.from([count & 0xff, ...body]);
          expect(toHex(p), `${n} octets`).toBe(toHex(Uint8Array.from([0x7e, sht, ...nia2(sender.kNasInt, count, 1, direction, signed), ...signed])));
          const view = placed(p, 1 + 2 * rng.int(40), rng);
          const u = unprotectNas(view, receiver, direction);
          expect(u.count).toBe(count);
          expect(toHex(u.plain)).toBe(toHex(plain));
          expect(u.header).toEqual({ epd: 0x7e, securityHeaderType: sht, mac: p.subarray(2, 6), sequenceNumber: count & 0xff, payload: body });
          // what it returned is its own: the shared buffer's later use does not change it
          view.fill(0xee);
          expect(toHex(u.header.mac)).toBe(toHex(p.subarray(2, 6)));
          expect(toHex(u.header.payload)).toBe(toHex(body));
          expect(toHex(u.plain)).toBe(toHex(plain));
        }
        expect(direction === 0 ? receiver.uplinkCount : receiver.downlinkCount).toBe((direction === 0 ? 0x1fe : 0x2fe) + 12);
      });
    }
  }

  it('every cut of a protected message at an odd offset throws DecodeError (short) or NasMacFailure, and leaves the COUNTs alone', () => {
    const rng = new Rng(77);
    for (const sht of [1, 2, 3, 4] as const) {
      const p = protectNas(plainOf(70, sht), ctx(), 0, sht);
      for (let len = 0; len < p.length; len++) {
        const receiver = ctx();
        const view = placed(p.subarray(0, len), 3 + 2 * rng.int(20), rng);
        let thrown: unknown;
        try {
          unprotectNas(view, receiver, 0);
        } catch (e) {
          thrown = e;
        }
        if (len < 8) expect(thrown instanceof DecodeError, `${len} octets: ${String(thrown)}`).toBe(true);
        else expect(thrown, `${len} octets`).toBeInstanceOf(NasMacFailure);
        expect([receiver.uplinkCount, receiver.downlinkCount]).toEqual([0, 0]);
      }
    }
  });

  it('a header that is not a protected 5GMM message is a DecodeError at its octet, wherever it sits', () => {
    const rng = new Rng(5);
    const p = protectNas(plainOf(10, 1), ctx(), 0, 2);
    for (const [octet, value, offset, path] of [[0, 0x2e, 0, 'ExtendedProtocolDiscriminator'], [1, 0, 1, 'SecurityHeaderType'], [1, 5, 1, 'SecurityHeaderType'], [1, 0x0f, 1, 'SecurityHeaderType']] as const) {
      const bad = Uint8Array.from(p);
      bad[octet] = value;
      try {
        unprotectNas(placed(bad, 1 + 2 * rng.int(10), rng), ctx(), 0);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect([(e as DecodeError).code, (e as DecodeError).offset, (e as DecodeError).path]).toEqual(['BAD_VALUE', offset, path]);
      }
    }
  });

  it('the 8-bit sequence number wraps into the overflow counter; an old COUNT that verifies is a replay, at any offset', () => {
    const rng = new Rng(11);
    const ue = ctx({ downlinkCount: 0xfffd }), amf = ctx({ downlinkCount: 0xfffd });
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      const p = protectNas(plainOf(30, i), amf, 1, 2);
      sent.push(p);
      expect(unprotectNas(placed(p, 1 + 2 * rng.int(30), rng), ue, 1).count).toBe(0xfffd + i);
    }
    expect(ue.downlinkCount).toBe(0x10002);
    expect(() => unprotectNas(placed(sent[4], 5, rng), ue, 1)).toThrowError(NasReplay);
    expect(ue.downlinkCount).toBe(0x10002);
  });
});
