// The Security Edge Protection Proxy (TS 23.501 6.2.17, TS 29.573): the only way between the two
// PLMNs of a roaming run. Each SEPP has
//   - a PLMN-internal side: h2c on its SBI port, where the NFs of its PLMN send every request for
//     the other PLMN with the target's apiRoot in 3gpp-Sbi-Target-apiRoot (nodes/sepp/routing.ts);
//   - the N32 side: HTTP/2 over TLS 1.3 with mutual certificates (TS 33.501 13.1) on the N32 port,
//     serving N32-c (the exchange-capability handshake, nodes/sepp/n32c.ts) and N32-f: in TLS
//     mode the NF's HTTP/2 request itself, forwarded with its 3gpp-Sbi-Target-apiRoot (TS 29.573
//     5.3.1: no reformatting), to the NF of this PLMN the apiRoot names.
// The initiating SEPP (the vSEPP) runs the handshake when it starts; until it has succeeded
// nothing is forwarded either way (403, N32-f context missing).
//
// The capture holds the TLS records of N32 and their key log (pcapng Decryption Secrets Blocks,
// written by the tapped client at the moment TLS derives each secret), so Wireshark shows the
// forwarded requests inside.

import http2 from 'node:http2';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { parseSbiBody, serializeSbiBody } from '../../transport/sbi/server.ts';
import { SbiProblem, type SbiRoute } from '../../transport/sbi/api.ts';
import type { WireTap } from '../../transport/tap.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { Plmn } from '../common/config.ts';
import { nfFqdn, plmnOfFqdn, samePlmn } from '../common/roaming-config.ts';
import { TARGET_API_ROOT } from './routing.ts';
import { exchangeCapabilityAnswer, exchangeCapabilityRequest, type SecNegotiateReqData, type SecNegotiateRspData } from './n32c.ts';

export interface SeppOptions {
  /** 'vSEPP' or 'hSEPP', for the ladder and the logs. */
  name: string;
  plmn: Plmn;
  address: string;
  sbiPort: number;
  n32Port: number;
  peer: { plmn: Plmn; address: string };
  /** Our PLMN's NF addresses by FQDN label ('udm' -> '127.0.2.12'). */
  resolve(nf: string): string | undefined;
  tls: { ca: string; cert: string; key: string };
  tap?: WireTap;
  log?: (line: string) => void;
  /** The ladder's name of an NF of our PLMN by address ('127.0.2.12' -> 'H-UDM'). */
  nameOf?: (address: string) => string;
}

const N32C_EXCHANGE_CAPABILITY = '/n32c-handshake/v1/exchange-capability';
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export class Sepp {
  readonly ledger: ResourceLedger;
  readonly fqdn: string;
  private readonly o: SeppOptions;
  private readonly internal: http2.Http2Server;
  private readonly n32: http2.Http2SecureServer;
  /** To the peer SEPP over N32 (TLS). */
  private readonly n32Client: Http2SbiClient;
  /** To the NFs of our PLMN (h2c). */
  private readonly plmnClient: Http2SbiClient;
  private readonly sessions = new Set<http2.Http2Session>();
  private readonly inFlight = new Set<Promise<void>>();
  /** The N32-f context with the peer, from a completed exchange-capability (TS 29.573 5.2.2.2). */
  private n32f: { peer: string; capability: string } | undefined;
  readonly stats = { forwarded: 0, refused: 0 };

  private constructor(o: SeppOptions) {
    this.o = o;
    this.fqdn = nfFqdn('sepp', o.plmn);
    const peerFqdn = nfFqdn('sepp', o.peer.plmn);
    this.n32Client = new Http2SbiClient({ userAgent: `SEPP-${this.fqdn}`, localAddress: o.address, tls: { ...o.tls, servername: () => peerFqdn }, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}), retries: 0 });
    this.plmnClient = new Http2SbiClient({ userAgent: `SEPP-${this.fqdn}`, localAddress: o.address, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}), retries: 0 });
    this.internal = http2.createServer();
    this.n32 = http2.createSecureServer({ ...o.tls, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'], minVersion: 'TLSv1.3' });
    for (const s of [this.internal, this.n32] as http2.Http2Server[]) {
      s.on('session', (x) => {
        this.sessions.add(x);
        x.on('close', () => this.sessions.delete(x));
        x.on('error', (e) => o.log?.(`[${o.name}] session error: ${e.message}`));
      });
    }
    this.internal.on('stream', (stream, headers) => this.track(this.fromPlmn(stream, headers)));
    this.n32.on('stream', (stream, headers) => this.track(this.fromN32(stream, headers)));
    this.ledger = new ResourceLedger(o.name)
      .gauge('N32-f contexts', () => (this.n32f ? 1 : 0))
      .gauge('forwarded requests in flight', () => this.inFlight.size);
  }

  static async start(o: SeppOptions): Promise<Sepp> {
    const s = new Sepp(o);
    await listen(s.internal, o.address, o.sbiPort);
    await listen(s.n32, o.address, o.n32Port);
    return s;
  }

  get peerApiRoot(): string {
    return `https://${this.o.peer.address}:${this.o.n32Port}`;
  }

  /** TS 29.573 5.2.2.2: the initiating SEPP's security capability negotiation with its peer. */
  async handshake(): Promise<SecNegotiateRspData> {
    const body = exchangeCapabilityRequest({ sender: this.fqdn, plmn: this.o.plmn, targetPlmn: this.o.peer.plmn });
    this.trace(this.peerName, 'N32_Handshake exchange-capability (SecNegotiateReqData)');
    const r = await this.n32Client.call<SecNegotiateRspData | { cause?: string }>('POST', `${this.peerApiRoot}${N32C_EXCHANGE_CAPABILITY}`, body, { operation: 'N32_Handshake_ExchangeCapability' });
    if (r.status !== 200) throw new Error(`${this.o.name}: N32-c exchange-capability refused by ${this.peerName}: ${r.status} ${(r.body as { cause?: string } | undefined)?.cause ?? ''}`);
    const rsp = r.body as SecNegotiateRspData;
    if (rsp.selectedSecCapability !== 'TLS') throw new Error(`${this.o.name}: the peer selected ${String(rsp.selectedSecCapability)}, which was not offered`);
    this.n32f = { peer: rsp.sender, capability: rsp.selectedSecCapability };
    return rsp;
  }

  private get peerName(): string {
    return this.o.name === 'vSEPP' ? 'hSEPP' : 'vSEPP';
  }

  private trace(to: string, message: string, response = false): void {
    if (traceChannel.hasSubscribers) trace({ from: response ? to : this.o.name, to: response ? this.o.name : to, interface: 'N32', protocol: 'HTTP/2', message, ...(response ? { response } : {}) });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** A request of our PLMN for the other one: over N32-f to the peer SEPP. */
  private async fromPlmn(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    await this.relay(stream, headers, (target) => {
      if (!samePlmn(this.o.peer.plmn, target)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${TARGET_API_ROOT} names PLMN ${target.mcc}/${target.mnc}, which this SEPP has no N32 connection to`);
      return { to: this.peerApiRoot, client: this.n32Client, hop: this.peerName, keepTarget: true };
    });
  }

  /** N32-c or an N32-f message from the peer SEPP. */
  private async fromN32(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    if (headers[':path'] === N32C_EXCHANGE_CAPABILITY && headers[':method'] === 'POST') {
      const raw = await readAll(stream);
      try {
        const req = parseSbiBody(headers['content-type'], raw) as SecNegotiateReqData;
        const rsp = exchangeCapabilityAnswer(req, { sender: this.fqdn, plmn: this.o.plmn });
        this.n32f = { peer: req.sender, capability: rsp.selectedSecCapability };
        this.trace(this.peerName, '200 (N32_Handshake exchange-capability)', true);
        answer(stream, 200, {}, rsp);
      } catch (e) {
        answerProblem(stream, e);
      }
      return;
    }
    await this.relay(stream, headers, (target) => {
      if (!samePlmn(this.o.plmn, target)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${TARGET_API_ROOT} names PLMN ${target.mcc}/${target.mnc}, not this SEPP's`);
      const address = this.o.resolve(target.nf);
      if (!address) throw new SbiProblem(504, 'TARGET_NF_NOT_REACHABLE', `no NF '${target.nf}' in PLMN ${this.o.plmn.mcc}/${this.o.plmn.mnc}`);
      return { to: `http://${address}:${target.port}`, client: this.plmnClient, hop: this.o.nameOf?.(address) ?? target.nf.toUpperCase(), keepTarget: false };
    });
  }

  /**
   * Forwards one request (its method, path, query, media type and body) where `next` says, and
   * answers with what comes back (status, Location, body). N32-f needs the N32-f context.
   */
  private async relay(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, next: (t: { nf: string; mcc: string; mnc3: string; mnc: string; port: string }) => { to: string; client: Http2SbiClient; hop: string; keepTarget: boolean }): Promise<void> {
    const raw = await readAll(stream);
    try {
      const method = String(headers[':method'] ?? '');
      if (!METHODS.has(method)) throw new SbiProblem(405, 'METHOD_NOT_ALLOWED', `${method} is not an SBI method`);
      const targetRoot = headers[TARGET_API_ROOT];
      if (typeof targetRoot !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', `${TARGET_API_ROOT} is missing: the SEPP does not know where the request goes (TS 29.500 5.2.3.2.4)`);
      const u = new URL(targetRoot);
      const f = plmnOfFqdn(u.hostname);
      if (!f) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${TARGET_API_ROOT} ${targetRoot} does not name an NF of a PLMN (TS 23.003 28.3.2.3)`);
      if (!this.n32f) throw new SbiProblem(403, 'N32F_CONTEXT_NOT_FOUND', `${this.o.name}: no N32-f context with ${this.peerName} (the N32-c handshake has not completed)`);
      const { to, client, hop, keepTarget } = next({ ...f, mnc: f.mnc3, port: u.port || '80' });
      const path = String(headers[':path'] ?? '/');
      const body = parseSbiBody(headers['content-type'], raw);
      const fwd: Record<string, string> = {};
      if (typeof headers['content-type'] === 'string' && !headers['content-type'].startsWith('multipart/')) fwd['content-type'] = headers['content-type'];
      if (keepTarget) fwd[TARGET_API_ROOT] = targetRoot;
      this.stats.forwarded++;
      this.trace(hop, `${method} ${path.split('?')[0]} (N32-f)`);
      const r = await client.call(method as SbiRoute['method'], `${to}${path}`, body, { headers: fwd });
      this.trace(hop, `${r.status} (${method} ${path.split('?')[0]})`, true);
      const back: Record<string, string> = {};
      if (r.headers.location) back.location = r.headers.location;
      answer(stream, r.status, back, r.body, r.headers['content-type']?.startsWith('application/problem+json') ?? false);
    } catch (e) {
      this.stats.refused++;
      this.o.log?.(`[${this.o.name}] ${String(headers[':method'])} ${String(headers[':path'])}: ${e instanceof Error ? e.message : String(e)}`);
      answerProblem(stream, e);
    }
  }

  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    await this.settled();
    await this.n32Client.close();
    await this.plmnClient.close();
    for (const s of this.sessions) s.close();
    await Promise.all([close(this.internal), close(this.n32)]);
    this.n32f = undefined;
  }
}

function listen(s: http2.Http2Server | http2.Http2SecureServer, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, address, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

function close(s: http2.Http2Server | http2.Http2SecureServer): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

function readAll(stream: http2.ServerHttp2Stream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    stream.on('error', reject);
  });
}

function answer(stream: http2.ServerHttp2Stream, status: number, headers: Record<string, string>, body: unknown, problem = false): void {
  if (stream.destroyed || stream.closed) return;
  const { contentType, data } = serializeSbiBody(body, problem);
  stream.respond({ ':status': status, ...headers, ...(contentType ? { 'content-type': contentType } : {}) }, { endStream: data === undefined });
  if (data !== undefined) stream.end(data);
}

function answerProblem(stream: http2.ServerHttp2Stream, e: unknown): void {
  const p = e instanceof SbiProblem ? e.problem : { status: 502, cause: 'SEPP_FORWARDING_FAILED', detail: e instanceof Error ? e.message : String(e) };
  answer(stream, p.status, {}, p, true);
}
