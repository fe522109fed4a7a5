// wire5g's own HTTP/2 (transport/sbi/h2) against implementations we did not write:
//  - our client -> node:http2's server (nghttp2) and node:http2's client -> our server: requests,
//    JSON bodies of 200 kB (beyond node's 64 KiB default windows: our flow control must honour
//    its WINDOW_UPDATEs) and 100 streams in flight; nghttp2 judges our framing and HPACK;
//  - curl --http2-prior-knowledge (nghttp2 in libcurl) against our server;
//  - tshark dissects a capture of our client and server talking: every frame HTTP/2 without a
//    warning, :path, :status and the JSON members as they were sent;
//  - garbage from a peer: answered with GOAWAY and the RFC 9113 7 code, the server serving on.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http2 from 'node:http2';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import type { SbiRoute } from '../../transport/sbi/api.ts';
import { CONNECTION_PREFACE, frameAt, decodeGoaway, FrameType, encodeFrame, ERROR_CODE_NAMES } from '../../codecs/http2/frame.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const run = promisify(execFile);
const big = 'x'.repeat(200_000);
const routes: SbiRoute[] = [
  { method: 'POST', path: '/nudm-uecm/v1/{ueId}/registrations', operation: 'Create', handler: (r) => ({ status: 201, headers: { location: `/nudm-uecm/v1/${r.params.ueId}/registrations/1` }, body: { ueId: r.params.ueId, got: r.body } }) },
  { method: 'GET', path: '/nudm-sdm/v2/{supi}/am-data', operation: 'Get', handler: (r) => ({ status: 200, body: { supi: r.params.supi, plmn: r.query['plmn-id'] ?? null } }) },
];

describe('own HTTP/2 against node:http2 (nghttp2), both ways', () => {
  let own: SbiServer;
  const node = http2.createServer();
  const seen: string[] = [];
  beforeAll(async () => {
    own = await SbiServer.listen({ address: '127.0.0.1', port: 0, routes, nfType: 'UDM', http2: 'own' });
    node.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push(`${String(headers[':method'])} ${String(headers[':path'])} ${String(headers['user-agent'])} ${String(headers['content-type'])} ${body.length}`);
        stream.respond({ ':status': 201, 'content-type': 'application/json', location: '/r/1' });
        stream.end(JSON.stringify({ echo: body.length, path: headers[':path'], big }));
      });
    });
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await own.close();
    await new Promise<void>((r) => node.close(() => r()));
  });

  it('our client -> node:http2 server: 100 streams in flight, 200 kB each way', async () => {
    const client = new Http2SbiClient({ userAgent: 'AMF', http2: 'own' });
    const base = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => client.call('POST', `${base}/n/v1/${i}`, i === 0 ? { big } : { i })));
    await client.close();
    expect(rs.map((r) => r.status)).toEqual(rs.map(() => 201));
    expect(rs[0].headers.location).toBe('/r/1');
    expect((rs[7].body as { path: string; big: string }).path).toBe('/n/v1/7');
    expect((rs[7].body as { big: string }).big.length).toBe(200_000);
    expect(seen).toContain(`POST /n/v1/0 AMF application/json ${JSON.stringify({ big }).length}`);
    expect(seen.filter((l) => l.startsWith('POST /n/'))).toHaveLength(100);
  });

  it('our client -> node:http2 server: JSON texts whose UTF-8 exceeds a frame (SETTINGS_MAX_FRAME_SIZE 16384) or only just fits', async () => {
    // 'é' is two octets: 10,000 of them are fewer UTF-16 units than a frame holds but more octets
    const client = new Http2SbiClient({ userAgent: 'AMF', http2: 'own' });
    const base = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
    const fits = 'é'.repeat((16384 - 12) / 2); // {"s":"..."} is 8 octets more
    const texts = ['é'.repeat(10_000), fits, `${fits}é`, '\ud83d\ude00'.repeat(4100)];
    const rs = await Promise.all(texts.map((s, i) => client.call('POST', `${base}/utf8/v1/${i}`, { s })));
    await client.close();
    expect(rs.map((r) => (r.body as { echo: number }).echo)).toEqual(texts.map((s) => JSON.stringify({ s }).length));
    for (let i = 0; i < texts.length; i++) expect(seen).toContain(`POST /utf8/v1/${i} AMF application/json ${JSON.stringify({ s: texts[i] }).length}`);
  });

  it('node:http2 client -> our server: routes, 404, a 200 kB body, 100 streams in flight', async () => {
    const session = http2.connect(own.uri);
    const call = (method: string, path: string, body?: string) => new Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = session.request({ ':method': method, ':path': path, ...(body ? { 'content-type': 'application/json' } : {}) });
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => (headers = h));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString() }));
      req.on('error', reject);
      req.end(body);
    });
    const created = await call('POST', '/nudm-uecm/v1/imsi-001010000000001/registrations', JSON.stringify({ big }));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/nudm-uecm/v1/imsi-001010000000001/registrations/1');
    expect(created.headers.server).toBe('UDM');
    expect(JSON.parse(created.body).got.big).toBe(big);
    const many = await Promise.all(Array.from({ length: 100 }, (_, i) => call('GET', `/nudm-sdm/v2/imsi-00101000000${String(i).padStart(4, '0')}/am-data?plmn-id=00101`)));
    expect(many.map((r) => JSON.parse(r.body).supi)).toEqual(many.map((_, i) => `imsi-00101000000${String(i).padStart(4, '0')}`));
    const missing = await call('GET', '/nope/v1/x');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    await new Promise<void>((r) => session.close(() => r()));
  });

  it.skipIf(spawnSync('curl', ['--version']).status !== 0 && process.env.CI !== 'true')('curl --http2-prior-knowledge -> our server', async () => {
    // two invocations: curl 7.88's --next on a reused prior-knowledge connection fails (exit 16) against node:http2 as well
    const curl = async (...args: string[]) => (await run('curl', ['-s', '--http2-prior-knowledge', '-w', '\n%{http_code} %{http_version}\n', ...args])).stdout.trim().split('\n');
    const lines = [
      ...(await curl('-H', 'content-type: application/json', '-d', '{"amfInstanceId":"a1"}', `${own.uri}/nudm-uecm/v1/imsi-001010000000002/registrations`)),
      ...(await curl(`${own.uri}/nudm-sdm/v2/imsi-001010000000002/am-data`)),
    ];
    expect(JSON.parse(lines[0])).toEqual({ ueId: 'imsi-001010000000002', got: { amfInstanceId: 'a1' } });
    expect(lines[1]).toBe('201 2');
    expect(JSON.parse(lines[2])).toEqual({ supi: 'imsi-001010000000002', plmn: null });
    expect(lines[3]).toBe('200 2');
  });

  it('garbage: GOAWAY with PROTOCOL_ERROR, COMPRESSION_ERROR, FRAME_SIZE_ERROR; the server serves on', async () => {
    const settings = encodeFrame({ type: FrameType.SETTINGS, flags: 0, streamId: 0, payload: new Uint8Array(0) });
    const cases: [Uint8Array, string][] = [
      [new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'PROTOCOL_ERROR'],
      [Buffer.concat([CONNECTION_PREFACE, settings, encodeFrame({ type: FrameType.HEADERS, flags: 0x5, streamId: 1, payload: Uint8Array.of(0x82, 0xff, 0xff, 0xff, 0x7f) })]), 'COMPRESSION_ERROR'],
      [Buffer.concat([CONNECTION_PREFACE, settings, Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 1)]), 'FRAME_SIZE_ERROR'],
      [Buffer.concat([CONNECTION_PREFACE, encodeFrame({ type: FrameType.PING, flags: 0, streamId: 0, payload: new Uint8Array(8) })]), 'PROTOCOL_ERROR'],
      // RFC 9113 6.1/6.2: padding longer than the payload, and PADDED without its Pad Length
      [Buffer.concat([CONNECTION_PREFACE, settings, encodeFrame({ type: FrameType.HEADERS, flags: 0xd, streamId: 1, payload: Uint8Array.of(200, 0x82) })]), 'PROTOCOL_ERROR'],
      [Buffer.concat([CONNECTION_PREFACE, settings, encodeFrame({ type: FrameType.HEADERS, flags: 0xd, streamId: 1, payload: new Uint8Array(0) })]), 'FRAME_SIZE_ERROR'],
    ];
    for (const [bytes, code] of cases) {
      const got = await new Promise<Buffer>((resolve) => {
        const s = net.connect(own.port, '127.0.0.1', () => s.write(bytes));
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('close', () => resolve(Buffer.concat(chunks)));
        s.on('error', () => undefined);
      });
      let goaway: { errorCode: number; debug: string } | undefined;
      for (let f = frameAt(got, 0); f; f = frameAt(got, f.next)) {
        if (f.frame.type === FrameType.GOAWAY) goaway = { ...decodeGoaway(f.frame), debug: Buffer.from(f.frame.payload.subarray(8)).toString() };
      }
      expect(ERROR_CODE_NAMES[goaway?.errorCode ?? -1], goaway?.debug).toBe(code);
      if (code === 'COMPRESSION_ERROR') expect(goaway?.debug).toMatch(/hpack: BAD_VALUE at offset 1/);
    }
    const client = new Http2SbiClient({ userAgent: 'AMF', http2: 'own' });
    expect((await client.call('GET', `${own.uri}/nudm-sdm/v2/imsi-1/am-data`)).status).toBe(200);
    await client.close();
  });
});

describe.skipIf(!tsharkAvailable())('own HTTP/2 as tshark dissects it', () => {
  it('every frame HTTP/2 without warnings; :path, :status and JSON members as sent', async () => {
    const { capture, path } = tempCapture('own-http2');
    const server = await SbiServer.listen({ address: '127.0.0.1', port: 0, routes, nfType: 'UDM', http2: 'own' });
    const client = new Http2SbiClient({ userAgent: 'AMF', http2: 'own', tap: capture, localAddress: '127.0.0.1' });
    await client.call('POST', `${server.uri}/nudm-uecm/v1/imsi-001010000000003/registrations`, { amfInstanceId: 'amf-1', big: 'y'.repeat(40_000) }, { step: '4.2.2.2.2 step 14', operation: 'Nudm_UECM_Registration' });
    await client.call('GET', `${server.uri}/nudm-sdm/v2/imsi-001010000000003/am-data?plmn-id=00101`);
    await client.call('GET', `${server.uri}/nudm-sdm/v2/imsi-001010000000004/am-data`);
    const port = server.port;
    await client.close();
    await server.close();
    capture.close();
    const frames = dissect(path, { decodeAs: [`tcp.port==${port},http2`] });
    expect(problems(frames)).toEqual([]);
    const values = (name: string) => frames.flatMap((f) => f.fields.get(name) ?? []);
    expect(values('http2.headers.path')).toEqual(['/nudm-uecm/v1/imsi-001010000000003/registrations', '/nudm-sdm/v2/imsi-001010000000003/am-data?plmn-id=00101', '/nudm-sdm/v2/imsi-001010000000004/am-data']);
    expect(values('http2.headers.status')).toEqual(['201', '200', '200']);
    expect(values('http2.type')).toEqual(expect.arrayContaining(['4', '8', '1', '0', '7'])); // SETTINGS, WINDOW_UPDATE, HEADERS, DATA, GOAWAY
    expect(values('json.value.string')).toEqual(expect.arrayContaining(['amf-1', 'imsi-001010000000003', 'imsi-001010000000004', '00101']));
    expect(frames.some((f) => f.fields.get('frame.comment')?.some((c) => c.includes('Nudm_UECM_Registration [TS 23.502 4.2.2.2.2 step 14]')))).toBe(true);
  });
});
