// UE provisioning over the user plane (TS 23.501 5.30.2.10.4): an onboarding registered UE asks
// the PVS for its SO-SNPN credentials over its onboarding PDU session. The exchange is CoAP
// (RFC 7252) over UDP, the PVS's protocol (nodes/pvs/pvs.ts): a Confirmable GET of
// /so-snpn-credentials?id=<onboarding SUPI> and the piggybacked 2.05 Content in its ACK (5.2.1),
// with the Message ID and the token matched (4.4, 5.3.2). One transmission: the reply is awaited
// as long as the UE's UDP exchanges are (no CoAP retransmission, 4.2).

import { randomBytes } from 'node:crypto';
import { encodeCoap, decodeCoap, stringOption, codeText, CoapType, CoapCode, CoapOption, CONTENT_FORMAT_JSON } from '../../../codecs/coap/coap.ts';
import { CREDENTIALS_PATH, COAP_PORT, type SoSnpnCredentials } from '../../pvs/pvs.ts';
import type { Ue } from '../ue.ts';

let nextMessageId = 1;

/** Obtains the SO-SNPN credentials from the PVS at `pvs` (its address in the data network) over PDU session `psi`. */
export async function obtainSoSnpnCredentials(ue: Ue, pvs: string, o: { psi?: number; timeoutMs?: number } = {}): Promise<SoSnpnCredentials> {
  const messageId = nextMessageId++ & 0xffff;
  const token = new Uint8Array(randomBytes(4));
  const request = encodeCoap({
    type: CoapType.CON,
    code: CoapCode.GET,
    messageId,
    token,
    options: [stringOption(CoapOption.URI_PATH, CREDENTIALS_PATH), stringOption(CoapOption.URI_QUERY, `id=${ue.supi}`)],
    payload: new Uint8Array(0),
  });
  const answer = decodeCoap(await ue.udpEcho(request, { dst: pvs, port: COAP_PORT, ...(o.psi !== undefined ? { psi: o.psi } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) }));
  if (answer.type !== CoapType.ACK || answer.messageId !== messageId || answer.token.length !== token.length || !answer.token.every((x, i) => x === token[i])) {
    throw new Error(`the PVS answered with another exchange (type ${answer.type}, Message ID ${answer.messageId}; RFC 7252 5.3.2)`);
  }
  if (answer.code !== CoapCode.CONTENT) throw new Error(`the PVS answered ${codeText(answer.code)} (no SO-SNPN credentials for ${ue.supi})`);
  const format = answer.options.find((x) => x.number === CoapOption.CONTENT_FORMAT);
  if (!format || format.value.reduce((n, b) => n * 256 + b, 0) !== CONTENT_FORMAT_JSON) throw new Error('the PVS answered without Content-Format application/json');
  const c = JSON.parse(new TextDecoder().decode(answer.payload)) as Partial<SoSnpnCredentials>;
  const hex = (v: unknown, n: number) => typeof v === 'string' && new RegExp(`^[0-9a-fA-F]{${n}}$`).test(v);
  if (typeof c.supi !== 'string' || !hex(c.k, 32) || !hex(c.opc, 32) || !hex(c.amf, 4) || !hex(c.sqn, 12) || !hex(c.nid, 11)) throw new Error('the PVS sent incomplete SO-SNPN credentials');
  return c as SoSnpnCredentials;
}
