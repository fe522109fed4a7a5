// A request-target URL cannot read (":path: //[", a host that is not one), or a path parameter
// that does not percent-decode, is the consumer's bad request: answered 400 INVALID_MSG_FORMAT
// (TS 29.500 5.2.7.2), the server serving on, on either HTTP/2 (the first was read outside the
// handler's try and rejected the request's promise unhandled; the second was a 500).
import { afterEach, describe, expect, it } from 'vitest';
import { SbiServer } from '../../transport/sbi/server.ts';
import { ok, type SbiRoute } from '../../transport/sbi/api.ts';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { nodeHttp2Request } from '../helpers/node-http2.ts';

const routes: SbiRoute[] = [
  { method: 'GET', path: '/nudr-dr/v1/things', operation: 'List', handler: () => ok({ n: 1 }) },
  { method: 'GET', path: '/nudr-dr/v1/things/{id}', operation: 'Get', handler: (req) => ok({ id: req.params.id }) },
];
const open: SbiServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const get = (uri: string, path: string) => nodeHttp2Request(uri, { ':method': 'GET', ':path': path });

describe('SBI server: a request-target URL cannot read', () => {
  for (const http2Impl of ['own', 'node'] as const) {
    it(`is answered 400 INVALID_MSG_FORMAT and the server serves on (${http2Impl} HTTP/2)`, async () => {
      const server = await SbiServer.listen({ address: '127.0.28.21', port: 0, routes, nfType: 'UDR', http2: http2Impl, log: () => {} });
      open.push(server);
      const bad = await get(server.uri, '//[');
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ status: 400, cause: 'INVALID_MSG_FORMAT' });
      expect(server.stats.badRequests).toBe(1);
      expect(await get(server.uri, '/nudr-dr/v1/things')).toEqual({ status: 200, body: '{"n":1}' });
      await server.settled();
    });

    it(`answers a path parameter that is not percent-decodable ("%zz") 400, not 500 (${http2Impl} HTTP/2)`, async () => {
      const server = await SbiServer.listen({ address: '127.0.28.21', port: 0, routes, nfType: 'UDR', http2: http2Impl, log: () => {} });
      open.push(server);
      const bad = await get(server.uri, '/nudr-dr/v1/things/a%zz');
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ status: 400, cause: 'INVALID_MSG_FORMAT' });
      expect(server.stats).toMatchObject({ badRequests: 1, errors: 0 });
      expect(await get(server.uri, '/nudr-dr/v1/things/a%2Fb')).toEqual({ status: 200, body: '{"id":"a/b"}' });
    });
  }
});

describe('LocalSbi: a path parameter that is not percent-decodable', () => {
  it('is answered 400 INVALID_MSG_FORMAT, as the HTTP/2 server answers it', async () => {
    const sbi = new LocalSbi().serve('http://127.0.28.21:8080', routes);
    expect(await sbi.call('GET', 'http://127.0.28.21:8080/nudr-dr/v1/things/a%zz')).toMatchObject({ status: 400, body: { status: 400, cause: 'INVALID_MSG_FORMAT' } });
    expect(await sbi.call('GET', 'http://127.0.28.21:8080/nudr-dr/v1/things/a%2Fb')).toMatchObject({ status: 200, body: { id: 'a/b' } });
  });
});
