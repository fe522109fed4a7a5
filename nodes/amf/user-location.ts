// The UE's location as the AMF passes it on: NGAP User Location Information (TS 38.413 9.3.1.16,
// from INITIAL UE MESSAGE and UPLINK NAS TRANSPORT) as the SBI's UserLocation (TS 29.571 5.4.4.7
// NrLocation: Tai and Ncgi). The AMF keeps the latest one on the UE context (TS 23.502 4.3.2.2.1
// step 3 and 4.2.2.3.2 step 2 give it to the SMF).

import type { Ngap } from '../../codecs/ngap/index.ts';

/** TS 29.571 PlmnId. */
export interface PlmnId {
  mcc: string;
  mnc: string;
}

/** TS 29.571 UserLocation with its NR member (the only access wire5g's gNB has). */
export interface UserLocation {
  nrLocation: { tai: { plmnId: PlmnId; tac: string }; ncgi: { plmnId: PlmnId; nrCellId: string } };
}

/** TS 38.413 9.3.3.5 PLMN Identity (TS 24.008 10.5.1.13 BCD, filler F for a 2-digit MNC). */
export function plmnIdOf(b: Uint8Array): PlmnId {
  const digit = (n: number) => (n === 0xf ? '' : n.toString(10));
  const mcc = digit(b[0] & 0xf) + digit(b[0] >> 4) + digit(b[1] & 0xf);
  const mnc = digit(b[2] & 0xf) + digit(b[2] >> 4) + digit(b[1] >> 4);
  return { mcc, mnc };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The UserLocation of an NR ULI: TAC as 6 hex digits (TS 29.571 Tac), the 36-bit NR Cell Identity
 * as 9 hex digits (TS 29.571 NrCellId). Undefined for other accesses (E-UTRA, N3IWF), which wire5g
 * does not serve.
 */
export function userLocationOf(uli: Ngap.UserLocationInformation | undefined): UserLocation | undefined {
  const nr = (uli as { userLocationInformationNR?: { 'nR-CGI': { pLMNIdentity: Uint8Array; nRCellIdentity: { value: Uint8Array; length: number } }; tAI: { pLMNIdentity: Uint8Array; tAC: Uint8Array } } } | undefined)?.userLocationInformationNR;
  if (!nr) return undefined;
  const cell = nr['nR-CGI'].nRCellIdentity;
  // 36 bits, first bit first: 9 hex digits are the 40 bits shifted right by 4
  const v = cell.value;
  const nrCellId = ((BigInt('0x' + hex(v)) >> BigInt(v.length * 8 - cell.length))).toString(16).padStart(9, '0');
  return { nrLocation: { tai: { plmnId: plmnIdOf(nr.tAI.pLMNIdentity), tac: hex(nr.tAI.tAC) }, ncgi: { plmnId: plmnIdOf(nr['nR-CGI'].pLMNIdentity), nrCellId } } };
}
