// The control API of a running network: HTTP/1.1 with JSON bodies on 127.0.0.1 (an ephemeral
// port), one route, POST /v1/command. Every request must carry `Authorization: Bearer <token>`;
// the token and the URL are in <out>/control.json, created with mode 0600 (only the user who
// started the network can read it) and exclusively (one running network per out directory). A
// request with an Origin header (a browser page) or a Host other than the listening address is
// refused, so a web page cannot reach the API through DNS rebinding.

import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, chmodSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ControlError, type LiveNetwork } from './live-network.ts';
import { findCommand, checkCommandArgs, type RawOptions } from './commands.ts';

export const CONTROL_FILE = 'control.json';

export interface ControlEndpoint {
  url: string;
  token: string;
  pid: number;
}

/** What the API answers to a command. */
export interface CommandReply {
  ok: boolean;
  /** Set when the command was refused (nothing done) or its procedure failed. */
  error?: string;
  /** The messages the command caused, as ladder lines. */
  ladder: string[];
  result?: unknown;
}

export interface CommandRequest {
  /** The command's words without placeholders: 'ue pdu release'. */
  command: string;
  /** Its placeholders' values as typed: { supi: 'imsi-001010000000001', psi: '1' }. */
  params?: Record<string, string>;
  /** Its options as typed (`--count 3` is { count: '3' }, a flag is true); judged by the command's declaration. */
  options?: RawOptions;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class OutDirInUse extends Error {
  constructor(outDir: string, pid: number) {
    super(`a network is already running with out directory ${outDir} (pid ${pid}); stop it with: wire5g ctl --out ${outDir} down`);
    this.name = 'OutDirInUse';
  }
}

/**
 * Claims `outDir` for this process: creates control.json exclusively (0600). A file left by a
 * process that is gone is taken over; one of a live process is refused. Returns the release.
 */
export function claimOutDir(outDir: string): () => void {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, CONTROL_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, starting: true }) + '\n');
      closeSync(fd);
      return () => {
        try {
          const cur = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
          if (cur.pid === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let pid = 0;
      try {
        pid = Number((JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid ?? 0);
      } catch {
        // unreadable: treated as stale
      }
      if (pid && pid !== process.pid && pidAlive(pid)) throw new OutDirInUse(outDir, pid);
      unlinkSync(path);
    }
  }
  throw new Error(`cannot claim ${path}`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 65536) throw new ControlError(400, 'request body too large');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ControlError(400, 'request body is not JSON');
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const want = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

interface StoppedResult {
  leftBehind?: Record<string, unknown>;
  summary?: { procedures?: { outcome: string }[] };
}

/** Why a stopped network is not OK: what was left behind, procedures that failed while it ran. */
function notClean(r: StoppedResult): string {
  const left = Object.keys(r.leftBehind ?? {});
  const failed = (r.summary?.procedures ?? []).filter((p) => p.outcome !== 'success').length;
  const why = [left.length ? `state left behind in ${left.join(', ')}` : '', failed ? `${failed} procedure(s) failed while it ran` : ''].filter(Boolean);
  return `the network stopped, not clean: ${why.join('; ') || 'see the result'}`;
}

export interface ControlServer {
  endpoint: ControlEndpoint;
  close(): Promise<void>;
}

/**
 * Serves `net`'s control API and writes control.json (the out directory must have been claimed).
 * `onStopped` runs once a `down` command has been answered.
 */
export async function serveControl(net: LiveNetwork, o: { outDir: string; onStopped?: () => void }): Promise<ControlServer> {
  const token = randomBytes(32).toString('hex');
  let port = 0;
  const server = createServer((req, res) => {
    void (async () => {
      if (req.headers.origin !== undefined) return send(res, 403, { ok: false, error: 'requests from a browser origin are refused', ladder: [] });
      if (req.headers.host !== `127.0.0.1:${port}`) return send(res, 403, { ok: false, error: `Host ${String(req.headers.host)} refused`, ladder: [] });
      if (!tokenMatches(req.headers.authorization, token)) return send(res, 401, { ok: false, error: `missing or wrong token (it is in ${join(o.outDir, CONTROL_FILE)})`, ladder: [] });
      if (req.method !== 'POST' || req.url !== '/v1/command') return send(res, 404, { ok: false, error: `no route ${String(req.method)} ${String(req.url)}`, ladder: [] });
      let stops = false;
      try {
        const body = await readJson(req);
        if (typeof body !== 'object' || body === null) throw new ControlError(400, 'request body must be an object');
        const r = body as CommandRequest;
        const c = typeof r.command === 'string' ? findCommand(r.command) : undefined;
        if (!c) throw new ControlError(400, `unknown command '${String(r.command)}'`);
        const options = (typeof r.options === 'object' && r.options !== null ? r.options : {});
        const params = (typeof r.params === 'object' && r.params !== null ? r.params : {});
        const args = checkCommandArgs(c, params, options);
        stops = c.stopsNetwork === true;
        try {
          const { result, ladder } = await net.withLadder(c.perUe ? args.supi : undefined, () => c.run(net, args));
          const failed = typeof result === 'object' && result !== null && (result as { ok?: unknown }).ok === false;
          send(res, 200, { ok: !failed, ladder, result, ...(failed ? { error: notClean(result as StoppedResult) } : {}) } satisfies CommandReply);
        } catch (e) {
          if (e instanceof ControlError) throw e;
          const ladder = (e as { ladder?: string[] }).ladder ?? [];
          send(res, 200, { ok: false, error: e instanceof Error ? e.message : String(e), ladder } satisfies CommandReply);
        }
      } catch (e) {
        if (e instanceof ControlError) send(res, e.status, { ok: false, error: e.message, ladder: [] } satisfies CommandReply);
        else send(res, 500, { ok: false, error: e instanceof Error ? e.message : String(e), ladder: [] } satisfies CommandReply);
      }
      if (stops) res.once('finish', () => o.onStopped?.());
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const endpoint: ControlEndpoint = { url: `http://127.0.0.1:${port}`, token, pid: process.pid };
  const path = join(o.outDir, CONTROL_FILE);
  writeFileSync(path, JSON.stringify(endpoint) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export class NoNetwork extends Error {
  constructor(outDir: string, why: string) {
    super(`no running network with out directory ${outDir} (${why}); start one with: wire5g up --out ${outDir}`);
    this.name = 'NoNetwork';
  }
}

/** The endpoint of the network running with `outDir`. */
export function readEndpoint(outDir: string): ControlEndpoint {
  const path = join(outDir, CONTROL_FILE);
  let e: Partial<ControlEndpoint>;
  try {
    e = JSON.parse(readFileSync(path, 'utf8')) as Partial<ControlEndpoint>;
  } catch (err) {
    throw new NoNetwork(outDir, (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${path} does not exist` : `${path}: ${(err as Error).message}`);
  }
  if (typeof e.url !== 'string' || typeof e.token !== 'string') throw new NoNetwork(outDir, 'it is still starting');
  if (typeof e.pid === 'number' && !pidAlive(e.pid)) throw new NoNetwork(outDir, `process ${e.pid} is gone`);
  return { url: e.url, token: e.token, pid: e.pid ?? 0 };
}

/** Sends one command; resolves with the HTTP status and the reply. */
export function callControl(endpoint: Pick<ControlEndpoint, 'url' | 'token'>, body: CommandRequest): Promise<{ status: number; reply: CommandReply }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${endpoint.url}/v1/command`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${endpoint.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, reply: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CommandReply });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
