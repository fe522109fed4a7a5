// NF instance identifiers (TS 29.571 5.2.2 NfInstanceId: a UUID, RFC 4122). wire5g derives each
// from the NF type and the address it serves, as a name-based UUID (RFC 4122 4.3, version 5,
// SHA-1): every process of a multi-process network computes the same identifier for the same NF
// from the same configuration, and a capture of a run names its NFs the same way every time.

import { createHash } from 'node:crypto';

/** RFC 4122 4.3: the namespace of the names (RFC 4122 Appendix C NameSpace_URL). */
const WIRE5G_NAMESPACE = Uint8Array.from(Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex'));

/** The version 5 UUID of `name` in the namespace (RFC 4122 4.3). */
export function uuidV5(name: string, namespace: Uint8Array = WIRE5G_NAMESPACE): string {
  const h = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // variant RFC 4122
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The NfInstanceId of the NF of type `nf` serving at `address` (e.g. 'AMF', '127.0.0.5'). */
export function nfInstanceId(nf: string, address: string): string {
  return uuidV5(`wire5g:${nf.toUpperCase()}@${address}`);
}
