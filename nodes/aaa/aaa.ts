// The AAA server of a DCS (TS 23.502 4.2.2.2.4 step 9-1; TS 33.501 Annex I.2.2.2): the EAP server
// of EAP-AKA' (RFC 9048) for the Default UE Credentials it holds, reached over RADIUS (RFC 2865,
// RFC 3579) on UDP 1812 with a shared secret. One authentication:
//   Access-Request (EAP-Response/Identity)          -> Access-Challenge (State, EAP-Request/AKA'-Challenge:
//                                                      AT_RAND, AT_AUTN, AT_KDF 1, AT_KDF_INPUT, AT_MAC)
//   Access-Request (State, EAP-Response/AKA'-Challenge: AT_RES, AT_MAC)
//                                                   -> Access-Accept (EAP-Success) or Access-Reject (EAP-Failure)
// The authentication vector is MILENAGE's (TS 35.206) with the subscriber's K, OPc, AMF (separation
// bit set, RFC 9048 3.3) and its next SQN; the network name of AT_KDF_INPUT is the serving network
// name of the ON-SNPN it serves (configured: RADIUS has no standard attribute for it). A request
// whose Message-Authenticator does not verify is dropped (RFC 3579 3.2); garbage is dropped and
// logged, never thrown. The Access-Accept carries the MSK (RFC 9048 3.3) in MS-MPPE-Recv-Key and
// MS-MPPE-Send-Key (RFC 2548, codecs/radius/ms-mppe.ts) for the NSSAAF, which gives it the AUSF
// (KAUSF, TS 33.501 I.2.2.2); the EMSK stays here (RFC 5247 2.1). Not done: resynchronisation
// (AT_AUTS is answered with EAP-Failure) and fast re-authentication.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { decodeRadius, signedResponse, requestVerifies, eapOf, eapMessageAttributes, RadiusCode, RadiusAttribute, RADIUS_AUTH_PORT, type RadiusPacket } from '../../codecs/radius/radius.ts';
import { encodeEap, decodeEap, encodeAka, decodeAka, atRand, atAutn, atMacZero, atKdf, atKdfInput, akaAttribute, resOf, macOffset, EapCode, EapType, AkaSubtype, AkaAttribute } from '../../codecs/eap/eap.ts';
import { f1, f2345 } from '../../crypto/milenage.ts';
import { xor } from '../../crypto/aes.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../crypto/eap-aka-prime.ts';
import { nextSqn } from '../common/aka.ts';
import { mskAttributes } from '../../codecs/radius/ms-mppe.ts';
import { trace } from '../common/trace.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { nullTap, type WireTap, type Endpoint } from '../../transport/tap.ts';

/** Default UE Credentials at the DCS: by the identity the UE gives (its onboarding SUPI, a NAI). */
export interface AaaSubscriber {
  k: string;
  opc: string;
  amf: string;
  sqn: string;
}

export interface AaaConfig {
  address: string;
  port?: number;
  secret: string;
  /** The serving network name AT_KDF_INPUT carries (TS 33.501 6.1.3.1: the SNN). */
  networkName: string;
  subscribers: ReadonlyMap<string, AaaSubscriber>;
  tap?: WireTap;
  log?: (line: string) => void;
}

interface Pending {
  identity: string;
  xres: Uint8Array;
  kAut: Uint8Array;
  msk: Uint8Array;
  identifier: number;
}

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const STEP = 'TS 23.502 4.2.2.2.4 step 9-1';

export class AaaServer {
  readonly ledger = new ResourceLedger('DCS-AAA');
  readonly local: Endpoint;
  readonly stats = { challenges: 0, accepts: 0, rejects: 0, dropped: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly sqns = new Map<string, string>();
  private readonly tap: WireTap;
  readonly cfg: AaaConfig;
  private readonly socket: dgram.Socket;

  private constructor(cfg: AaaConfig, socket: dgram.Socket) {
    this.cfg = cfg;
    this.socket = socket;
    this.tap = cfg.tap ?? nullTap;
    this.local = { address: cfg.address, port: cfg.port ?? RADIUS_AUTH_PORT };
    this.ledger.gauge('EAP-AKA\' challenges pending', () => this.pending.size);
    socket.on('message', (msg, r) => this.onDatagram(new Uint8Array(msg), { address: r.address, port: r.port }));
  }

  static async start(cfg: AaaConfig): Promise<AaaServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(cfg.port ?? RADIUS_AUTH_PORT, cfg.address, () => resolve());
    });
    return new AaaServer(cfg, socket);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private drop(peer: Endpoint, why: string): void {
    this.stats.dropped++;
    this.cfg.log?.(`[DCS-AAA] dropped a datagram from ${peer.address}:${peer.port}: ${why}`);
  }

  private onDatagram(bytes: Uint8Array, peer: Endpoint): void {
    this.tap.udp(peer, this.local, bytes);
    let request: RadiusPacket;
    let eap;
    try {
      request = decodeRadius(bytes);
      if (request.code !== RadiusCode.ACCESS_REQUEST) return this.drop(peer, `RADIUS code ${request.code} is not Access-Request`);
      if (!requestVerifies(bytes, this.cfg.secret)) return this.drop(peer, 'no valid Message-Authenticator (RFC 3579 3.2)');
      const e = eapOf(request);
      if (!e) return this.drop(peer, 'no EAP-Message');
      eap = decodeEap(e);
    } catch (err) {
      return this.drop(peer, (err as Error).message);
    }
    const answer = (code: number, attributes: RadiusPacket['attributes'], what: string) => {
      const out = signedResponse({ code, identifier: request.identifier, attributes }, request.authenticator, this.cfg.secret);
      this.tap.udp(this.local, peer, out, `RADIUS ${what} [${STEP}]`);
      trace({ from: 'DCS-AAA', to: 'NSSAAF', interface: 'AAA', protocol: 'RADIUS', message: `RADIUS ${what}`, step: STEP.replace('TS 23.502 ', ''), bytes: out.length, response: true });
      this.socket.send(out, peer.port, peer.address);
    };
    const failure = (identifier: number, why: string) => {
      this.stats.rejects++;
      this.cfg.log?.(`[DCS-AAA] EAP-AKA' failed: ${why}`);
      answer(RadiusCode.ACCESS_REJECT, eapMessageAttributes(encodeEap({ code: EapCode.FAILURE, identifier, data: new Uint8Array(0) })), 'Access-Reject (EAP-Failure)');
    };
    if (eap.code !== EapCode.RESPONSE) return failure(eap.identifier, `EAP code ${eap.code} from the peer`);
    if (eap.type === EapType.IDENTITY) return this.challenge(new TextDecoder().decode(eap.data), eap.identifier, answer, failure);
    if (eap.type !== EapType.AKA_PRIME) return failure(eap.identifier, `EAP type ${String(eap.type)} is not EAP-AKA' (50)`);
    const state = request.attributes.find((a) => a.type === RadiusAttribute.STATE)?.value;
    const key = state ? Buffer.from(state).toString('hex') : '';
    const p = this.pending.get(key);
    if (!p) return failure(eap.identifier, 'no challenge pending for this State');
    this.pending.delete(key);
    try {
      const m = decodeAka(eap.data);
      const packet = encodeEap({ code: eap.code, identifier: eap.identifier, type: eap.type, data: eap.data });
      const at = macOffset(packet);
      if (m.subtype !== AkaSubtype.CHALLENGE || at < 0) return failure(eap.identifier, `subtype ${m.subtype} or no AT_MAC`);
      const mac = packet.slice(at, at + 16);
      packet.fill(0, at, at + 16);
      const res = akaAttribute(m, AkaAttribute.AT_RES);
      if (!Buffer.from(atMac(p.kAut, packet)).equals(Buffer.from(mac))) return failure(eap.identifier, 'AT_MAC does not verify');
      if (!res || !Buffer.from(resOf(res)).equals(Buffer.from(p.xres))) return failure(eap.identifier, 'RES is not XRES');
    } catch (err) {
      return failure(eap.identifier, (err as Error).message);
    }
    this.stats.accepts++;
    answer(RadiusCode.ACCESS_ACCEPT, [...eapMessageAttributes(encodeEap({ code: EapCode.SUCCESS, identifier: eap.identifier, data: new Uint8Array(0) })), ...mskAttributes(p.msk, this.cfg.secret, request.authenticator)], 'Access-Accept (EAP-Success, MSK)');
  }

  /** RFC 9048 3 / RFC 4187 9.3: the EAP-Request/AKA'-Challenge for `identity`, from a fresh MILENAGE vector. */
  private challenge(identity: string, identifier: number, answer: (code: number, attributes: RadiusPacket['attributes'], what: string) => void, failure: (identifier: number, why: string) => void): void {
    const s = this.cfg.subscribers.get(identity);
    if (!s) return failure(identifier, `no Default UE Credentials for ${identity}`);
    const sqn = nextSqn(this.sqns.get(identity) ?? s.sqn);
    this.sqns.set(identity, sqn);
    const [k, opc, amf, rand] = [h(s.k), h(s.opc), h(s.amf), new Uint8Array(randomBytes(16))];
    const { macA } = f1(k, opc, rand, h(sqn), amf);
    const { res, ck, ik, ak } = f2345(k, opc, rand);
    const sqnXorAk = xor(h(sqn), ak);
    const autn = new Uint8Array(16);
    autn.set(sqnXorAk);
    autn.set(amf, 6);
    autn.set(macA, 8);
    const { ckPrime, ikPrime } = ckIkPrime(ck, ik, this.cfg.networkName, sqnXorAk);
    const keys = eapAkaPrimeKeys(ckPrime, ikPrime, identity);
    const next = (identifier + 1) & 0xff;
    const packet = encodeEap({ code: EapCode.REQUEST, identifier: next, type: EapType.AKA_PRIME, data: encodeAka({ subtype: AkaSubtype.CHALLENGE, attributes: [atRand(rand), atAutn(autn), atKdf(1), atKdfInput(this.cfg.networkName), atMacZero()] }) });
    packet.set(atMac(keys.kAut, packet), macOffset(packet));
    const state = new Uint8Array(randomBytes(8));
    this.pending.set(Buffer.from(state).toString('hex'), { identity, xres: res, kAut: keys.kAut, msk: keys.msk, identifier: next });
    this.stats.challenges++;
    answer(RadiusCode.ACCESS_CHALLENGE, [{ type: RadiusAttribute.STATE, value: state }, ...eapMessageAttributes(packet)], "Access-Challenge (EAP-Request/AKA'-Challenge)");
  }
}
