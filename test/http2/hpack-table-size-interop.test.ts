// RFC 7541 4.2 judged by nghttp2 (node:http2's client): after the client's
// SETTINGS_HEADER_TABLE_SIZE goes to 0 and back to 4096 before the next response, our server's
// encoder must signal 0 before 4096. nghttp2 checks it, and it answered a block opening with 4096
// alone with GOAWAY COMPRESSION_ERROR.

import { describe, it, expect } from 'vitest';
import http2 from 'node:http2';
import { SbiServer } from '../../transport/sbi/server.ts';

describe('own HTTP/2 server, node:http2 client: the header table size set to 0 and back', () => {
  it('answers every request after the change, with its own headers, and the client raises no compression error', async () => {
    const logs: string[] = [];
    let failed: (line: string) => void = () => {};
    const broken = new Promise<never>((_, reject) => (failed = (line) => reject(new Error(line))));
    broken.catch(() => undefined);
    const own = await SbiServer.listen({
      address: '127.0.0.1', port: 0, nfType: 'UDM', http2: 'own',
      routes: [{ method: 'GET', path: '/x/v1/{id}', operation: 'Get', handler: (r) => ({ status: 200, headers: { 'x-id': `v-${r.params.id}`, 'x-fixed': 'same' }, body: { id: r.params.id } }) }],
      log: (line) => {
        logs.push(line);
        if (line.includes('GOAWAY')) failed(line);
      },
    });
    const session = http2.connect(own.uri);
    const get = (id: string): Promise<string> => {
      const answer = new Promise<string>((resolve, reject) => {
        const r = session.request({ ':path': `/x/v1/${id}` });
        let head = '';
        let body = '';
        r.on('response', (h) => (head = `${String(h[':status'])} ${String(h['x-id'])} ${String(h['x-fixed'])} ${String(h.server)}`));
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve(`${head} ${body}`));
        r.on('error', reject);
        r.end();
      });
      return Promise.race([answer, broken]);
    };
    try {
      expect(await get('1')).toBe('200 v-1 same UDM {"id":"1"}');
      expect(await get('2')).toBe('200 v-2 same UDM {"id":"2"}');
      // both SETTINGS reach the server before its next response (4.2: the smallest is signalled)
      await new Promise<void>((resolve) => {
        session.settings({ headerTableSize: 0 });
        session.settings({ headerTableSize: 4096 }, () => resolve());
      });
      for (const id of ['3', '4', '5']) expect(await get(id)).toBe(`200 v-${id} same UDM {"id":"${id}"}`);
      expect(logs.filter((l) => l.includes('GOAWAY'))).toEqual([]);
    } finally {
      session.close();
      await own.close();
    }
  });
});
