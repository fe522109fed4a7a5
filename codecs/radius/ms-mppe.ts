// The MSK from the AAA server to the NSSAAF in RADIUS (TS 23.502 4.2.2.2.4 step 9-1, TS 33.501
// I.2.2.2): Microsoft's MS-MPPE-Recv-Key and MS-MPPE-Send-Key (RFC 2548 2.4.2, 2.4.3), as EAP
// servers deliver it (RFC 3579 3.5 / RFC 5216 2.3: the MSK's first 32 octets in Recv-Key, the
// next 32 in Send-Key). Each is a Vendor-Specific attribute (RFC 2865 5.26): Type 26, Vendor-Id
// 311, then Vendor-Type (17 Recv, 16 Send), Vendor-Length, Salt (2 octets, high bit set) and the
// encrypted String: P = key length (1 octet) | key | zero padding to a multiple of 16,
//   b(1) = MD5(secret | Request Authenticator | Salt), c(1) = p(1) xor b(1),
//   b(i) = MD5(secret | c(i-1)),                       c(i) = p(i) xor b(i).
import { createHash, randomBytes } from 'node:crypto';
import type { RadiusAttr, RadiusPacket } from './radius.ts';

export const VENDOR_SPECIFIC = 26;
export const MICROSOFT = 311;
export const MsVendorType = { MS_MPPE_SEND_KEY: 16, MS_MPPE_RECV_KEY: 17 } as const;

const md5 = (...parts: Uint8Array[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

function crypt(secret: string, requestAuthenticator: Uint8Array, salt: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  const s = new TextEncoder().encode(secret);
  const out = new Uint8Array(data.length);
  let prev = Uint8Array.from([...requestAuthenticator, ...salt]);
  for (let at = 0; at < data.length; at += 16) {
    const b = md5(s, prev);
    for (let i = 0; i < 16; i++) out[at + i] = data[at + i] ^ b[i];
    prev = decrypt ? data.slice(at, at + 16) : out.slice(at, at + 16);
  }
  return out;
}

/** One MS-MPPE key attribute (RFC 2548 2.4.2/2.4.3) for an answer to the request with `requestAuthenticator`. */
export function mppeKeyAttribute(vendorType: number, key: Uint8Array, secret: string, requestAuthenticator: Uint8Array, salt: Uint8Array = new Uint8Array(randomBytes(2))): RadiusAttr {
  const plain = new Uint8Array(Math.ceil((key.length + 1) / 16) * 16);
  plain[0] = key.length;
  plain.set(key, 1);
  const s = Uint8Array.of(salt[0] | 0x80, salt[1]);
  const c = crypt(secret, requestAuthenticator, s, plain, false);
  const value = new Uint8Array(6 + 2 + c.length);
  new DataView(value.buffer).setUint32(0, MICROSOFT);
  value[4] = vendorType;
  value[5] = 2 + 2 + c.length;
  value.set(s, 6);
  value.set(c, 8);
  return { type: VENDOR_SPECIFIC, value };
}

/** The MSK (64 octets) as MS-MPPE-Recv-Key (first 32) and MS-MPPE-Send-Key (last 32). */
export function mskAttributes(msk: Uint8Array, secret: string, requestAuthenticator: Uint8Array): RadiusAttr[] {
  return [mppeKeyAttribute(MsVendorType.MS_MPPE_RECV_KEY, msk.slice(0, 32), secret, requestAuthenticator), mppeKeyAttribute(MsVendorType.MS_MPPE_SEND_KEY, msk.slice(32, 64), secret, requestAuthenticator)];
}

/** The key of one MS-MPPE attribute of `p` (decrypted), or undefined when absent or malformed. */
export function mppeKey(p: Pick<RadiusPacket, 'attributes'>, vendorType: number, secret: string, requestAuthenticator: Uint8Array): Uint8Array | undefined {
  for (const a of p.attributes) {
    const v = a.value;
    if (a.type !== VENDOR_SPECIFIC || v.length < 8 + 16 || new DataView(v.buffer, v.byteOffset).getUint32(0) !== MICROSOFT || v[4] !== vendorType) continue;
    if (v[5] !== v.length - 4 || (v.length - 8) % 16 !== 0 || (v[6] & 0x80) === 0) return undefined;
    const plain = crypt(secret, requestAuthenticator, v.slice(6, 8), v.slice(8), true);
    if (plain[0] > plain.length - 1) return undefined;
    return plain.slice(1, 1 + plain[0]);
  }
  return undefined;
}

/** The MSK of an Access-Accept: Recv-Key | Send-Key, 64 octets; undefined unless both are there with 32 octets. */
export function mskOf(p: Pick<RadiusPacket, 'attributes'>, secret: string, requestAuthenticator: Uint8Array): Uint8Array | undefined {
  const recv = mppeKey(p, MsVendorType.MS_MPPE_RECV_KEY, secret, requestAuthenticator);
  const send = mppeKey(p, MsVendorType.MS_MPPE_SEND_KEY, secret, requestAuthenticator);
  if (recv?.length !== 32 || send?.length !== 32) return undefined;
  return Uint8Array.from([...recv, ...send]);
}
