// The HomeNetworkAka port (nodes/common/aka.ts) bound to crypto/: the UDM's ARPF/SIDF and the AUSF, on hex
// strings, as the SBI carries them, built from the pure functions of this folder.

import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { generateAuthenticationVector, resynchronise } from '../../crypto/aka.ts';
import { hresStar, kseaf } from '../../crypto/kdf.ts';
import { randomOctets } from '../../crypto/random.ts';
import { deconcealSuci, bcdToMsin, SuciMacFailure, type SuciProfile } from '../../crypto/suci.ts';
import { supiOfNaiSuciString } from '../../codecs/nas/suci-nai.ts';
import type { HomeNetworkAka } from './aka.ts';

export interface HomeNetworkKey {
  /** Home network public key identifier (TS 33.501 C.3, 0..255). */
  id: number;
  profile: SuciProfile;
  /** Private key, hex. */
  privateKey: string;
}

const SUCI = /^suci-0-(\d{3})-(\d{2,3})-([0-9a-fA-F]{1,4})-(\d+)-(\d+)-([0-9a-fA-F]+)$/;

export function homeNetworkAka(keys: HomeNetworkKey[], random: (n: number) => Uint8Array = randomOctets): HomeNetworkAka {
  return {
    generateVector: (p) => {
      const av = generateAuthenticationVector(fromHex(p.k), fromHex(p.opc), fromHex(p.amf), fromHex(p.sqn), fromHex(p.rand), p.servingNetworkName);
      return { autn: toHex(av.autn), xresStar: toHex(av.xresStar), kausf: toHex(av.kausf) };
    },
    resynchronise: (p) => {
      const sqn = resynchronise(fromHex(p.k), fromHex(p.opc), fromHex(p.rand), fromHex(p.auts));
      return sqn ? toHex(sqn) : undefined;
    },
    hxresStar: (rand, x) => toHex(hresStar(fromHex(rand), fromHex(x))),
    kseaf: (k, sn) => toHex(kseaf(fromHex(k), sn)),
    /**
     * TS 29.503 SupiOrSuci "suci-0-<MCC>-<MNC>-<routing indicator>-<scheme>-<key id>-<output>"
     * for SUPI type IMSI: the null scheme carries the MSIN digits, profiles A/B the ECIES output.
     */
    deconcealSuci: (suci) => {
      // SUPI type network specific identifier, null scheme (codecs/nas/suci-nai.ts)
      if (suci.startsWith('suci-1-')) return supiOfNaiSuciString(suci);
      const m = SUCI.exec(suci);
      if (!m) return undefined;
      const [, mcc, mnc, , schemeText, keyIdText, output] = m;
      const scheme = Number(schemeText);
      if (scheme === 0) return /^\d+$/.test(output) ? `imsi-${mcc}${mnc}${output}` : undefined;
      const key = keys.find((k) => k.id === Number(keyIdText) && (k.profile === 'A' ? 1 : 2) === scheme);
      if (!key || output.length % 2) return undefined;
      try {
        return `imsi-${mcc}${mnc}${bcdToMsin(deconcealSuci(key.profile, fromHex(key.privateKey), fromHex(output)))}`;
      } catch (e) {
        if (e instanceof SuciMacFailure) return undefined;
        throw e;
      }
    },
    randomRand: () => toHex(random(16)),
  };
}
