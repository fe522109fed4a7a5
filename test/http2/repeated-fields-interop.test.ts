// A header list that repeats field names, read by node:http2's server (the judge) and by wire5g's
// own: the same record, name by name. RFC 9110 5.3 joins repeated field lines with ", "; RFC 9113
// 8.2.3 joins split `cookie` fields with "; "; a field defined as a single value (content-type,
// location, user-agent, ...) cannot be joined into a meaningful value, and node:http2 keeps the
// first it received. No HTTP/2 client we did not write sends such a list (node:http2's refuses
// to: ERR_HTTP2_HEADER_SINGLE_VALUE), so the request is written here frame by frame with the
// codecs' own HPACK (static table and literals only) and goes to both servers the same.

import { describe, it, expect } from 'vitest';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SbiServer } from '../../transport/sbi/server.ts';
import { noContent } from '../../transport/sbi/api.ts';
import { CONNECTION_PREFACE, encodeFrame, FrameType, FrameFlags } from '../../codecs/http2/frame.ts';
import { encodeHeaderBlock, type HeaderField } from '../../codecs/http2/hpack.ts';

const FIELDS: HeaderField[] = [
  { name: ':method', value: 'POST' },
  { name: ':scheme', value: 'http' },
  { name: ':path', value: '/nudr-dr/v1/headers' },
  { name: ':authority', value: '127.0.0.1' },
  { name: 'content-type', value: 'application/json' },
  { name: 'content-type', value: 'application/problem+json' },
  { name: 'user-agent', value: 'PCF' },
  { name: 'user-agent', value: 'SMF' },
  { name: 'location', value: 'http://127.0.0.1/a' },
  { name: 'location', value: 'http://127.0.0.1/b' },
  { name: '3gpp-sbi-discovery-service-names', value: 'nudr-dr' },
  { name: '3gpp-sbi-discovery-service-names', value: 'nudr-group-id-map' },
  { name: 'cookie', value: 'a=1' },
  { name: 'cookie', value: 'b=2' },
  // names that are also Object.prototype's: node:http2's record has no prototype
  { name: 'constructor', value: 'x' },
  { name: '__proto__', value: 'y' },
];

/** Opens a connection to `port`, sends the preface, empty SETTINGS and one HEADERS (END_STREAM) with FIELDS. */
function sendRawRequest(port: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(CONNECTION_PREFACE);
  socket.write(encodeFrame({ type: FrameType.SETTINGS, flags: 0, streamId: 0, payload: new Uint8Array(0) }));
  socket.write(encodeFrame({ type: FrameType.HEADERS, flags: FrameFlags.END_HEADERS | FrameFlags.END_STREAM, streamId: 1, payload: encodeHeaderBlock(FIELDS) }));
  return socket;
}

function withoutPseudo(h: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(':')));
}

describe('repeated header fields: the own server reads them as node:http2 does', () => {
  it('joined with ", ", cookie pairs with "; ", single-value fields the first one; names of Object.prototype as any other', async () => {
    // the judge
    const node = http2.createServer();
    const nodeSaw = new Promise<Record<string, unknown>>((resolve) => node.on('stream', (stream, headers) => {
      resolve(withoutPseudo({ ...headers }));
      stream.respond({ ':status': 204 });
      stream.end();
    }));
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    // ours
    let ownSaw: (h: Record<string, unknown>) => void = () => {};
    const ownSeen = new Promise<Record<string, unknown>>((resolve) => (ownSaw = resolve));
    const own = await SbiServer.listen({ address: '127.0.0.1', port: 0, nfType: 'UDR', http2: 'own', routes: [{ method: 'POST', path: '/nudr-dr/v1/headers', operation: 'Headers', handler: (req) => {
      ownSaw({ ...req.headers });
      return noContent;
    } }] });
    const sockets = [sendRawRequest((node.address() as AddressInfo).port), sendRawRequest(Number(new URL(own.uri).port))];
    try {
      const judged = await nodeSaw;
      expect(judged).toEqual({
        'content-type': 'application/json',
        'user-agent': 'PCF',
        location: 'http://127.0.0.1/a',
        '3gpp-sbi-discovery-service-names': 'nudr-dr, nudr-group-id-map',
        cookie: 'a=1; b=2',
        constructor: 'x',
        ['__proto__']: 'y',
      });
      expect(await ownSeen).toEqual(judged);
    } finally {
      for (const s of sockets) s.destroy();
      await own.close();
      await new Promise<void>((r) => node.close(() => r()));
    }
  });
});
