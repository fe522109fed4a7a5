// Which codec dissects which payload in a capture: UDP ports for GTP-U (2152) and PFCP (8805),
// SCTP (over IP, or over UDP 9899 per RFC 6951) with PPID 60 or port 38412 for NGAP, and the
// NAS-5GS carried in NGAP NAS-PDU IEs. Each codec contributes one `dissect<Proto>` function.

import type { DissectedMessage } from '../codecs/bytes/json.ts';
import { dissectGtpu } from '../codecs/gtpu/index.ts';
import { dissectPfcp } from '../codecs/pfcp/index.ts';
import { dissectNas, type NasCipheringState } from '../codecs/nas/index.ts';
import { dissectNgap, dissectNgapTransfer, NGAP_IE_TYPE_TRANSFERS, type NgapUeIds } from '../codecs/ngap/index.ts';
import type { BinaryPart } from '../codecs/http2/connection.ts';
import { dissectCoap } from '../codecs/coap/dissect.ts';
import { SctpReassembler } from './sctp-reassembly.ts';
import { Http2OverTcp, type TcpMessageSource } from './tcp-http2.ts';

export interface SctpMessageSource {
  /** Feeds one SCTP packet of one direction; returns the user messages it completes. */
  push(flow: string, packet: Uint8Array): { streamId: number; ppid: number; payload: Uint8Array }[];
}

export type PayloadDissector = (payload: Uint8Array) => DissectedMessage[];

export interface Dissectors {
  /** By UDP port (either side). */
  udp: Map<number, { protocol: string; dissect: PayloadDissector }>;
  /** A fresh SCTP user-message source (chunk walk + reassembly) per capture. */
  sctp?: () => SctpMessageSource;
  /** By Wireshark dissector name, for exported-PDU frames ('nas-5gs', 'pfcp', 'gtp', 'ngap'). */
  byName: Map<string, PayloadDissector>;
  /** NGAP (SCTP PPID 60), if available. */
  ngap?: PayloadDissector;
  /** A fresh TCP reader (reassembly + HTTP/2 + HPACK) per capture. */
  tcp?: () => TcpMessageSource;
}

export const GTPU_PORT = 2152;
export const PFCP_PORT = 8805;
export const SCTP_OVER_UDP_PORT = 9899;
export const NGAP_SCTP_PORT = 38412;
export const NGAP_PPID = 60;
/** RFC 7252 6.1: CoAP, the PVS of an onboarding SNPN (nodes/pvs). */
export const COAP_PORT = 5683;

export function defaultDissectors(): Dissectors {
  // What the capture has shown of each UE's NAS security (the Security Mode Command's ciphering
  // algorithm), by RAN UE NGAP ID: NAS after a 5G-EA0 Security Mode Command is read as plain.
  const ciphering = new Map<number, NasCipheringState>();
  const stateOf = (ue: NgapUeIds): NasCipheringState | undefined => {
    if (ue.ranUeNgapId === undefined) return undefined;
    let s = ciphering.get(ue.ranUeNgapId);
    if (!s) ciphering.set(ue.ranUeNgapId, (s = {}));
    return s;
  };
  const ngap = (p: Uint8Array) => dissectNgap(p, dissectNas, stateOf);
  return {
    udp: new Map([
      [GTPU_PORT, { protocol: 'gtpu', dissect: dissectGtpu }],
      [PFCP_PORT, { protocol: 'pfcp', dissect: dissectPfcp }],
      [COAP_PORT, { protocol: 'coap', dissect: dissectCoap }],
    ]),
    sctp: () => new SctpReassembler(),
    byName: new Map<string, PayloadDissector>([
      ['nas-5gs', dissectNas],
      ['pfcp', dissectPfcp],
      ['gtp', dissectGtpu],
      ['ngap', ngap],
    ]),
    ngap,
    // N1/N2 binary parts of SBI multipart bodies (TS 29.500 6.1.2.4)
    tcp: () => new Http2OverTcp(new Map<string, (part: BinaryPart) => DissectedMessage[]>([
      ['application/vnd.3gpp.ngap', (part) => {
        const transfer = part.ngapIeType ? NGAP_IE_TYPE_TRANSFERS[part.ngapIeType] : undefined;
        return transfer ? dissectNgapTransfer(transfer, part.body) : ngap(part.body);
      }],
      ['application/vnd.3gpp.5gnas', (part) => dissectNas(part.body)],
    ])),
  };
}
