// The HTTP/2 + HPACK reader (codecs/http2 through cli/tcp-http2) against node:http2 (nghttp2),
// the independent peer: the bytes nghttp2 wrote on a real loopback connection, as our capture tap
// recorded them, must read back as the requests node's server received (method, path, headers,
// body) and the responses node's client received (status, body), Huffman coding and the dynamic
// table included.

import { describe, it, expect, afterAll } from 'vitest';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { RecordingTap } from '../../transport/tap.ts';
import { Http2OverTcp } from '../../cli/tcp-http2.ts';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

describe('HTTP/2 reader against node:http2', () => {
  const seen: Seen[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const hs: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && typeof v === 'string') hs[k] = v;
      seen.push({ method: String(headers[':method']), path: String(headers[':path']), headers: hs, body });
      const status = headers[':method'] === 'DELETE' ? 204 : 201;
      stream.respond({ ':status': status, ...(status === 201 ? { 'content-type': 'application/json', location: `http://x/${seen.length}` } : {}) });
      stream.end(status === 201 ? JSON.stringify({ echo: seen.length, path: headers[':path'] }) : undefined);
    });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads every request and response nghttp2 wrote as node saw them', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const tap = new RecordingTap();
    const client = new Http2SbiClient({ userAgent: 'AMF-test', tap, localAddress: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    const results = [];
    results.push(await client.call('POST', `${base}/nausf-auth/v1/ue-authentications`, { supiOrSuci: 'suci-0-001-01-0000-0-0-0000000001', servingNetworkName: '5G:mnc001.mcc001.3gppnetwork.org' }));
    results.push(await client.call('POST', `${base}/nausf-auth/v1/ue-authentications`, { supiOrSuci: 'suci-0-001-01-0000-0-0-0000000002', servingNetworkName: '5G:mnc001.mcc001.3gppnetwork.org' }));
    results.push(await client.call('GET', `${base}/nudm-sdm/v2/imsi-001010000000001/am-data?plmn-id=%7B%22mcc%22%3A%22001%22%7D`));
    results.push(await client.call('DELETE', `${base}/npcf-am-policy-control/v1/policies/1`));
    await client.close();

    const reader = new Http2OverTcp();
    const frames = [];
    for (const e of tap.events) {
      if (e.kind !== 'tcp') continue;
      const out = reader.push({ src: `${e.src.address}:${e.src.port}`, dst: `${e.dst.address}:${e.dst.port}`, seq: e.seg.seq, flags: e.seg.flags, payload: e.seg.payload ?? new Uint8Array(0) });
      expect('error' in out, JSON.stringify(out)).toBe(false);
      if ('messages' in out) frames.push(...out.messages);
    }
    const fields = frames.map((f) => f.fields as Record<string, unknown>);
    const requests = fields.filter((f) => f.method !== undefined);
    expect(requests.map((r) => `${String(r.method)} ${String(r.path)}`)).toEqual(seen.map((s) => `${s.method} ${s.path}`));
    for (const [i, r] of requests.entries()) {
      for (const [k, v] of Object.entries(seen[i].headers)) expect(r.headers as string[], `${k} of request ${i}`).toContain(`${k}: ${v}`);
    }
    const bodies = fields.filter((f) => f.direction === 'request' && f.body !== undefined).map((f) => JSON.stringify(f.body));
    expect(bodies).toEqual(seen.filter((s) => s.body).map((s) => JSON.stringify(JSON.parse(s.body))));
    const statuses = fields.filter((f) => f.status !== undefined).map((f) => f.status);
    expect(statuses).toEqual(results.map((r) => r.status));
    const responseBodies = fields.filter((f) => f.direction === 'response' && f.body !== undefined).map((f) => JSON.stringify(f.body));
    expect(responseBodies).toEqual(results.filter((r) => r.body !== undefined).map((r) => JSON.stringify(r.body)));
    expect(frames.map((f) => f.message)).toContain('GOAWAY');
  });
});
