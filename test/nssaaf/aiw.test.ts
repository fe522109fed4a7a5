// The NSSAAF's Nnssaaf_AIW (nodes/nssaaf, TS 29.526 5.3) between an AUSF and a DCS's AAA server
// (nodes/aaa), over real sockets: node:http2 plays the AUSF (POST /authentications with the UE's
// EAP-Response/Identity, PUT with the EAP-AKA' response), the test the UE's EAP-AKA' peer; the
// NSSAAF relays over RADIUS. A right RES ends in AUTHENTICATION_SUCCESS with EAP-Success, a wrong
// one in AUTHENTICATION_FAILURE with EAP-Failure; the success carries the MSK the peer derived
// itself (RFC 9048 3.3), carried in MS-MPPE-Recv/Send-Key (RFC 2548) between AAA and NSSAAF; contexts and challenges are gone afterwards.
// Judges: node:http2 (not wire5g's SBI client) on the SBI side, tshark on the RADIUS side (the
// NSSAAF's capture), with no warning.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http2 from 'node:http2';
import { AaaServer } from '../../nodes/aaa/aaa.ts';
import { nssaafRoutes } from '../../nodes/nssaaf/aiw.ts';
import { SbiHost } from '../../nodes/common/sbi-host.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { encodeEap, decodeEap, EapCode, EapType } from '../../codecs/eap/eap.ts';
import { eapAkaPrimePeerResponse, eapAkaPrimePeerMsk } from '../helpers/eap-aka-peer.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const SECRET = 'nssaaf-dcs-secret';
const SNN = '5G:mnc001.mcc001.3gppnetwork.org:000007ed9d5';
const SUPI = 'nai-onboard7@aaa.dcs.example.org';
const NSSAAF_ADDRESS = '127.0.176.20';
const AAA_ADDRESS = '127.0.176.61';
const s = DEFAULT_SUBSCRIBER;
const PEER = { identity: SUPI, k: s.k, opc: s.opc, networkName: SNN };

let aaa: AaaServer;
let nssaaf: Awaited<ReturnType<typeof nssaafRoutes>>;
let host: SbiHost;
let session: http2.ClientHttp2Session;
let capturePath: string;
let closeCapture: () => void;

beforeAll(async () => {
  const c = tempCapture('nssaaf-aiw');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  aaa = await AaaServer.start({ address: AAA_ADDRESS, secret: SECRET, networkName: SNN, subscribers: new Map([[SUPI, { k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn }]]) });
  nssaaf = await nssaafRoutes({ baseUri: `http://${NSSAAF_ADDRESS}:7777`, address: NSSAAF_ADDRESS, aaa: { address: AAA_ADDRESS, secret: SECRET }, tap: c.capture });
  const common = { nf: 'NSSAAF', address: NSSAAF_ADDRESS, nameOf: (a: string) => a, tap: c.capture };
  host = await SbiHost.serve({ ...common, port: 7777, routes: nssaaf.routes }, SbiHost.client(common));
  session = http2.connect(`http://${NSSAAF_ADDRESS}:7777`);
});

afterAll(async () => {
  session?.close();
  await host?.close();
  await nssaaf?.close();
  await aaa?.stop();
  closeCapture?.();
});

function call(method: string, path: string, body: unknown): Promise<{ status: number; location?: string; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': method, ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let location: string | undefined;
    let text = '';
    req.on('response', (hd) => {
      status = Number(hd[':status']);
      location = hd.location as string | undefined;
    });
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => resolve({ status, ...(location ? { location } : {}), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const eapOfBody = (v: unknown) => decodeEap(Uint8Array.from(Buffer.from(String(v), 'base64')));
const identity = b64(encodeEap({ code: EapCode.RESPONSE, identifier: 0, type: EapType.IDENTITY, data: new TextEncoder().encode(SUPI) }));

describe("Nnssaaf_AIW to a DCS's AAA server (TS 23.502 4.2.2.2.4 step 9-1)", () => {
  it("identity -> 201 with the EAP-AKA' challenge; the response -> 200 AUTHENTICATION_SUCCESS with EAP-Success", async () => {
    const created = await call('POST', '/nnssaaf-aiw/v1/authentications', { supi: SUPI, eapIdRsp: identity });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.location).toBe(`http://${NSSAAF_ADDRESS}:7777/nnssaaf-aiw/v1/authentications/${String(created.body.authCtxId)}`);
    const challenge = Uint8Array.from(Buffer.from(String(created.body.eapMessage), 'base64'));
    expect(decodeEap(challenge).type).toBe(50);
    const done = await call('PUT', `/nnssaaf-aiw/v1/authentications/${String(created.body.authCtxId)}`, { supi: SUPI, eapMessage: b64(eapAkaPrimePeerResponse(challenge, PEER)) });
    expect(done.status).toBe(200);
    expect(done.body.authResult).toBe('AUTHENTICATION_SUCCESS');
    expect(eapOfBody(done.body.eapMessage).code).toBe(EapCode.SUCCESS);
    // the MSK, from the Access-Accept's MS-MPPE keys (RFC 2548), is the one the peer derived with its own keys
    expect(done.body.msk).toBe(Buffer.from(eapAkaPrimePeerMsk(challenge, PEER)).toString('hex'));
    expect([nssaaf.ledger.snapshot(), aaa.ledger.snapshot()]).toEqual([{ 'AIW authentication contexts': 0 }, { "EAP-AKA' challenges pending": 0 }]);
  });

  it('a wrong RES -> AUTHENTICATION_FAILURE with EAP-Failure; an unknown context 404, a bad body 400', async () => {
    const created = await call('POST', '/nnssaaf-aiw/v1/authentications', { supi: SUPI, eapIdRsp: identity });
    const challenge = Uint8Array.from(Buffer.from(String(created.body.eapMessage), 'base64'));
    const done = await call('PUT', `/nnssaaf-aiw/v1/authentications/${String(created.body.authCtxId)}`, { supi: SUPI, eapMessage: b64(eapAkaPrimePeerResponse(challenge, PEER, true)) });
    expect([done.status, done.body.authResult, eapOfBody(done.body.eapMessage).code]).toEqual([200, 'AUTHENTICATION_FAILURE', EapCode.FAILURE]);
    expect((await call('PUT', '/nnssaaf-aiw/v1/authentications/nope', { supi: SUPI, eapMessage: identity })).status).toBe(404);
    expect((await call('POST', '/nnssaaf-aiw/v1/authentications', { supi: SUPI, eapIdRsp: 'not base64!' })).status).toBe(400);
    expect(nssaaf.ledger.snapshot()).toEqual({ 'AIW authentication contexts': 0 });
  });

  it.skipIf(!tsharkAvailable())("tshark reads the NSSAAF's RADIUS (Response Authenticators valid, EAP-AKA' inside), with no warning", () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: [`radius.shared_secret:${SECRET}`, 'radius.validate_authenticator:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const radius = frames.filter((f) => f.protocols.includes('radius'));
    expect(radius.map((f) => f.fields.get('radius.code')?.[0])).toEqual(['1', '11', '1', '2', '1', '11', '1', '3']);
    for (const f of radius.filter((x) => x.fields.get('radius.code')?.[0] !== '1')) expect(f.fields.has('radius.authenticator.valid')).toBe(true);
    expect(radius[1].fields.get('eap.aka.subtype.type')).toEqual(['1', '2', '24', '23', '11']);
    expect(radius[2].fields.get('eap.aka.subtype.type')).toEqual(['3', '11']);
    // the Access-Accept's vendor attributes: Microsoft (311) MS-MPPE-Recv-Key (17) and MS-MPPE-Send-Key (16)
    // (Wireshark names them but does not decrypt them: salt and 48 encrypted octets each, 32-octet keys padded, RFC 2548 2.4.2)
    expect(radius[3].fields.get('radius.avp.vendor_id')).toEqual(['311', '311']);
    expect(radius[3].fields.get('radius.avp.vendor_type')).toEqual(['17', '16']);
    for (const k of ['radius.MS_MPPE_Recv_Key', 'radius.MS_MPPE_Send_Key']) expect(radius[3].fields.get(k)?.[0].split(':').length, k).toBe(50);
  });
});
