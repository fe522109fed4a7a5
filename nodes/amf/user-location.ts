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

/** A BCD digit of TS 24.008 10.5.1.13, '' for the filler F. */
function bcdDigit(n: number): string {
  return n === 0xf ? '' : String(n);
}

/** TS 38.413 9.3.3.5 PLMN Identity (TS 24.008 10.5.1.13 BCD, filler F for a 2-digit MNC). */
export function plmnIdOf(b: Uint8Array): PlmnId {
  const mcc = bcdDigit(b[0] & 0xf) + bcdDigit(b[0] >> 4) + bcdDigit(b[1] & 0xf);
  const mnc = bcdDigit(b[2] & 0xf) + bcdDigit(b[2] >> 4) + bcdDigit(b[1] >> 4);
  return { mcc, mnc };
}

/** Octets as lower-case hex digits, two per octet. */
function hex(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return out;
}

/**
 * The first `bits` bits of `v` as a hex number: as a double while exact (at most 6 octets, 48
 * bits; the NR Cell Identity is 36 bits in 5 octets), else through BigInt.
 */
function leadingBitsHex(v: Uint8Array, bits: number): string {
  if (v.length > 6) return (BigInt('0x' + hex(v)) >> BigInt(v.length * 8 - bits)).toString(16);
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  return Math.floor(n / 2 ** (v.length * 8 - bits)).toString(16);
}

/** The NR ULI fields a UserLocation was built from (userLocationOf), to know it again. */
const builtFrom = new WeakMap<UserLocation, NrUli>();

type NrUli = { 'nR-CGI': { pLMNIdentity: Uint8Array; nRCellIdentity: { value: Uint8Array; length: number } }; tAI: { pLMNIdentity: Uint8Array; tAC: Uint8Array } };

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNrUli(a: NrUli, b: NrUli): boolean {
  return a['nR-CGI'].nRCellIdentity.length === b['nR-CGI'].nRCellIdentity.length && sameOctets(a['nR-CGI'].nRCellIdentity.value, b['nR-CGI'].nRCellIdentity.value)
    && sameOctets(a['nR-CGI'].pLMNIdentity, b['nR-CGI'].pLMNIdentity) && sameOctets(a.tAI.tAC, b.tAI.tAC) && sameOctets(a.tAI.pLMNIdentity, b.tAI.pLMNIdentity);
}

/**
 * A copy of the fields (the decoded IEs may be views of the received PDU, which is not kept and
 * may be reused: codecs/per gives a Buffer's octets as its slice, a view). `new Uint8Array(x)`
 * copies whatever x is; a Buffer's own slice() would not.
 */
function copyNrUli(nr: NrUli): NrUli {
  const cell = nr['nR-CGI'].nRCellIdentity;
  return { 'nR-CGI': { pLMNIdentity: new Uint8Array(nr['nR-CGI'].pLMNIdentity), nRCellIdentity: { value: new Uint8Array(cell.value), length: cell.length } }, tAI: { pLMNIdentity: new Uint8Array(nr.tAI.pLMNIdentity), tAC: new Uint8Array(nr.tAI.tAC) } };
}

/**
 * The UserLocation of an NR ULI: TAC as 6 hex digits (TS 29.571 Tac), the 36-bit NR Cell Identity
 * as 9 hex digits (TS 29.571 NrCellId). Undefined for other accesses (E-UTRA, N3IWF), which wire5g
 * does not serve. Built for each uplink NAS message, so without BigInt, Buffer copies or closures
 * (issue 21 goal 3); `previous` (the UE's last one) is returned as it is when the ULI names the same
 * TAI and cell, as it does in every message of a UE that does not move.
 */
export function userLocationOf(uli: Ngap.UserLocationInformation | undefined, previous?: UserLocation): UserLocation | undefined {
  const nr = (uli as { userLocationInformationNR?: NrUli } | undefined)?.userLocationInformationNR;
  if (!nr) return undefined;
  if (previous) {
    const was = builtFrom.get(previous);
    if (was && sameNrUli(was, nr)) return previous;
  }
  const cell = nr['nR-CGI'].nRCellIdentity;
  // 36 bits, first bit first: 9 hex digits are the 40 bits shifted right by 4
  const nrCellId = leadingBitsHex(cell.value, cell.length).padStart(9, '0');
  const location = { nrLocation: { tai: { plmnId: plmnIdOf(nr.tAI.pLMNIdentity), tac: hex(nr.tAI.tAC) }, ncgi: { plmnId: plmnIdOf(nr['nR-CGI'].pLMNIdentity), nrCellId } } };
  builtFrom.set(location, copyNrUli(nr));
  return location;
}
