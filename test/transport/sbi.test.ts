import { describe, it, expect, afterEach } from 'vitest';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { SbiProblem, SbiMultipart, created, noContent, ok, objectBody, type SbiRoute } from '../../transport/sbi/api.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';
import { nodeHttp2Request } from '../helpers/node-http2.ts';
import nodeHttp2 from 'node:http2';
import type { AddressInfo } from 'node:net';

const store = new Map<string, unknown>();
let afterRan = 0;
const routes: SbiRoute[] = [
  { method: 'POST', path: '/nudr-dr/v1/things', operation: 'Create', handler: (req) => { const id = String(store.size + 1); store.set(id, objectBody(req)); return { ...created(`http://127.0.26.20/nudr-dr/v1/things/${id}`, { id }), after: async () => void afterRan++ }; } },
  { method: 'GET', path: '/nudr-dr/v1/things/{id}', operation: 'Get', handler: (req) => { if (!store.has(req.params.id)) throw new SbiProblem(404, 'DATA_NOT_FOUND'); return ok(store.get(req.params.id)); } },
  { method: 'DELETE', path: '/nudr-dr/v1/things/{id}', operation: 'Delete', handler: (req) => { store.delete(req.params.id); return noContent; } },
  { method: 'POST', path: '/nudr-dr/v1/boom', operation: 'Boom', handler: () => { throw new Error('kaboom'); } },
  { method: 'POST', path: '/nudr-dr/v1/headers', operation: 'Headers', handler: (req) => ok(req.headers) },
  { method: 'POST', path: '/nudr-dr/v1/echo', operation: 'Echo', handler: (req) => ok(req.body instanceof SbiMultipart ? { json: req.body.json, n1: Array.from(req.body.binaries.n1.data) } : req.body) },
];

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setup(tap?: ReturnType<typeof tempCapture>['capture'], port = 0) {
  const logs: string[] = [];
  const server = await SbiServer.listen({ address: '127.0.26.20', port, routes, nfType: 'UDR', log: (l) => logs.push(l) });
  const client = new Http2SbiClient({ userAgent: 'PCF', localAddress: '127.0.26.13', ...(tap ? { tap } : {}) });
  open.push(client, server);
  return { server, client, logs };
}

describe('SBI over HTTP/2 (TS 29.500)', () => {
  it('POST 201 with Location, GET, DELETE 204, 404 ProblemDetails; the after task runs', async () => {
    const { server, client } = await setup();
    const c = await client.call<{ id: string }>('POST', `${server.uri}/nudr-dr/v1/things`, { supi: 'imsi-001010000000001' });
    expect(c.status).toBe(201);
    expect(c.headers.location).toMatch(/\/things\/\d+$/);
    await server.settled();
    expect(afterRan).toBeGreaterThan(0);
    expect((await client.call('GET', `${server.uri}/nudr-dr/v1/things/${c.body.id}`)).body).toEqual({ supi: 'imsi-001010000000001' });
    expect((await client.call('DELETE', `${server.uri}/nudr-dr/v1/things/${c.body.id}`)).status).toBe(204);
    const nf = await client.call('GET', `${server.uri}/nudr-dr/v1/things/${c.body.id}`);
    expect(nf).toMatchObject({ status: 404, headers: { 'content-type': 'application/problem+json' }, body: { status: 404, cause: 'DATA_NOT_FOUND' } });
  });

  for (const http2 of ['own', 'node'] as const) {
    // node:http2's client sends each cookie pair as a field of its own (RFC 9113 8.2.3 lets it), and
    // node:http2's server joins them with "; ": the own server must read them as node does
    it(`a handler reads the request's header fields by name, a repeated one's values joined, cookie pairs with "; " (${http2} HTTP/2)`, async () => {
      const server = await SbiServer.listen({ address: '127.0.26.20', port: 0, routes, nfType: 'UDR', http2 });
      open.push(server);
      const r = await nodeHttp2Request(server.uri, { ':method': 'POST', ':path': '/nudr-dr/v1/headers', 'content-type': 'application/json', 'user-agent': 'PCF', '3gpp-sbi-discovery-service-names': ['nudr-dr', 'nudr-group-id-map'], cookie: ['a=1', 'b=2'] }, '{}');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'PCF', '3gpp-sbi-discovery-service-names': 'nudr-dr, nudr-group-id-map', cookie: 'a=1; b=2' });
    });
  }

  for (const http2 of ['own', 'node'] as const) {
    it(`the caller reads an answer's header fields by name, a repeated one's values joined, and its JSON body (${http2} HTTP/2 client)`, async () => {
      const peer = nodeHttp2.createServer();
      peer.on('stream', (stream) => {
        stream.respond({ ':status': 201, location: 'http://127.0.26.20/nudr-dr/v1/things/7', 'x-note': ['a', 'b'], cookie: ['x=1', 'y=2'], 'content-type': 'application/json' });
        stream.end('{"id":"7"}');
      });
      await new Promise<void>((r) => peer.listen(0, '127.0.26.20', r));
      open.push({ close: () => new Promise<void>((r) => peer.close(() => r())) });
      const client = new Http2SbiClient({ userAgent: 'PCF', http2 });
      open.unshift(client);
      const r = await client.call('POST', `http://127.0.26.20:${(peer.address() as AddressInfo).port}/nudr-dr/v1/things`, { supi: 'imsi-001010000000001' });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: '7' });
      expect(r.headers).toMatchObject({ location: 'http://127.0.26.20/nudr-dr/v1/things/7', 'x-note': 'a, b', cookie: 'x=1; y=2', 'content-type': 'application/json' });
      expect(Object.keys(r.headers).some((k) => k.startsWith(':'))).toBe(false);
      expect(r.headers).toBe(r.headers); // read once, the same record after
    });
  }

  for (const http2 of ['own', 'node'] as const) {
    it(`an answer's header fields read only after 60 more answers on its connection are its own (${http2} HTTP/2 client)`, async () => {
      // every answer's fields go through the connection's HPACK decoder and its dynamic table,
      // which the later ones overwrite (each x-pad of ~1 kB evicts the entries before it, RFC 7541 4.4)
      const peer = nodeHttp2.createServer();
      peer.on('stream', (stream, headers) => {
        const i = String(headers[':path']).split('/').pop()!;
        stream.respond({ ':status': 201, location: `http://127.0.26.20/nudr-dr/v1/things/${i}`, 'x-note': [`n${i}`, 'b'], 'x-pad': `${i}`.padEnd(1_000, 'p'), 'content-type': 'application/json' });
        stream.end(`{"id":"${i}"}`);
      });
      await new Promise<void>((r) => peer.listen(0, '127.0.26.20', r));
      open.push({ close: () => new Promise<void>((r) => peer.close(() => r())) });
      const client = new Http2SbiClient({ userAgent: 'PCF', http2 });
      open.unshift(client);
      const root = `http://127.0.26.20:${(peer.address() as AddressInfo).port}/nudr-dr/v1/things`;
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => client.call('POST', `${root}/${i}`, {})));
      for (let i = 30; i < 60; i++) answers.push(await client.call('POST', `${root}/${i}`, {}));
      answers.forEach((r, i) => {
        expect(r.body).toEqual({ id: String(i) });
        expect(r.headers).toEqual({ location: `http://127.0.26.20/nudr-dr/v1/things/${i}`, 'x-note': `n${i}, b`, 'x-pad': `${i}`.padEnd(1_000, 'p'), 'content-type': 'application/json', ...(r.headers.date === undefined ? {} : { date: r.headers.date }) });
      });
    });
  }

  it('multipart/related with a binary N1 part crosses intact', async () => {
    const { server, client } = await setup();
    const r = await client.call('POST', `${server.uri}/nudr-dr/v1/echo`, new SbiMultipart({ n1SmMsg: { contentId: 'n1' } }, { n1: { contentType: 'application/vnd.3gpp.5gnas', data: Uint8Array.of(0x2e, 1, 1, 0xc1, 0x0d, 0x0a) } }));
    expect(r.body).toEqual({ json: { n1SmMsg: { contentId: 'n1' } }, n1: [0x2e, 1, 1, 0xc1, 0x0d, 0x0a] });
  });

  it('bad JSON, wrong content type, unknown path, wrong method and a failing handler get TS 29.500 answers; the server keeps serving', async () => {
    const { server, client, logs } = await setup();
    const raw = (path: string, method: string, contentType: string, body: string) => nodeHttp2Request(server.uri, { ':method': method, ':path': path, 'content-type': contentType }, body);
    expect(await raw('/nudr-dr/v1/things', 'POST', 'application/json', '{"supi":')).toMatchObject({ status: 400 });
    expect(JSON.parse((await raw('/nudr-dr/v1/things', 'POST', 'application/json', '{')).body)).toMatchObject({ cause: 'INVALID_MSG_FORMAT' });
    expect(JSON.parse((await raw('/nudr-dr/v1/things', 'POST', 'text/plain', 'hi')).body)).toMatchObject({ status: 415, cause: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(JSON.parse((await raw('/nudr-dr/v1/nothing', 'POST', 'application/json', '{}')).body)).toMatchObject({ status: 404, cause: 'RESOURCE_URI_STRUCTURE_NOT_FOUND' });
    expect(JSON.parse((await raw('/nudr-dr/v1/things', 'PUT', 'application/json', '{}')).body)).toMatchObject({ status: 405 });
    expect((await client.call('POST', `${server.uri}/nudr-dr/v1/boom`, {})).body).toMatchObject({ status: 500, cause: 'SYSTEM_FAILURE' });
    expect(logs.some((l) => l.includes('kaboom'))).toBe(true);
    expect((await client.call('POST', `${server.uri}/nudr-dr/v1/things`, { ok: 1 })).status).toBe(201);
    expect(server.stats.badRequests).toBe(3);
  });

  it('one session per origin is reused, and re-established after the server restarts', async () => {
    const { server, client } = await setup();
    await client.call('POST', `${server.uri}/nudr-dr/v1/things`, {});
    await client.call('POST', `${server.uri}/nudr-dr/v1/things`, {});
    const port = server.port;
    await server.close();
    const again = await SbiServer.listen({ address: '127.0.26.20', port, routes, nfType: 'UDR' });
    open.push(again);
    expect((await client.call('GET', `${again.uri}/nudr-dr/v1/things/1`)).status).toBe(200);
    expect(client.stats.retries).toBeLessThanOrEqual(2);
  });

  it('an idempotent call is retried after a connection error, a POST, an answer and a time-out are not (RFC 9110 9.2.2)', async () => {
    const { server, client } = await setup();
    const port = server.port;
    await server.close();
    // nothing listens: every attempt is refused
    await expect(client.call('GET', `http://127.0.26.20:${port}/nudr-dr/v1/things/1`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(client.stats.retries).toBe(2);
    await expect(client.call('POST', `http://127.0.26.20:${port}/nudr-dr/v1/things`, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(client.stats.retries).toBe(2);
    const again = await SbiServer.listen({ address: '127.0.26.20', port, routes, nfType: 'UDR' });
    open.push(again);
    expect((await client.call('GET', `${again.uri}/nudr-dr/v1/things/nope`)).status).toBe(404);
    expect(client.stats.retries).toBe(2);
    const slow = await SbiServer.listen({ address: '127.0.26.21', port: 0, routes: [{ method: 'GET', path: '/x/v1/slow', operation: 'Slow', handler: () => new Promise(() => {}) }], nfType: 'UDR' });
    open.push(slow);
    await expect(client.call('GET', `${slow.uri}/x/v1/slow`, undefined, { timeoutMs: 50 })).rejects.toMatchObject({ name: 'SbiTimeoutError' });
    expect(client.stats.retries).toBe(2);
  });
});

describe.skipIf(!tsharkAvailable())('SBI capture checked by tshark', () => {
  it('tshark reassembles the synthesized TCP stream: :method, :path and the JSON body, no expert error', async () => {
    const { capture, path } = tempCapture('sbi');
    const { server, client } = await setup(capture, 8080); // the SBI default port: Wireshark needs no decode-as
    const c = await client.call<{ id: string }>('POST', `${server.uri}/nudr-dr/v1/things`, { supi: 'imsi-001010000000001', dnn: 'internet' }, { operation: 'Create', step: '4.16.6 step 3' });
    await client.call('GET', `${server.uri}/nudr-dr/v1/things/${c.body.id}`);
    await client.call('DELETE', `${server.uri}/nudr-dr/v1/things/${c.body.id}`);
    await client.close();
    capture.close();
    const frames = dissect(path);
    expect(problems(frames)).toEqual([]);
    const all = (name: string) => frames.flatMap((f) => f.fields.get(name) ?? []);
    expect(all('http2.header.value')).toEqual(expect.arrayContaining(['POST', '/nudr-dr/v1/things', 'GET', 'DELETE', '201', '204', 'application/json']));
    expect(all('json.value.string')).toEqual(expect.arrayContaining(['imsi-001010000000001', 'internet']));
    expect(all('tcp.flags.syn').length).toBeGreaterThan(0);
    expect(all('frame.comment').some((c) => c.includes('4.16.6 step 3'))).toBe(true);
  });
});
