// NAS in `wire5g decode`: after a Security Mode Command selecting 5G-EA0 the protected messages
// are read as plain (Wireshark's nas-5gs.null_decipher), and a malformed one shows its DecodeError
// with offset and path; with 128-5G-EA2 they are shown as ciphered. Values in Wireshark's form.

import { describe, it, expect } from 'vitest';
import { dissectNas, encodeNasMessage, protectNas, nullSchemeSuci, nasMessage, type NasCipheringState, type NasSecurityContext } from '../../codecs/nas/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { SAMPLES } from './samples.ts';

function ctx(cipheringAlgorithm: number): NasSecurityContext {
  return { ngKsi: 1, kNasInt: new Uint8Array(16).fill(1), kNasEnc: new Uint8Array(16).fill(2), integrityAlgorithm: 2, cipheringAlgorithm, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
}

const smc = (ciphering: number) => nasMessage('Security mode command', { selectedNasSecurityAlgorithms: { ciphering, integrity: 2 }, ngKsi: { tsc: 0, ksi: 1 }, replayedUeSecurityCapabilities: { ea: 0x80, ia: 0x20 } });

describe('NAS dissection with the ciphering the Security Mode Command selected', () => {
  it('5G-EA0: reads the protected message; a malformed one throws its DecodeError with offset and path', () => {
    const state: NasCipheringState = {};
    const c = ctx(0);
    const cmd = dissectNas(protectNas(Uint8Array.from(encodeNasMessage(smc(0))), c, 1, 3), state);
    expect(cmd[0].message).toBe('Security mode command');
    expect(state.algorithm).toBe(0);
    const complete = SAMPLES.find((s) => s.name === 'Registration complete') ?? SAMPLES[0];
    expect(dissectNas(protectNas(Uint8Array.from(encodeNasMessage(complete)), c, 0, 2), state)[0].message).toBe(complete.name);
    // A Registration request cut after its type octet, null-ciphered: not "(ciphered)" but the error.
    const broken = protectNas(Uint8Array.of(0x7e, 0x00, 0x41, 0x79, 0x00), c, 0, 2);
    let err: unknown;
    try {
      dissectNas(broken, state);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).offset).toBeGreaterThan(0);
    expect((err as DecodeError).path).not.toBe('');
  });

  it('128-5G-EA2: the payload is shown as ciphered, with the algorithm', () => {
    const state: NasCipheringState = {};
    const c = ctx(2);
    dissectNas(protectNas(Uint8Array.from(encodeNasMessage(smc(2))), c, 1, 3), state);
    expect(state.algorithm).toBe(2);
    const d = dissectNas(protectNas(Uint8Array.from(encodeNasMessage(SAMPLES[0])), c, 0, 2), state);
    expect(d[0].message).toBe('Security protected NAS message (ciphered with 128-5G-EA2)');
  });

  it('shows the MSIN of a null-scheme SUCI as digits and a 5GMM cause by its name', () => {
    const req = nasMessage('Registration request', { registrationType: { followOnRequest: true, value: 1 }, ngKsi: { tsc: 0, ksi: 7 }, mobileIdentity: nullSchemeSuci({ mcc: '001', mnc: '01' }, '0000000123') });
    const [d] = dissectNas(Uint8Array.from(encodeNasMessage(req)));
    expect(d.fields).toMatchObject({ ies: { mobileIdentity: { msin: '0000000123', plmn: { mcc: '001', mnc: '01' } } } });
    const reject = nasMessage('Registration reject', { fiveGmmCause: 3 });
    expect(dissectNas(Uint8Array.from(encodeNasMessage(reject)))[0].fields).toMatchObject({ ies: { fiveGmmCause: 3, fiveGmmCauseName: 'Illegal UE (3)' } });
  });
});
