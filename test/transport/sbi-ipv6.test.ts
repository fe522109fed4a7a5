// An SBI exchange with a server on an IPv6 address: the URI brackets the address (RFC 3986
// 3.2.2), the socket and the capture take it bare, and tshark decodes the captured connection as
// HTTP/2 over IPv6 between the real addresses. Both HTTP/2 implementations are checked.

import { describe, it, expect, afterEach } from 'vitest';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { ok, type SbiRoute } from '../../transport/sbi/api.ts';
import type { Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const routes: SbiRoute[] = [{ method: 'GET', path: '/nudr-dr/v1/things/{id}', operation: 'Get', handler: (req) => ok({ id: req.params.id }) }];
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

// without tshark too: the bracketed URI, the bare address to the socket and to the capture
describe('SBI over IPv6', () => {
  for (const http2 of ['node', 'own'] as Http2Implementation[]) {
    it(`a server on ::1 (${http2} HTTP/2) gives a bracketed URI, and a call to it is answered and counted`, async () => {
      const { capture } = tempCapture(`sbi-ipv6-uri-${http2}`);
      const server = await SbiServer.listen({ address: '::1', port: 0, routes, nfType: 'UDR', http2 });
      const client = new Http2SbiClient({ userAgent: 'PCF', localAddress: '::1', tap: capture, http2 });
      open.push(client, server);
      expect(server.uri).toBe(`http://[::1]:${server.port}`);
      const r = await client.call<{ id: string }>('GET', `${server.uri}/nudr-dr/v1/things/8`);
      expect(r).toMatchObject({ status: 200, body: { id: '8' } });
      await client.close();
      capture.close();
      expect(capture.messagesPerInterface.SBI).toBe(2);
    });
  }
});

describe.skipIf(!tsharkAvailable())('SBI over IPv6, captured', () => {
  for (const http2 of ['node', 'own'] as Http2Implementation[]) {
    it(`a request to a server on ::1 (${http2} HTTP/2) is answered and captured as HTTP/2 over IPv6 between ::1 and ::1`, async () => {
      const { capture, path } = tempCapture(`sbi-ipv6-${http2}`);
      const server = await SbiServer.listen({ address: '::1', port: 8080, routes, nfType: 'UDR', http2 });
      const client = new Http2SbiClient({ userAgent: 'PCF', localAddress: '::1', tap: capture, http2 });
      open.push(client, server);
      expect(server.uri).toBe('http://[::1]:8080');
      const r = await client.call<{ id: string }>('GET', `${server.uri}/nudr-dr/v1/things/7`);
      expect(r).toMatchObject({ status: 200, body: { id: '7' } });
      await client.close();
      capture.close();
      expect(capture.messagesPerInterface.SBI).toBe(2);

      const frames = dissect(path);
      expect(problems(frames)).toEqual([]);
      const all = (name: string) => frames.flatMap((f) => f.fields.get(name) ?? []);
      expect(all('ip.src')).toEqual([]);
      expect(new Set([...all('ipv6.src'), ...all('ipv6.dst')])).toEqual(new Set(['::1']));
      expect(all('tcp.dstport')).toContain('8080');
      const h2 = frames.filter((f) => f.protocols.includes('http2'));
      expect(h2.length).toBeGreaterThan(0);
      for (const f of h2) expect(f.protocols.slice(0, 3)).toEqual(['raw', 'ipv6', 'tcp']);
      expect(all('http2.header.value')).toEqual(expect.arrayContaining(['GET', '/nudr-dr/v1/things/7', '200']));
    });
  }
});
