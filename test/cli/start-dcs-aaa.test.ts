// `wire5g start nssaaf` and `wire5g start aaa` (issue 19, SNPN onboarding case 9-1 one NF per
// process): the real bin/wire5g.js processes, each printing its ready line, and node:http2 (not
// wire5g's SBI client) playing the AUSF against the NSSAAF process: POST /authentications with the
// UE's EAP-Response/Identity, PUT with the EAP-AKA' response the test's own peer computed (RFC 9048,
// test/helpers/eap-aka-peer.ts). The NSSAAF reaches the AAA server of the other process over RADIUS;
// AUTHENTICATION_SUCCESS and the MSK the peer derived itself prove the exchange went through. Each
// process stops with an empty ledger. Without snpn.aaa both are refused with one line, exit 2.

import { describe, it, expect } from 'vitest';
import http2 from 'node:http2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, wire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { encodeEap, decodeEap, EapCode, EapType } from '../../codecs/eap/eap.ts';
import { eapAkaPrimePeerResponse, eapAkaPrimePeerMsk } from '../helpers/eap-aka-peer.ts';

const THIRD = 133;
const NID = '000007ed9d5';
const NSSAAF = `127.0.${THIRD}.44`;
const SUPI = 'nai-onboard3@aaa.example.org';
const s = DEFAULT_SUBSCRIBER;
const PEER = { identity: 'onboard3@aaa.example.org', k: s.k, opc: s.opc, networkName: `5G:mnc001.mcc001.3gppnetwork.org:${NID}` };

async function waitFor(text: () => string, what: string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (text().includes(what)) return;
  throw new Error(`no '${what}' in ${ms} ms: ${text()}`);
}

function call(session: http2.ClientHttp2Session, method: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': method, ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let text = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => resolve({ status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('wire5g start nssaaf | aaa (SNPN onboarding case 9-1, one NF per process)', () => {
  it("each serves in its own process; the NSSAAF relays EAP-AKA' to the AAA server process; both stop with an empty ledger", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-aaa-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({
      addresses: testConfig(THIRD).addresses,
      snpn: { nid: NID, onboarding: { snssai: { sst: 2 }, dnn: 'onboarding', deregistrationTimerSeconds: 60 }, aaa: { realm: 'aaa.example.org', nssaafAddress: NSSAAF, address: `127.0.${THIRD}.45`, secret: 'wire5g-radius' } },
      subscribers: [{ supi: 'imsi-001010000000001' }, { supi: SUPI, snssais: [{ sst: 2 }], dnns: ['onboarding'] }],
    }));
    const procs = (['aaa', 'nssaaf'] as const).map((nf) => [nf, startWire5g(['start', nf, '--config', config])] as const);
    let session: http2.ClientHttp2Session | undefined;
    try {
      for (const [nf, p] of procs) await waitFor(() => p.stdout(), `wire5g ${nf} ready on 127.0.${THIRD}.${nf === 'aaa' ? 45 : 44}`);
      session = http2.connect(`http://${NSSAAF}:8080`);
      const identity = Buffer.from(encodeEap({ code: EapCode.RESPONSE, identifier: 0, type: EapType.IDENTITY, data: new TextEncoder().encode(PEER.identity) })).toString('base64');
      const created = await call(session, 'POST', '/nnssaaf-aiw/v1/authentications', { supi: SUPI, eapIdRsp: identity });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const challenge = Uint8Array.from(Buffer.from(String(created.body.eapMessage), 'base64'));
      expect(decodeEap(challenge).type).toBe(50); // EAP-AKA'
      const done = await call(session, 'PUT', `/nnssaaf-aiw/v1/authentications/${String(created.body.authCtxId)}`, { supi: SUPI, eapMessage: Buffer.from(eapAkaPrimePeerResponse(challenge, PEER)).toString('base64') });
      expect([done.status, done.body.authResult]).toEqual([200, 'AUTHENTICATION_SUCCESS']);
      expect(done.body.msk).toBe(Buffer.from(eapAkaPrimePeerMsk(challenge, PEER)).toString('hex'));
    } finally {
      session?.close();
      for (const [, p] of procs) p.child.kill('SIGTERM');
    }
    for (const [nf, p] of procs) {
      const r = await p.done;
      const line = /stopping; ledger (\{.*\})/.exec(r.stdout);
      expect(line, `${nf}: ${r.stdout}${r.stderr}`).not.toBeNull();
      for (const v of Object.values(JSON.parse(line![1]) as Record<string, number>)) expect(v).toBe(0);
    }
  }, 60_000);

  it('without snpn.aaa both are refused with one line, exit 2', async () => {
    for (const nf of ['nssaaf', 'aaa']) {
      const r = await wire5g(['start', nf]);
      expect([r.code, lastLine(r.stderr)]).toEqual([2, `wire5g start: '${nf}' runs only with snpn.aaa configured (the NSSAAF and the DCS's AAA server of SNPN onboarding case 9-1) (see 'wire5g start --help')`]);
    }
  });
});
