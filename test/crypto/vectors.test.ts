// Every set of ../shared/vectors/crypto-3gpp.json: Milenage (TS 35.207/35.208), 128-NEA2 and
// 128-NIA2 (TS 33.401 Annex C), SUCI profiles A and B (TS 33.501 C.4), the key hierarchy.

import { describe, it, expect } from 'vitest';
import { jsonVector } from '../helpers/vectors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { opc, f1, f2345, f5star, f1f2345 } from '../../crypto/milenage.ts';
import { nia2, nea2, aesCmac, BitLengthError } from '../../crypto/nas-algorithms.ts';
import { concealSuci, deconcealSuci, publicKeyOf, x963Kdf, SuciMacFailure, msinToBcd, bcdToMsin } from '../../crypto/suci.ts';
import { kausf, kseaf, kamf, kgnb, resStar, hresStar, algorithmKey, AlgorithmType, ckPrimeIkPrime } from '../../crypto/kdf.ts';
import { generateAuthenticationVector, verifyAutn, computeAuts, resynchronise } from '../../crypto/aka.ts';

type Hex = string;
interface Doc {
  milenage: { id: string; K: Hex; RAND: Hex; SQN: Hex; AMF: Hex; OP?: Hex; OPc: Hex; f1: Hex; f1star: Hex; f2: Hex; f3: Hex; f4: Hex; f5: Hex; f5star: Hex }[];
  nea2: { id: string; key: Hex; count: Hex; bearer: number; direction: number; length_bits: number; plaintext: Hex; ciphertext: Hex }[];
  nia2: { id: string; key: Hex; count: Hex; bearer: number; direction: number; length_bits: number; message: Hex; mac: Hex }[];
  suci_ecies: { id: string; profile: 'A' | 'B'; hn_private_key: Hex; hn_public_key: Hex; eph_private_key: Hex; eph_public_key: Hex; shared_key: Hex; eph_enc_key: Hex; icb: Hex; eph_mac_key: Hex; plaintext: Hex; ciphertext: Hex; mac_tag: Hex; scheme_output: Hex }[];
  kdf: { id: string; inputs: Record<string, unknown>; outputs: Record<string, Hex>; derived_here_not_in_source?: Record<string, Hex> }[];
}
const doc = jsonVector<Doc>('crypto-3gpp.json');
const h = fromHex;

describe('MILENAGE (TS 35.206) on every TS 35.207/35.208 set', () => {
  it(`covers ${doc.milenage.length} sets`, () => expect(doc.milenage.length).toBeGreaterThanOrEqual(20));
  for (const v of doc.milenage.filter((m) => m.f1 !== undefined)) {
    it(v.id, () => {
      const k = h(v.K);
      if (v.OP && /^[0-9a-f]{32}$/i.test(v.OP)) expect(toHex(opc(k, h(v.OP)))).toBe(v.OPc.toLowerCase());
      const o = h(v.OPc);
      const a = f1(k, o, h(v.RAND), h(v.SQN), h(v.AMF));
      expect([toHex(a.macA), toHex(a.macS)]).toEqual([v.f1, v.f1star].map((x) => x.toLowerCase()));
      const b = f2345(k, o, h(v.RAND));
      expect([toHex(b.res), toHex(b.ck), toHex(b.ik), toHex(b.ak)]).toEqual([v.f2, v.f3, v.f4, v.f5].map((x) => x.toLowerCase()));
      expect(toHex(f5star(k, o, h(v.RAND)))).toBe(v.f5star.toLowerCase());
      // the home network's f1..f5 in one AES call for OUT1..OUT4
      const c = f1f2345(h(v.K), o, h(v.RAND), h(v.SQN), h(v.AMF));
      expect([c.macA, c.macS, c.res, c.ck, c.ik, c.ak].map(toHex)).toEqual([v.f1, v.f1star, v.f2, v.f3, v.f4, v.f5].map((x) => x.toLowerCase()));
    });
  }
  it('one K object changed in place between sets, a Uint8Array or a Buffer, gives each set its own results (E_K is kept per K object)', () => {
    // a Buffer's slice() is a view, not a copy: what E_K was made from must not change with the key
    for (const k of [new Uint8Array(16), Buffer.alloc(16)]) {
      for (const v of doc.milenage.filter((m) => m.f1 !== undefined)) {
        k.set(h(v.K));
        expect(toHex(f1(k, h(v.OPc), h(v.RAND), h(v.SQN), h(v.AMF)).macA)).toBe(v.f1.toLowerCase());
        expect(toHex(f2345(k, h(v.OPc), h(v.RAND)).res)).toBe(v.f2.toLowerCase());
      }
    }
  });
});

describe('128-NEA2 / 128-NIA2 (TS 33.401 Annex C)', () => {
  for (const v of doc.nea2) {
    it(v.id, () => {
      const out = nea2(h(v.key), parseInt(v.count, 16), v.bearer, v.direction, h(v.plaintext), v.length_bits);
      expect(toHex(out)).toBe(v.ciphertext.toLowerCase());
      // decryption is the same operation; the plaintext beyond length_bits is not part of it
      const bytes = Math.ceil(v.length_bits / 8);
      const plain = h(v.plaintext).slice(0, bytes);
      if (v.length_bits % 8) plain[bytes - 1] &= 0xff << (8 - (v.length_bits % 8));
      expect(toHex(nea2(h(v.key), parseInt(v.count, 16), v.bearer, v.direction, out, v.length_bits))).toBe(toHex(plain));
    });
  }
  for (const v of doc.nia2) {
    it(v.id, () => {
      expect(toHex(nia2(h(v.key), parseInt(v.count, 16), v.bearer, v.direction, h(v.message), v.length_bits))).toBe(v.mac.toLowerCase());
    });
  }
  it('one key object used again, and changed in place between MACs, gives each set its own MAC (the derived subkeys follow the key)', () => {
    // each set three times in a row: MACs under one key object share its cipher, chained from one MAC to the next;
    // the key a Uint8Array or a Buffer (whose slice() is a view, not a copy)
    for (const key of [new Uint8Array(16), Buffer.alloc(16)]) {
      for (const v of [...doc.nia2, ...doc.nia2].flatMap((x) => [x, x, x])) {
        key.set(h(v.key));
        expect(toHex(nia2(key, parseInt(v.count, 16), v.bearer, v.direction, h(v.message), v.length_bits))).toBe(v.mac.toLowerCase());
      }
    }
  });
  it('a length that is not an integer within the message throws BitLengthError, and the key keeps giving the right MACs', () => {
    const mac = (key: Uint8Array, v: Doc['nia2'][number]) => toHex(nia2(key, parseInt(v.count, 16), v.bearer, v.direction, h(v.message), v.length_bits));
    for (const v of doc.nia2) {
      const key = h(v.key);
      expect(mac(key, v)).toBe(v.mac.toLowerCase()); // the key's CBC state is saved from here on
      const m = h(v.message);
      for (const bad of [NaN, Infinity, -1, 0.5, v.length_bits + 0.5, m.length * 8 + 1]) {
        expect(() => aesCmac(key, m, bad), `aesCmac ${bad}`).toThrow(BitLengthError);
        expect(() => nia2(key, 0, 0, 0, m, bad), `nia2 ${bad}`).toThrow(BitLengthError);
        expect(mac(key, v), `after ${bad}`).toBe(v.mac.toLowerCase());
      }
      expect(aesCmac(key, m, 0)).toHaveLength(16);
      expect(aesCmac(key, m, m.length * 8)).toHaveLength(16);
      expect(mac(key, v)).toBe(v.mac.toLowerCase());
    }
  });
});

describe('SUCI ECIES profiles A and B (TS 33.501 C.4)', () => {
  for (const v of doc.suci_ecies) {
    it(v.id, () => {
      expect(toHex(publicKeyOf(v.profile, h(v.hn_private_key)))).toBe(v.hn_public_key);
      expect(toHex(publicKeyOf(v.profile, h(v.eph_private_key)))).toBe(v.eph_public_key);
      const k = x963Kdf(h(v.shared_key), h(v.eph_public_key), 64);
      expect([toHex(k.subarray(0, 16)), toHex(k.subarray(16, 32)), toHex(k.subarray(32))]).toEqual([v.eph_enc_key, v.icb, v.eph_mac_key]);
      const out = concealSuci(v.profile, h(v.hn_public_key), h(v.plaintext), h(v.eph_private_key));
      expect(toHex(out)).toBe(v.eph_public_key + v.ciphertext + v.mac_tag);
      expect(toHex(deconcealSuci(v.profile, h(v.hn_private_key), out))).toBe(v.plaintext);
      const tampered = Uint8Array.from(out);
      tampered[tampered.length - 9] ^= 1;
      expect(() => deconcealSuci(v.profile, h(v.hn_private_key), tampered)).toThrowError(SuciMacFailure);
    });
  }
  it('MSIN BCD as the C.4 vectors encode it', () => {
    expect(toHex(msinToBcd('001002086'))).toBe('00012080f6');
    expect(bcdToMsin(h('00012080f6'))).toBe('001002086');
  });
});

describe('key hierarchy (TS 33.501 Annex A, TS 33.220 B.2)', () => {
  const byId = (id: string) => doc.kdf.find((x) => x.id === id)!;
  it('KAUSF -> KSEAF -> KAMF -> KgNB chain', () => {
    const v = byId('kdf.chain.frankurcrazy');
    const i = v.inputs as Record<string, string | number>;
    const ka = kausf(h(String(i.CK)), h(String(i.IK)), String(i.serving_network_name), h(String(i.SQN_xor_AK)));
    expect(toHex(ka)).toBe(v.outputs.K_AUSF);
    const ks = kseaf(ka, String(i.serving_network_name));
    expect(toHex(ks)).toBe(v.outputs.K_SEAF);
    const km = kamf(ks, String(i.SUPI_digits), h(String(i.ABBA)));
    expect(toHex(km)).toBe(v.outputs.K_AMF);
    expect(toHex(kgnb(km, Number(i.uplink_NAS_COUNT_for_KgNB)))).toBe(v.outputs.K_gNB);
  });
  it('Milenage + RES*/XRES*, HXRES*, AUTN, and the keys down to KgNB', () => {
    const v = byId('kdf.chain.maingo');
    const i = v.inputs as Record<string, string>;
    const sn = i.serving_network_name;
    const av = generateAuthenticationVector(h(i.K), h(i.OPc), h(i.AMF), h(i.SQN), h(i.RAND), sn);
    expect(toHex(av.autn)).toBe(v.outputs.AUTN);
    expect(toHex(av.xresStar)).toBe(v.outputs.xRESStar);
    expect(toHex(hresStar(av.rand, av.xresStar))).toBe(v.outputs.HXRESStar);
    const d = v.derived_here_not_in_source!;
    expect(toHex(av.kausf)).toBe(d.KAUSF);
    const km = kamf(kseaf(av.kausf, sn), i.SUPI_digits, h(i.ABBA));
    expect(toHex(km)).toBe(d.KAMF);
    expect(toHex(algorithmKey(km, AlgorithmType.NasEnc, 2))).toBe(d.K_NASenc_128NEA2);
    expect(toHex(algorithmKey(km, AlgorithmType.NasInt, 2))).toBe(d.K_NASint_128NIA2);
    expect(toHex(kgnb(km, 0))).toBe(d['KgNB (UL NAS COUNT 0, 3GPP access)']);
    const { res, ck, ik } = f2345(h(i.K), h(i.OPc), h(i.RAND));
    expect(toHex(res)).toBe(v.outputs.xRES);
    expect(toHex(resStar(ck, ik, sn, h(i.RAND), res))).toBe(v.outputs.xRESStar);
  });
  it("CK'||IK' (RFC 5448 test vector 1)", () => {
    const v = byId('kdf.ckprime_ikprime.rfc5448_tv1');
    const i = v.inputs as Record<string, string>;
    expect(toHex(ckPrimeIkPrime(h(i.key_CK_IK), i.P0_network_name, h(i.P1_SQN_xor_AK)))).toBe(v.outputs.CKprime_IKprime);
  });
  it('algorithm key derivation (A.8) full KDF outputs', () => {
    const v = byId('kdf.algkey.srsran');
    const key = h(String(v.inputs.key));
    for (const [label, out] of Object.entries(v.outputs)) {
      const m = /P0=(\d\d).*P1=(\d\d)/.exec(label)!;
      expect(toHex(algorithmKey(key, Number(m[1]), Number(m[2])))).toBe(out.slice(-32));
    }
  });
});

describe('MILENAGE special sets: AUTN assembly and AUTS', () => {
  const special = doc.milenage as unknown as Record<string, string & Record<string, string>>[];
  it('milenage.autn.free5gc: AUTN = (SQN xor AK) || AMF || MAC-A', () => {
    const v = special.find((m) => m.id === 'milenage.autn.free5gc')!;
    const { res, ck, ik, ak } = f2345(h(v.K), h(v.OPc), h(v.RAND));
    expect([toHex(res), toHex(ck), toHex(ik), toHex(ak)]).toEqual([v.RES, v.CK, v.IK, v.AK]);
    expect(toHex(generateAuthenticationVector(h(v.K), h(v.OPc), h(v.AMF), h(v.SQN), h(v.RAND), 'x').autn)).toBe(v.AUTN);
  });
  it('milenage.auts.free5gc: AUTS built by the USIM, resolved by the network, rejected under another K', () => {
    const v = special.find((m) => m.id === 'milenage.auts.free5gc')!;
    expect(toHex(f5star(h(v.K), h(v.OPc), h(v.RAND)))).toBe(v.AK_star);
    expect(toHex(computeAuts(h(v.K), h(v.OPc), h(v.RAND), h(v.SQN_MS)))).toBe(v.AUTS);
    expect(toHex(resynchronise(h(v.K), h(v.OPc), h(v.RAND), h(v.AUTS))!)).toBe(v.SQN_MS);
    const neg = (v as unknown as { negative_case: { K: string } }).negative_case;
    expect(resynchronise(h(neg.K), h(v.OPc), h(v.RAND), h(v.AUTS))).toBeUndefined();
  });
});

describe('AUTN verification, AUTS and resynchronisation (TS 33.102 6.3)', () => {
  const k = h('465b5ce8b199b49faa5f0a2ee238a6bc'), o = h('cd63cb71954a9f4e48a5994e37a02baf'), rand = h('23553cbe9637a89d218ae64dae47bf35');
  const sn = '5G:mnc001.mcc001.3gppnetwork.org';
  const av = generateAuthenticationVector(k, o, h('8000'), h('000000000040'), rand, sn);
  it('the USIM accepts a fresh AUTN and computes the same RES* and KAUSF', () => {
    const r = verifyAutn(k, o, rand, av.autn, sn, () => true);
    expect(r.result).toBe('ok');
    if (r.result !== 'ok') return;
    expect(toHex(r.resStar)).toBe(toHex(av.xresStar));
    expect(toHex(r.kausf)).toBe(toHex(av.kausf));
  });
  it('a flipped MAC bit is a MAC failure; a stale SQN is a synch failure answered with AUTS the network resolves', () => {
    const bad = Uint8Array.from(av.autn);
    bad[15] ^= 1;
    expect(verifyAutn(k, o, rand, bad, sn, () => true).result).toBe('mac-failure');
    const stale = verifyAutn(k, o, rand, av.autn, sn, () => false);
    expect(stale.result).toBe('synch-failure');
    const sqnMs = h('000000000400');
    const auts = computeAuts(k, o, rand, sqnMs);
    expect(toHex(resynchronise(k, o, rand, auts)!)).toBe('000000000400');
    auts[13] ^= 1;
    expect(resynchronise(k, o, rand, auts)).toBeUndefined();
  });
});
