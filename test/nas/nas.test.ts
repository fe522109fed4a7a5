import { describe, it, expect } from 'vitest';
import {
  decodeNas, decodeNasMessage, encodeNasMessage, encodeSecurityProtected, nasMessage, protectNas, unprotectNas, NasMacFailure, NasReplay,
  MESSAGES, supiOfNullSuci, suciString, dissectNas, type NasSecurityContext, type MobileIdentity,
} from '../../codecs/nas/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { fuzzDecoder, Rng } from '../helpers/fuzz.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { SAMPLES } from './samples.ts';

/** NAS-PDUs inside the NGAP vectors (their `value_hex` under NAS-PDU IEs, at any depth). */
function nasPdusOfNgapVectors(): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.name === 'string' && /NAS-PDU/.test(o.name) && typeof o.value_hex === 'string') out.push(o.value_hex);
      for (const [k, x] of Object.entries(o)) walk(x, k);
    }
    void key;
  };
  for (const m of messageVectors('ngap.')) walk(m.expected);
  return out;
}

describe('NAS-5GS codec (TS 24.501)', () => {
  it('has a sample of every modelled message, and every one round-trips byte-exact', () => {
    expect(new Set(SAMPLES.map((m) => m.name))).toEqual(new Set(MESSAGES.map((m) => m.name)));
    for (const m of SAMPLES) {
      const bytes = Uint8Array.from(encodeNasMessage(m));
      const back = decodeNasMessage(bytes);
      expect(back).toEqual(m);
      expect(toHex(encodeNasMessage(back))).toBe(toHex(bytes));
    }
  });

  it('the NAS vectors decode to their stated values and re-encode byte-exact', () => {
    const rr = decodeNasMessage(hexVector('nas_registrationrequest.hex'));
    expect(rr.name).toBe('Registration request');
    expect(rr.ies.registrationType).toEqual({ followOnRequest: true, value: 1 });
    expect(rr.ies.ngKsi).toEqual({ tsc: 0, ksi: 7 });
    const id = rr.ies.mobileIdentity as MobileIdentity;
    expect(id).toMatchObject({ type: 'suci', supiFormat: 'imsi', plmn: { mcc: '310', mnc: '310' }, protectionScheme: 0 });
    expect(supiOfNullSuci(id)).toBe('imsi-310310140000120'); // MSIN BCD 41 00 00 21 f0
    expect(toHex(encodeNasMessage(rr))).toBe(toHex(hexVector('nas_registrationrequest.hex')));
    for (const v of messageVectors('nas.')) {
      const m = decodeNasMessage(fromHex(v.hex));
      expect(toHex(encodeNasMessage(m))).toBe(v.hex.toLowerCase());
    }
    const ueransim = decodeNasMessage(fromHex(messageVectors('nas.registration_request.ueransim')[0].hex));
    expect(suciString(ueransim.ies.mobileIdentity as MobileIdentity)).toBe('suci-0-001-001-0000-0-0-999888777');
  });

  it('the NAS-PDUs inside the NGAP vectors decode (null ciphering) and re-encode byte-exact', () => {
    const pdus = nasPdusOfNgapVectors();
    expect(pdus.length).toBeGreaterThanOrEqual(3);
    for (const hex of pdus) {
      const p = decodeNas(fromHex(hex), { innerIsPlain: true });
      if (p.kind === 'plain') expect(toHex(encodeNasMessage(p.message))).toBe(hex);
      else {
        expect(toHex(encodeSecurityProtected(p.protected))).toBe(hex);
        expect(toHex(encodeNasMessage(p.inner!))).toBe(toHex(p.protected.payload));
      }
    }
  });

  it('keeps optional IEs it does not model in position (TS 24.007 11.2.4)', () => {
    const m = SAMPLES.find((s) => s.name === 'Registration accept')!;
    const bytes = encodeNasMessage(m);
    // insert an unknown TLV (IEI 0x0f) and an unknown TLV-E (0x7f) after the 5G-GUTI
    const at = 3 + 2 + 3 + 11; // header, registration result LV (2), 5G-GUTI TLV-E (IEI, length 2, 11 octets)
    const withUnknown = new Uint8Array([...bytes.subarray(0, at), 0x0f, 1, 0xaa, 0x7f, 0, 1, 0xbb, ...bytes.subarray(at)]);
    const d = decodeNasMessage(withUnknown);
    expect(d.unknownIes?.map(toHex)).toEqual(['0f01aa', '7f0001bb']);
    expect(toHex(encodeNasMessage(d))).toBe(toHex(withUnknown));
  });

  it('rejects bad bytes with a DecodeError naming the field', () => {
    const rr = hexVector('nas_registrationrequest.hex');
    try {
      decodeNasMessage(rr.subarray(0, 10));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).path).toContain('Registration request.mobileIdentity');
    }
    expect(() => decodeNasMessage(Uint8Array.of(0x7e, 0, 0x99))).toThrowError(/5GMM message type 0x99/);
    expect(() => decodeNasMessage(Uint8Array.of(0x0f, 0, 0x41))).toThrowError(DecodeError);
  });

  // Offsets, paths and reasons as the ByteReader-based decoder produced them before the speed work
  // (docs/decisions/nas.md): the NAS cursor must fail exactly where and how it did.
  it('bad bytes fail with the same DecodeError code, offset, path and reason as before', () => {
    const cases: [hex: string, code: string, offset: number, path: string, reason: string][] = [
      ['', 'TRUNCATED', 0, 'ExtendedProtocolDiscriminator', 'ExtendedProtocolDiscriminator needs 1 byte, 0 left'],
      ['7e', 'TRUNCATED', 1, 'SecurityHeaderType', 'SecurityHeaderType needs 1 byte, 0 left'],
      ['7e88', 'BAD_VALUE', 1, 'SecurityHeaderType', 'security header type 8 is reserved'],
      ['7ef1', 'TRUNCATED', 2, 'MessageAuthenticationCode', 'MessageAuthenticationCode needs 4 byte(s), 0 left'],
      ['7ee144075f0122', 'TRUNCATED', 7, 'NASMessage', 'no NAS message after the security header'],
      ['0f0041', 'BAD_VALUE', 0, 'ExtendedProtocolDiscriminator', 'extended protocol discriminator 0xf is not 5GMM or 5GSM'],
      ['7e0099', 'UNKNOWN_TYPE', 2, 'MessageType', '5GMM message type 0x99 (answer with 5GMM cause #97)'],
      ['2e0101ff', 'UNKNOWN_TYPE', 3, 'MessageType', '5GSM message type 0xff (answer with 5GSM cause #97)'],
      ['7e005c', 'TRUNCATED', 3, 'Identity response.mobileIdentity.Length', 'Length needs 2 byte(s), 0 left'],
      ['7e005c000d', 'BAD_LENGTH', 5, 'Identity response.mobileIdentity.Value', 'Value claims 13 byte(s), 0 left'],
      ['7e0064', 'BAD_LENGTH', 3, '5GMM status.fiveGmmCause.fiveGmmCause', 'fiveGmmCause claims 1 byte(s), 0 left'],
      ['7e0064601329', 'TRUNCATED', 4, '5GMM status.UnknownIE(0x13)', 'UnknownIE(0x13) needs 43 byte(s), 2 left'],
      ['7e004d0aed6b02925b3e', 'TRAILING_BYTES', 8, 'Service reject.t3448Value.t3448Value', '1 unexpected byte(s) after t3448Value'],
      ['7e005c00050100f111100000000000000010', 'TRUNCATED', 9, 'Identity response.mobileIdentity.RoutingIndicator', 'RoutingIndicator needs 2 byte(s), 1 left'],
      ['7e005e7700095a651d0204970301c5', 'BAD_VALUE', 7, 'Security mode complete.imeisv.PLMN', 'PLMN identity 651d02 is not BCD'],
      ['7e005e7700093164900204970301f9', 'BAD_VALUE', 6, 'Security mode complete.imeisv.SUPIFormat', 'SUPI format 3'],
      ['7e00670100072e2101c17fff91120181220301250908696e7465726e6574', 'BAD_LENGTH', 18, 'UL NAS transport.sNssai.S-NSSAI', 'S-NSSAI of 3 octets'],
      ['7e0044076903210102', 'BAD_LENGTH', 9, 'Registration reject.rejectedNssai.RejectedS-NSSAI', 'rejected S-NSSAI of 2 octets'],
      ['7e004408690122', 'BAD_LENGTH', 7, 'Registration reject.rejectedNssai.RejectedS-NSSAI', 'RejectedS-NSSAI claims 2 byte(s), 0 left'],
      ['7e0042010177000bf200f110020040123456d35407fa00f110000001150221018c0105', 'BAD_VALUE', 21, 'Registration accept.taiList.TypeOfList', 'type of list 11 is reserved'],
      ['7e0042010177000bf200f11002004012345678540784007310006d01150201015e0105', 'TRUNCATED', 28, 'Registration accept.taiList.TAC', 'TAC needs 3 byte(s), 0 left'],
      ['2e0100cb2a060601f40601f47a000901082631350501ff09', 'BAD_LENGTH', 18, 'PDU session modification command.authorizedQosRules.QoSRule', 'QoSRule claims 2086 byte(s), 6 left'],
      ['2e0100cb2a060601f40601f47a0009010006a9310101ff09', 'TRUNCATED', 24, 'PDU session modification command.authorizedQosRules.PacketFilterIdentifier', 'PacketFilterIdentifier needs 1 byte, 0 left'],
      ['7e00670100072e0101c1ffff911201812201012509073f6e7465726e6574', 'TRUNCATED', 30, 'UL NAS transport.dnn.DNN.Label', 'DNN.Label needs 116 byte(s), 0 left'],
    ];
    const failure = (decode: () => unknown) => {
      try {
        decode();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        return (e as DecodeError).toJSON();
      }
      throw new Error('decoded');
    };
    for (const [hex, code, offset, path, reason] of cases) {
      expect(failure(() => decodeNas(fromHex(hex), { innerIsPlain: true })), hex).toEqual({ protocol: 'nas-5gs', code, offset, path, reason });
    }
    expect(failure(() => decodeNasMessage(fromHex('7e0141')))).toEqual({ protocol: 'nas-5gs', code: 'BAD_VALUE', offset: 1, path: 'SecurityHeaderType', reason: 'security header type 1: a protected message, use decodeNas' });
  });

  it('decoded octet strings are copies with buffers of their own', () => {
    const bytes = Uint8Array.from(hexVector('nas_registrationrequest.hex'));
    const m = decodeNasMessage(bytes);
    const s1 = m.ies.s1UeNetworkCapability as Uint8Array;
    const id = m.ies.mobileIdentity as MobileIdentity & { schemeOutput: Uint8Array };
    expect([s1.byteOffset, s1.buffer.byteLength, id.schemeOutput.byteOffset, id.schemeOutput.buffer.byteLength]).toEqual([0, 7, 0, 5]);
    bytes.fill(0);
    expect(toHex(s1)).toBe('e0e0c040008020');
    expect(toHex(id.schemeOutput)).toBe('41000021f0');
  });

  it('encodes SUCI routing indicators and PLMN identities as before, odd strings included', () => {
    const cases: [ri: string, mcc: string, mnc: string, out: string][] = [
      ['0000', '001', '01', '7e005c000a0100f110000000002143'],
      ['', '310', '260', '7e005c000a01130062ffff00002143'],
      ['12', '001', '01', '7e005c000a0100f11021ff00002143'],
      ['abc', '001', '01', '7e005c000a0100f110bafc00002143'],
      ['12345', '001', '01', '7e005c000a0100f110214300002143'],
      ['ß1', '001', '01', '7e005c000a0100f11000f100002143'], // toUpperCase: 'SS1', then parseInt('S', 16) & 15 = 0
      ['x9', '001', '01', '7e005c000a0100f11090ff00002143'],
      ['0', '31', '01', 'ERR nas-5gs: cannot encode PLMN: 31/01 is not MCC(3)/MNC(2-3) digits'],
      ['0', '001', '1', 'ERR nas-5gs: cannot encode PLMN: 001/1 is not MCC(3)/MNC(2-3) digits'],
      ['0', '001', '12?', 'ERR nas-5gs: cannot encode PLMN: 001/12? is not MCC(3)/MNC(2-3) digits'],
      ['0', '٣١٠', '01', 'ERR nas-5gs: cannot encode PLMN: ٣١٠/01 is not MCC(3)/MNC(2-3) digits'],
    ];
    for (const [routingIndicator, mcc, mnc, out] of cases) {
      const mobileIdentity: MobileIdentity = { type: 'suci', supiFormat: 'imsi', plmn: { mcc, mnc }, routingIndicator, protectionScheme: 0, homeNetworkPublicKeyId: 0, schemeOutput: Uint8Array.of(0x21, 0x43) };
      let got: string;
      try {
        got = toHex(encodeNasMessage(nasMessage('Identity response', { mobileIdentity })));
      } catch (e) {
        got = `ERR ${(e as Error).message}`;
      }
      expect(got, routingIndicator).toBe(out);
    }
  });

  it('dissects a 5GSM message inside a 5GMM payload container too', () => {
    const ul = SAMPLES.find((s) => s.name === 'DL NAS transport')!;
    const d = dissectNas(encodeNasMessage(ul));
    expect(d.map((x) => x.message)).toEqual(['DL NAS transport', 'PDU session release command']);
  });

  it('fuzz: 100k inputs end in a message or a DecodeError', () => {
    const corpus = [...SAMPLES.map((m) => Uint8Array.from(encodeNasMessage(m))), hexVector('nas_registrationrequest.hex')];
    const res = fuzzDecoder((b) => decodeNas(b, { innerIsPlain: true }), { seed: 0x5a5, cases: 100_000, corpus });
    expect(res.rejected).toBeGreaterThan(10_000);
  });
});

describe('NAS security (TS 24.501 4.4, TS 33.501 6.4)', () => {
  const ctx = (over: Partial<NasSecurityContext> = {}): NasSecurityContext => ({ ngKsi: 1, kNasInt: fromHex('daa5adbfc68d0928737ac8bf26f20a27'), kNasEnc: fromHex('53aa16a1ee0d7bf601a342eecaf8b0e6'), integrityAlgorithm: 2, cipheringAlgorithm: 2, uplinkCount: 0, downlinkCount: 0, bearer: 1, ...over });
  const plain = encodeNasMessage(SAMPLES.find((s) => s.name === 'Registration complete')!);

  for (const cipheringAlgorithm of [0, 2]) {
    it(`protect then unprotect with NIA2/NEA${cipheringAlgorithm}, COUNT advancing on both sides`, () => {
      const ue = ctx({ cipheringAlgorithm }), amf = ctx({ cipheringAlgorithm });
      for (let i = 0; i < 3; i++) {
        const p = protectNas(plain, ue, 0, 2);
        expect(p[6]).toBe(i);
        const u = unprotectNas(p, amf, 0);
        expect(toHex(u.plain)).toBe(toHex(plain));
        expect(u.count).toBe(i);
      }
      expect([ue.uplinkCount, amf.uplinkCount]).toEqual([3, 3]);
    });
  }

  it('a flipped bit is a MAC failure; a replay is a replay; COUNT carries across the 8-bit SQN wrap', () => {
    const ue = ctx(), amf = ctx();
    const p = protectNas(plain, ue, 0, 1);
    const bad = Uint8Array.from(p);
    bad[bad.length - 1] ^= 1;
    expect(() => unprotectNas(bad, ctx(), 0)).toThrowError(NasMacFailure);
    unprotectNas(p, amf, 0);
    expect(() => unprotectNas(p, amf, 0)).toThrowError(NasReplay);
    const ue2 = ctx({ uplinkCount: 254 }), amf2 = ctx({ uplinkCount: 254 });
    for (let i = 0; i < 4; i++) unprotectNas(protectNas(plain, ue2, 0, 1), amf2, 0);
    expect(amf2.uplinkCount).toBe(258);
    expect(ue2.uplinkCount).toBe(258);
  });

  it('fuzz: unprotect throws only DecodeError or the NAS security errors', () => {
    const ue = ctx();
    const corpus = [protectNas(plain, ue, 0, 2), protectNas(plain, ue, 0, 1)];
    const rng = new Rng(9);
    for (let i = 0; i < 20_000; i++) {
      const b = Uint8Array.from(corpus[i % 2]);
      if (b.length) b[rng.int(b.length)] ^= 1 << rng.int(8);
      try {
        unprotectNas(b.subarray(0, rng.int(b.length + 1)), ctx(), 0);
      } catch (e) {
        expect(e instanceof DecodeError || e instanceof NasMacFailure || e instanceof NasReplay).toBe(true);
      }
    }
  });
});

describe.skipIf(!tsharkAvailable())('NAS-5GS golden bytes checked by tshark', () => {
  it('tshark dissects every message, plain and integrity protected, with our values and no expert warning or error', () => {
    const { capture, path } = tempCapture('nas-golden');
    const ue = { ngKsi: 1, kNasInt: new Uint8Array(16), kNasEnc: new Uint8Array(16), integrityAlgorithm: 2, cipheringAlgorithm: 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
    for (const m of SAMPLES) capture.exportedPdu('nas-5gs', encodeNasMessage(m), m.name);
    for (const m of SAMPLES.filter((s) => s.epd === 0x7e)) capture.exportedPdu('nas-5gs', protectNas(Uint8Array.from(encodeNasMessage(m)), ue, 0, 1), `${m.name} (integrity protected)`);
    capture.close();
    const frames = dissect(path, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    expect(frames.every((f) => f.protocols.includes('nas-5gs'))).toBe(true);
    SAMPLES.forEach((m, i) => {
      const f = frames[i];
      const type = m.epd === 0x7e ? field(f, 'nas_5gs.mm.message_type') : field(f, 'nas_5gs.sm.message_type');
      expect(Number(type)).toBe(m.messageType);
    });
    const reg = frames[0];
    expect(field(reg, 'nas_5gs.mm.suci.msin')).toBe('0000000001');
    expect(field(reg, 'nas_5gs.mm.for')).toBe('1');
    const accept = frames[SAMPLES.findIndex((s) => s.name === 'PDU session establishment accept')];
    expect(field(accept, 'nas_5gs.sm.pdu_addr_inf_ipv4')).toBe('10.45.0.1');
    expect(field(accept, 'nas_5gs.sm.qos_rule_id')).toBe('1');
    const protectedFrames = frames.slice(SAMPLES.length);
    expect(protectedFrames.every((f) => field(f, 'nas_5gs.security_header_type') === '1')).toBe(true);
  });
});
