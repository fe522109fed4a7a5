// The NSSAAF's Nnssaaf_AIW service (TS 29.526 5.3, TS 23.502 4.2.2.2.4 step 9-1): the AUSF reaches
// the AAA server of a DCS through it; the NSSAAF is the AAA interworking function, relaying the EAP
// packets between the SBI (base64 in JSON) and RADIUS (RFC 2865, RFC 3579; TS 29.561 16):
//   POST /nnssaaf-aiw/v1/authentications  {supi, eapIdRsp}  -> Access-Request (User-Name, EAP-Message)
//        <- Access-Challenge: 201 AuthContext {supi, authCtxId, eapMessage}, Location
//   PUT  /authentications/{authCtxId}  {supi, eapMessage}   -> Access-Request (State, EAP-Message)
//        <- Access-Accept / Access-Reject: 200 AuthConfirmationResponse {supi, eapMessage,
//           authResult AUTHENTICATION_SUCCESS / AUTHENTICATION_FAILURE}; the context ends
// An Access-Challenge to the PUT (a method of more rounds) answers 200 with the next EAP request
// and no authResult; the context stays. With AUTHENTICATION_SUCCESS goes the MSK the Access-Accept
// carried (MS-MPPE-Recv-Key | MS-MPPE-Send-Key, RFC 2548, decrypted with the shared secret and the
// request's Authenticator). Not done: pvsInfo (RADIUS has no attribute for PVS addresses; the
// AAA server sends none).

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { SbiProblem, objectBody, requireString, type SbiRoute } from '../../transport/sbi/api.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, created, ok } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { NSSAAF } from '../common/sbi/operations.ts';
import { decodeRadius, signedRequest, responseVerifies, eapOf, eapMessageAttributes, RadiusCode, RadiusAttribute, RADIUS_AUTH_PORT, type RadiusAttr } from '../../codecs/radius/radius.ts';
import { mskOf } from '../../codecs/radius/ms-mppe.ts';
import { trace } from '../common/trace.ts';
import { nullTap, type WireTap, type Endpoint } from '../../transport/tap.ts';

export interface NssaafConfig {
  baseUri: string;
  /** Its RADIUS client's address, and the AAA server's (port 1812) with the shared secret. */
  address: string;
  aaa: { address: string; port?: number; secret: string };
  timeoutMs?: number;
  tap?: WireTap;
}

const STEP = 'TS 23.502 4.2.2.2.4 step 9-1';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export async function nssaafRoutes(cfg: NssaafConfig, ledger = new ResourceLedger('NSSAAF')): Promise<{ routes: SbiRoute[]; ledger: ResourceLedger; close(): Promise<void> }> {
  const contexts = new Map<string, { supi: string; state?: Uint8Array }>();
  ledger.gauge('AIW authentication contexts', () => contexts.size);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, cfg.address, () => resolve());
  });
  const local: Endpoint = { address: cfg.address, port: socket.address().port };
  const aaa: Endpoint = { address: cfg.aaa.address, port: cfg.aaa.port ?? RADIUS_AUTH_PORT };
  const tap = cfg.tap ?? nullTap;
  const waiting = new Map<number, { authenticator: Uint8Array; resolve(b: Uint8Array, authenticator: Uint8Array): void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 0;
  socket.on('message', (m) => {
    const b = new Uint8Array(m);
    tap.udp(aaa, local, b);
    const w = b.length >= 20 ? waiting.get(b[1]) : undefined;
    // RFC 2865 3: an answer whose Response Authenticator does not verify is silently discarded
    if (!w || !responseVerifies(b, w.authenticator, cfg.aaa.secret)) return;
    waiting.delete(b[1]);
    clearTimeout(w.timer);
    w.resolve(b, w.authenticator);
  });

  /** One RADIUS exchange with the AAA server (RFC 2865: Identifier 0..255, one outstanding each). */
  const exchange = (supi: string, eap: Uint8Array, state?: Uint8Array) => new Promise<ReturnType<typeof decodeRadius> & { requestAuthenticator: Uint8Array }>((resolve, reject) => {
    let id = nextId;
    for (let i = 0; i < 256 && waiting.has(id); i++) id = (id + 1) & 0xff;
    if (waiting.has(id)) return reject(new SbiProblem(503, 'INSUFFICIENT_RESOURCES', '256 RADIUS requests outstanding'));
    nextId = (id + 1) & 0xff;
    const authenticator = new Uint8Array(randomBytes(16));
    const attributes: RadiusAttr[] = [{ type: RadiusAttribute.USER_NAME, value: new TextEncoder().encode(supi) }, ...(state ? [{ type: RadiusAttribute.STATE, value: state }] : []), ...eapMessageAttributes(eap)];
    const bytes = signedRequest({ code: RadiusCode.ACCESS_REQUEST, identifier: id, authenticator, attributes }, cfg.aaa.secret);
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new SbiProblem(504, 'TIMED_OUT_REQUEST', `the AAA server ${aaa.address} did not answer`));
    }, cfg.timeoutMs ?? 5000);
    waiting.set(id, { authenticator, timer, resolve: (b, a) => resolve({ ...decodeRadius(b), requestAuthenticator: a }) });
    tap.udp(local, aaa, bytes, `RADIUS Access-Request [${STEP}]`);
    trace({ from: 'NSSAAF', to: 'DCS-AAA', interface: 'AAA', protocol: 'RADIUS', message: 'RADIUS Access-Request', step: STEP.replace('TS 23.502 ', ''), ue: supi, bytes: bytes.length });
    socket.send(bytes, aaa.port, aaa.address);
  });

  const eapField = (body: Record<string, unknown>, field: string): Uint8Array => {
    const v = requireString(body, field);
    const b = Buffer.from(v, 'base64');
    if (b.length < 4 || b.toString('base64').replace(/=+$/, '') !== v.replace(/=+$/, '')) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${field} is not a base64 EAP packet`);
    return new Uint8Array(b);
  };

  const routes: SbiRoute[] = [
    // TS 29.526 5.3.2.2: the AUSF starts the authentication with the UE's EAP-Response/Identity
    serve(NSSAAF.aiw.authenticate, async (req) => {
      const body = objectBody(req);
      const supi = requireString(body, 'supi');
      const answer = await exchange(supi, eapField(body, 'eapIdRsp'));
      const eap = eapOf(answer);
      if (answer.code !== RadiusCode.ACCESS_CHALLENGE || !eap) throw new SbiProblem(403, 'AUTHENTICATION_REJECTED', `the AAA server answered RADIUS code ${answer.code}`);
      const authCtxId = Buffer.from(randomBytes(8)).toString('hex');
      contexts.set(authCtxId, { supi, ...stateOf(answer) });
      return created(resourceUri(cfg.baseUri, NSSAAF.aiw.confirm, { authCtxId }), { supi, authCtxId, eapMessage: b64(eap) });
    }),
    // TS 29.526 5.3.2.3: each further EAP response; the last answer carries the result
    serve(NSSAAF.aiw.confirm, async (req) => {
      const ctx = contexts.get(req.params.authCtxId);
      if (!ctx) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no authentication context ${req.params.authCtxId}`);
      const body = objectBody(req);
      const supi = requireString(body, 'supi');
      if (supi !== ctx.supi) throw new SbiProblem(403, 'SUPI_MISMATCH', `${supi} is not the context's SUPI`);
      const answer = await exchange(supi, eapField(body, 'eapMessage'), ctx.state);
      const eap = eapOf(answer);
      if (!eap) throw new SbiProblem(502, 'UNSPECIFIED_NF_FAILURE', `the AAA server's RADIUS code ${answer.code} carried no EAP-Message`);
      if (answer.code === RadiusCode.ACCESS_CHALLENGE) {
        ctx.state = stateOf(answer).state;
        return ok({ supi, eapMessage: b64(eap) });
      }
      contexts.delete(req.params.authCtxId);
      if (answer.code !== RadiusCode.ACCESS_ACCEPT) return ok({ supi, eapMessage: b64(eap), authResult: 'AUTHENTICATION_FAILURE' as const });
      // the MSK of the Access-Accept (MS-MPPE-Recv-Key | MS-MPPE-Send-Key, RFC 2548) for the AUSF's KAUSF (TS 33.501 I.2.2.2)
      const msk = mskOf(answer, cfg.aaa.secret, answer.requestAuthenticator);
      return ok({ supi, eapMessage: b64(eap), authResult: 'AUTHENTICATION_SUCCESS' as const, ...(msk ? { msk: Buffer.from(msk).toString('hex') } : {}) });
    }),
  ];
  return {
    routes,
    ledger,
    close: () => new Promise<void>((resolve) => {
      for (const w of waiting.values()) clearTimeout(w.timer);
      socket.close(() => resolve());
    }),
  };
}

function stateOf(p: ReturnType<typeof decodeRadius>): { state?: Uint8Array } {
  const s = p.attributes.find((a) => a.type === RadiusAttribute.STATE)?.value;
  return s ? { state: s } : {};
}
