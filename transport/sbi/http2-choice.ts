// Which HTTP/2 the SBI runs on (docs/decisions/21-own-http2.md): 'own' is wire5g's own
// (transport/sbi/h2, RFC 9113 + RFC 7541), 'node' is node:http2 (nghttp2). Cleartext h2c only:
// TLS connections (the SEPPs' N32) always use node:http2. The process default comes from the
// network configuration's `sbi.http2`, or WIRE5G_SBI_HTTP2 for tests and benchmarks; each
// server or client may also be given its own.

export type Http2Implementation = 'own' | 'node';
export const HTTP2_IMPLEMENTATIONS: readonly Http2Implementation[] = ['own', 'node'];

function fromEnv(): Http2Implementation | undefined {
  const v = process.env.WIRE5G_SBI_HTTP2;
  if (v === undefined || v === '') return undefined;
  if (!(HTTP2_IMPLEMENTATIONS as readonly string[]).includes(v)) throw new Error(`WIRE5G_SBI_HTTP2=${v}: expected one of ${HTTP2_IMPLEMENTATIONS.join(', ')}`);
  return v as Http2Implementation;
}

// Read when first needed, not when this module is loaded: a bad value then reaches the command's
// error handler as one line (cli/main.ts) instead of a stack trace from the module loader.
let env: Http2Implementation | undefined | null = null;
let current: Http2Implementation | undefined;
const fromEnvOnce = (): Http2Implementation | undefined => (env === null ? (env = fromEnv()) : env);

/** The HTTP/2 a server or client uses when not told otherwise. */
export function sbiHttp2(): Http2Implementation {
  return fromEnvOnce() ?? current ?? 'own';
}

/** Sets the process default (the configuration's `sbi.http2`); WIRE5G_SBI_HTTP2, when set, wins. */
export function setSbiHttp2(i: Http2Implementation): void {
  current = i;
}
