// An idempotent request whose stream is reset on a connection that stays open is sent again on it
// (RFC 9110 9.2.2: GET, PUT and DELETE may be retried after a failure; TS 29.500 6.1 leaves HTTP's
// semantics as they are), a POST is not. The producer is node:http2, an independent peer; it
// refuses the first stream of each path (RST_STREAM REFUSED_STREAM, RFC 9113 8.7: not processed)
// and answers the others. The consumer is wire5g's own HTTP/2, where the request itself starts the
// retries (transport/sbi/own-request.ts), with no closure per call.

import { describe, it, expect, afterAll } from 'vitest';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { H2ClosedError } from '../../transport/sbi/h2/errors.ts';

const seen = new Map<string, number>();
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const path = String(headers[':path']);
  const n = (seen.get(path) ?? 0) + 1;
  seen.set(path, n);
  stream.on('error', () => {}); // the refused stream's own error event: expected here
  if (n === 1) return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  stream.respond({ ':status': 200, 'content-type': 'application/json' });
  stream.end(JSON.stringify({ path, attempt: n }));
});
await new Promise<void>((r) => server.listen(0, '127.0.96.1', r));
const origin = `http://127.0.96.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('SBI client retries on an open own HTTP/2 connection', () => {
  it('a GET, PUT or DELETE whose stream is refused is sent again and answered; a POST is not retried', async () => {
    const client = new Http2SbiClient({ userAgent: 'test', http2: 'own' });
    try {
      // the connection is up and open first: the next requests take the fast path
      expect((await client.call('GET', `${origin}/warm`)).body).toEqual({ path: '/warm', attempt: 2 });
      expect(client.stats.retries).toBe(1);
      expect((await client.call('GET', `${origin}/a`)).body).toEqual({ path: '/a', attempt: 2 });
      expect((await client.call('PUT', `${origin}/b`, { x: 1 })).body).toEqual({ path: '/b', attempt: 2 });
      expect((await client.call('DELETE', `${origin}/c`)).body).toEqual({ path: '/c', attempt: 2 });
      expect(client.stats.retries).toBe(4);
      await expect(client.call('POST', `${origin}/d`, { x: 1 })).rejects.toBeInstanceOf(H2ClosedError);
      expect(client.stats.retries).toBe(4);
      expect(seen.get('/d')).toBe(1);
      // one retry after another: each refused once, each answered on its second attempt
      const many = await Promise.all(['/e', '/f', '/g'].map((p) => client.call('GET', `${origin}${p}`)));
      expect(many.map((r) => r.body)).toEqual(['/e', '/f', '/g'].map((path) => ({ path, attempt: 2 })));
      expect(client.stats.retries).toBe(7);
    } finally {
      await client.close();
    }
  });
});
