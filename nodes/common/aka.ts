// The 5G-AKA computations the home network performs (TS 33.501 6.1.3.2, Annex A), as the UDM
// (ARPF/SIDF) and AUSF need them. The functions come from crypto/; this interface lets the NF
// logic be tested with the same code paths whatever the key material.

export interface HomeNetworkAka {
  /**
   * TS 33.501 6.1.3.2 step 1: a 5G HE AV from K, OPc, AMF, SQN and RAND for a serving network
   * name: AUTN, XRES*, KAUSF (all hex).
   */
  generateVector(p: { k: string; opc: string; amf: string; sqn: string; rand: string; servingNetworkName: string }): { autn: string; xresStar: string; kausf: string };
  /**
   * TS 33.102 6.3.5 / TS 33.501 6.1.3.3.2: recovers SQN_MS from AUTS (hex) and checks MAC-S with
   * the resynchronisation AMF; undefined when MAC-S does not verify.
   */
  resynchronise(p: { k: string; opc: string; rand: string; auts: string }): string | undefined;
  /** TS 33.501 A.5: HXRES* from RAND and XRES*. */
  hxresStar(rand: string, xresStar: string): string;
  /** TS 33.501 A.6: KSEAF from KAUSF and the serving network name. */
  kseaf(kausf: string, servingNetworkName: string): string;
  /**
   * TS 33.501 6.12.2 SIDF: the SUPI hidden in a SUCI string (TS 29.503 SupiOrSuci pattern
   * "suci-0-mcc-mnc-routing-scheme-keyid-output"); undefined when it cannot be de-concealed.
   */
  deconcealSuci(suci: string): string | undefined;
  /** 16 random octets, hex (injectable for tests). */
  randomRand(): string;
}

/** TS 33.102 C.3.2: SQN = SEQ || IND with a 5-bit IND; each new vector advances SEQ by one. */
export function nextSqn(sqnHex: string): string {
  const next = (BigInt(`0x${sqnHex}`) + 32n) & 0xffffffffffffn;
  return next.toString(16).padStart(12, '0');
}

/**
 * TS 33.501 A.2 / TS 24.501 9.12.1: "5G:mnc<MNC3>.mcc<MCC>.3gppnetwork.org"; for an SNPN the
 * SNN-network-identifier ends with ":<NID>" (the NID as 11 hex digits, TS 23.003 12.7).
 */
export function servingNetworkName(mcc: string, mnc: string, nid?: string): string {
  return `5G:mnc${mnc.padStart(3, '0')}.mcc${mcc}.3gppnetwork.org${nid !== undefined ? `:${nid}` : ''}`;
}

/**
 * The SUPI as KAMF takes it (TS 33.501 A.7.0, P0): the IMSI digits of "imsi-<digits>", or the
 * NAI of a SUPI of type network specific identifier "nai-<username>@<realm>" (TS 23.003 2.2A).
 */
export function kamfSupiInput(supi: string): string {
  return supi.startsWith('nai-') ? supi.slice(4) : imsiDigits(supi);
}

/** The IMSI digits of a SUPI "imsi-<digits>" (TS 23.003 2.2, TS 29.571 5.3.2), as KAMF takes them (TS 33.501 A.7). */
export function imsiDigits(supi: string): string {
  const m = /^imsi-(\d{6,15})$/.exec(supi);
  if (!m) throw new TypeError(`SUPI ${supi} is not imsi-<digits>`);
  return m[1];
}
