// GTP-U information elements, TS 29.281 8, of the signalling messages (7.2-7.3): Recovery (8.2),
// TEID Data I (8.3), GTP-U Peer Address (8.4), Extension Header Type List (8.5) and Private
// Extension (8.6).

import type { ByteReader } from '../bytes/reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { GtpuIeType, type PrivateExtension } from './types.ts';

export function readPrivateExtension(r: ByteReader): PrivateExtension {
  const len = r.u16('Length');
  if (len < 2) throw r.error('BAD_LENGTH', `private extension length ${len} < 2`, 'Length', r.pos - 2);
  const body = r.sub(len, 'PrivateExtension');
  return { extensionIdentifier: body.u16('ExtensionIdentifier'), value: Uint8Array.from(body.rest()) };
}

export function writePrivateExtensions(w: ByteWriter, list: PrivateExtension[] | undefined): void {
  for (const p of list ?? []) w.u8(GtpuIeType.PrivateExtension).u16(p.value.length + 2).u16(p.extensionIdentifier).bytes(p.value);
}

export function privateExtensionsSize(list: PrivateExtension[] | undefined): number {
  let n = 0;
  for (const p of list ?? []) n += 5 + p.value.length;
  return n;
}

/**
 * IEs of the signalling messages: known ones in the order TS 29.281 7 gives, unknown TLV IEs
 * (type >= 128) are an error because the messages allow none but Private Extension; TV IEs of
 * unknown type cannot be skipped (their length is unknown).
 */
export function readIes(r: ByteReader, message: string): { recovery?: number; teidDataI?: number; peer?: Uint8Array; extList?: number[]; priv: PrivateExtension[] } {
  const out: { recovery?: number; teidDataI?: number; peer?: Uint8Array; extList?: number[]; priv: PrivateExtension[] } = { priv: [] };
  let i = 0;
  while (!r.atEnd) {
    const at = r.pos;
    const type = r.u8('IEType');
    r.enter(`IE[${i++}]`);
    switch (type) {
      case GtpuIeType.Recovery:
        out.recovery = r.u8('Recovery');
        break;
      case GtpuIeType.TeidDataI:
        out.teidDataI = r.u32('TEIDDataI');
        break;
      case GtpuIeType.GtpuPeerAddress: {
        const len = r.u16('Length');
        if (len !== 4 && len !== 16) throw r.error('BAD_LENGTH', `GTP-U peer address of ${len} octets (4 or 16 expected)`, 'GTPUPeerAddress', at);
        out.peer = Uint8Array.from(r.bytes(len, 'GTPUPeerAddress'));
        break;
      }
      case GtpuIeType.ExtensionHeaderTypeList: {
        const len = r.u8('Length');
        out.extList = Array.from(r.bytes(len, 'ExtensionHeaderTypeList'));
        break;
      }
      case GtpuIeType.PrivateExtension:
        out.priv.push(readPrivateExtension(r));
        break;
      default:
        throw r.error('UNKNOWN_TYPE', `IE type ${type} is not allowed in ${message}`, 'IEType', at, type);
    }
    r.leave();
  }
  return out;
}
