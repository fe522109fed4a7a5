// A UPF on loopback driven by a stand-in SMF that sends PFCP messages as given (replayed shapes of
// other cores' SMFs), a gNB-side GTP-U endpoint, and the SMF's own GTP-U endpoint (for FARs that
// forward to the CP function). Everything is captured for tshark.

import { Upf } from '../../nodes/upf/upf.ts';
import { DOWNLINK_HEADROOM, type DatapathVerdict } from '../../nodes/upf/datapath.ts';
import { PfcpEndpoint } from '../../transport/udp/pfcp-endpoint.ts';
import { GtpuEndpoint } from '../../transport/udp/gtpu-endpoint.ts';
import { VirtualClock } from '../../transport/clock.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { decodeGtpu, encodeGtpu, gPdu, type GtpuMessage } from '../../codecs/gtpu/index.ts';
import { internetChecksum } from '../../codecs/bytes/checksum.ts';
import { ipv4Packet, udpPacket, IpProto } from '../../transport/capture/synth.ts';
import { tempCapture } from './capture.ts';

export function ping(src: string, dst: string, seq: number): Uint8Array {
  const icmp = new Uint8Array(16);
  icmp[0] = 8;
  icmp[7] = seq;
  const c = internetChecksum(icmp);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  return ipv4Packet(src, dst, IpProto.ICMP, icmp);
}

/** A UDP datagram to the data network's echo port (RFC 862), answered back down. */
export const udpEcho = (src: string, dst: string, sport: number, payload = 16) => udpPacket({ address: src, port: sport }, { address: dst, port: 7 }, new Uint8Array(payload));

export const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
};

export async function n4Rig(net: string, name: string) {
  const { capture, path } = tempCapture(name);
  const clock = new VirtualClock(1_000_000);
  const upf = await Upf.start({ address: `${net}.57`, clock, tap: capture, applications: { 'web-video': ['permit out 17 from 203.0.113.0/24 8000-8999 to assigned'] } });
  const smf = await PfcpEndpoint.open({ address: `${net}.54`, recoveryTimeStamp: 1, tap: capture });
  const reports: P.PfcpMessage[] = [];
  const sessions = new Map<bigint, bigint>(); // CP SEID -> UP SEID
  smf.onRequest(async (req) => {
    const m = P.decodePfcp(req.bytes);
    reports.push(m);
    return { response: P.encodePfcp(P.sessionReportResponse(m.sequenceNumber, sessions.get(m.seid ?? 0n) ?? 0n, P.PfcpCause.RequestAccepted)), comment: 'Session Report Response' };
  });
  const gnbIn: GtpuMessage[] = [];
  const gnb = await GtpuEndpoint.open({ address: `${net}.58`, tap: capture, captureUserPlane: true, onPacket: (d) => gnbIn.push(decodeGtpu(Uint8Array.from(d))) });
  const smfGtpuIn: GtpuMessage[] = [];
  const smfGtpu = await GtpuEndpoint.open({ address: `${net}.54`, tap: capture, captureUserPlane: true, onPacket: (d) => smfGtpuIn.push(decodeGtpu(Uint8Array.from(d))) });
  const request = async (m: Omit<P.PfcpMessage, 'sequenceNumber'>): Promise<P.PfcpMessage> => {
    const rsp = P.decodePfcp(await smf.request(upf.pfcpEndpoint, (seq) => P.encodePfcp({ ...m, sequenceNumber: seq }), P.PFCP_MESSAGE_NAMES[m.type]));
    if (m.type === P.PfcpMessageType.SessionEstablishmentRequest) {
      const up = P.get(rsp.ies, P.PfcpIeType.FSEID);
      const cp = P.get(m.ies, P.PfcpIeType.FSEID);
      if (up && cp) sessions.set(cp.seid, up.seid);
    }
    return rsp;
  };
  const uplink = (teid: number, ip: Uint8Array, qfi?: number) => gnb.send(upf.n3Endpoint, encodeGtpu(gPdu(teid, ip, qfi !== undefined ? { pduType: 1, qfi } : undefined)));
  const fromSmf = (teid: number, ip: Uint8Array) => smfGtpu.send(upf.n3Endpoint, encodeGtpu(gPdu(teid, ip)));
  /** N6 in: an IP packet from the data network for a UE, into the UPF's downlink path as its N6 side hands it over. */
  const downlink = (ip: Uint8Array): DatapathVerdict => {
    const b = new Uint8Array(DOWNLINK_HEADROOM + ip.length);
    b.set(ip, DOWNLINK_HEADROOM);
    return upf.datapath.downlink(b, DOWNLINK_HEADROOM, ip.length);
  };
  const stop = async () => {
    await Promise.all([upf.stop(), smf.close(), gnb.close(), smfGtpu.close()]);
    capture.close();
  };
  return { upf, smf, clock, reports, gnbIn, smfGtpuIn, request, uplink, fromSmf, downlink, stop, path, net };
}

export type N4Rig = Awaited<ReturnType<typeof n4Rig>>;
