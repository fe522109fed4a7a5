// The PVS (Provisioning Server, TS 23.501 5.30.2.10.1 / 5.30.2.10.4): where an onboarding
// registered UE obtains its SO-SNPN credentials over the user plane of its onboarding PDU session.
// wire5g's PVS is CoAP over UDP (RFC 7252; docs/decisions.md "SNPN onboarding" says why) on its
// own address, port 5683: GET coap://<pvs>/so-snpn-credentials?id=<the UE's onboarding SUPI>,
// answered in the Acknowledgement (piggybacked, 5.2.1) with 2.05 Content, Content-Format
// application/json: the SO-SNPN credentials (SUPI, K, OPc, AMF, SQN, NID). An unknown UE gets
// 4.04, any other request 4.04 or 4.05; a datagram that is not CoAP is dropped and logged (4.2: a
// message that cannot be parsed is silently ignored when its Message ID cannot be read).

import dgram from 'node:dgram';
import { decodeCoap, encodeCoap, uriOf, uintOption, CoapType, CoapCode, CoapOption, CONTENT_FORMAT_JSON, codeText, type CoapMessage } from '../../codecs/coap/coap.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { nullTap, type WireTap, type Endpoint } from '../../transport/tap.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { trace } from '../common/trace.ts';

/** RFC 7252 6.1: the default CoAP port. */
export const COAP_PORT = 5683;
/** The resource the PVS serves. */
export const CREDENTIALS_PATH = 'so-snpn-credentials';
const METHOD_NOT_ALLOWED = 133; // 4.05

/** The SO-SNPN credentials a PVS provisions (TS 23.501 5.30.2.10.4): a subscription of the SNPN. */
export interface SoSnpnCredentials {
  supi: string;
  k: string;
  opc: string;
  amf: string;
  sqn: string;
  /** The SNPN the credentials are for. */
  nid: string;
}

export interface PvsConfig {
  address: string;
  port?: number;
  /** The SO-SNPN credentials to hand out, by the onboarding SUPI (Default UE Credentials) of the UE. */
  credentials: ReadonlyMap<string, SoSnpnCredentials>;
  tap?: WireTap;
  log?: (line: string) => void;
}

const STEP = 'TS 23.501 5.30.2.10.4 (UE provisioning over the user plane)';

export class Pvs {
  readonly cfg: PvsConfig;
  /** Empty: the PVS keeps no state between exchanges. */
  readonly ledger = new ResourceLedger('PVS');
  readonly local: Endpoint;
  readonly stats = { provisioned: 0, refused: 0, dropped: 0 };
  private readonly socket: dgram.Socket;
  private readonly tap: WireTap;

  private constructor(cfg: PvsConfig, socket: dgram.Socket) {
    this.cfg = cfg;
    this.socket = socket;
    this.tap = cfg.tap ?? nullTap;
    this.local = { address: cfg.address, port: cfg.port ?? COAP_PORT };
    socket.on('message', (msg, rinfo) => this.onDatagram(new Uint8Array(msg), { address: rinfo.address, port: rinfo.port }));
  }

  static async start(cfg: PvsConfig): Promise<Pvs> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(cfg.port ?? COAP_PORT, cfg.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (e) => cfg.log?.(`[PVS] socket error: ${e.message}`));
    return new Pvs(cfg, socket);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  private onDatagram(bytes: Uint8Array, peer: Endpoint): void {
    this.tap.udp(peer, this.local, bytes);
    let req: CoapMessage;
    try {
      req = decodeCoap(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.dropped++;
      this.cfg.log?.(`[PVS] datagram from ${peer.address}:${peer.port} dropped: ${e.message}`);
      return;
    }
    if (req.type !== CoapType.CON && req.type !== CoapType.NON) return; // ACK/RST: nothing outstanding here
    const answer = this.answer(req);
    trace({ from: 'UE', to: 'PVS', interface: 'N6', protocol: 'IP', message: `CoAP ${req.code === CoapCode.GET ? 'GET' : codeText(req.code)} /${uriOf(req).path}`, step: STEP });
    // 5.2.1: a piggybacked response in the ACK of a CON; a NON request is answered NON (5.2.3)
    const response = encodeCoap({ ...answer, type: req.type === CoapType.CON ? CoapType.ACK : CoapType.NON, messageId: req.messageId, token: req.token });
    trace({ from: 'PVS', to: 'UE', interface: 'N6', protocol: 'IP', message: `CoAP ${codeText(answer.code)}`, step: STEP, response: true });
    this.tap.udp(this.local, peer, response, `CoAP ${codeText(answer.code)} [${STEP}]`);
    this.socket.send(response, peer.port, peer.address);
  }

  private answer(req: CoapMessage): Pick<CoapMessage, 'code' | 'options' | 'payload'> {
    const { path, query } = uriOf(req);
    const none = { options: [], payload: new Uint8Array(0) };
    if (path !== CREDENTIALS_PATH) return { code: CoapCode.NOT_FOUND, ...none };
    if (req.code !== CoapCode.GET) return { code: METHOD_NOT_ALLOWED, ...none };
    const id = query.get('id') ?? '';
    const c = this.cfg.credentials.get(id);
    if (!c) {
      this.stats.refused++;
      this.cfg.log?.(`[PVS] no SO-SNPN credentials for ${id || '(no id)'}: 4.04`);
      return { code: CoapCode.NOT_FOUND, ...none };
    }
    this.stats.provisioned++;
    return {
      code: CoapCode.CONTENT,
      options: [uintOption(CoapOption.CONTENT_FORMAT, CONTENT_FORMAT_JSON)],
      payload: new TextEncoder().encode(JSON.stringify(c)),
    };
  }
}
