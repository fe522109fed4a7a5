// The scenario `npm start` runs until the network functions exist (see README): a gNB-side and
// a UPF-side GTP-U endpoint on their own loopback addresses exchange, over real UDP sockets,
// an Echo Request/Response (TS 29.281 7.2) and uplink G-PDUs with a PDU Session Container
// carrying real ICMP echo requests from the UE address. Every datagram is written to
// out/run.pcapng, which is then decoded back with `wire5g decode`.

import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Capture } from '../transport/capture/capture.ts';
import { ipv4Packet, IpProto } from '../transport/capture/synth.ts';
import { internetChecksum } from '../codecs/bytes/checksum.ts';
import { encodeGtpu, decodeGtpu, echoRequest, echoResponse, gPdu, pduSessionContainerOf } from '../codecs/gtpu/index.ts';
import { decodeCapture } from './decode.ts';

const GNB = { address: '127.0.0.10', port: 2152 };
const UPF = { address: '127.0.0.11', port: 2152 };

function icmpEchoRequest(id: number, seq: number): Uint8Array {
  const icmp = new Uint8Array(8 + 32);
  icmp[0] = 8; // echo request (RFC 792)
  icmp[4] = id >> 8; icmp[5] = id & 0xff;
  icmp[6] = seq >> 8; icmp[7] = seq & 0xff;
  for (let i = 8; i < icmp.length; i++) icmp[i] = i;
  const c = internetChecksum(icmp);
  icmp[2] = c >> 8; icmp[3] = c & 0xff;
  return ipv4Packet('10.45.0.2', '10.45.0.1', IpProto.ICMP, icmp);
}

function bind(addr: { address: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(addr.port, addr.address, () => resolve(s));
  });
}

export async function userPlaneDemo(args: string[]): Promise<number> {
  const outDir = args[args.indexOf('--out') + 1] && args.includes('--out') ? args[args.indexOf('--out') + 1] : 'out';
  const file = join(outDir, 'run.pcapng');
  console.log('wire5g: the network functions are not built yet; running the GTP-U user-plane demo on real loopback sockets');
  const capture = Capture.toFile(file);
  const gnb = await bind(GNB);
  const upf = await bind(UPF);
  const received: string[] = [];
  const done = new Promise<void>((resolve) => {
    let expected = 4;
    upf.on('message', (msg, rinfo) => {
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
      capture.udp({ address: rinfo.address, port: rinfo.port }, UPF, bytes);
      const m = decodeGtpu(bytes);
      if (m.type === 'Echo Request') {
        const rsp = encodeGtpu(echoResponse(m.header.sequenceNumber ?? 0));
        capture.udp(UPF, GNB, rsp, 'TS 29.281 7.2.2 Echo Response');
        upf.send(rsp, GNB.port, GNB.address);
      } else if (m.type === 'G-PDU') {
        received.push(`UPF <- gNB  G-PDU TEID 0x${m.header.teid.toString(16)} QFI ${pduSessionContainerOf(m.header)?.qfi} (${m.tPdu.length}-byte IPv4 ICMP echo request)`);
      }
      if (--expected === 0) resolve();
    });
    gnb.on('message', (msg, rinfo) => {
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
      capture.udp({ address: rinfo.address, port: rinfo.port }, GNB, bytes);
      received.push(`gNB <- UPF  ${decodeGtpu(bytes).type}`);
    });
  });
  const send = (bytes: Uint8Array, comment: string) => {
    capture.udp(GNB, UPF, bytes, comment);
    gnb.send(bytes, UPF.port, UPF.address);
  };
  send(encodeGtpu(echoRequest(1)), 'TS 29.281 7.2.1 Echo Request');
  for (let seq = 1; seq <= 3; seq++) send(encodeGtpu(gPdu(0x00000001, icmpEchoRequest(0x77, seq), { pduType: 1, qfi: 9 })), 'N3 uplink G-PDU (TS 29.281, TS 38.415 UL PDU SESSION INFORMATION)');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000));
  const outcome = await Promise.race([done.then(() => 'ok' as const), timeout]);
  await new Promise((r) => setTimeout(r, 50));
  gnb.close();
  upf.close();
  capture.close();
  for (const line of received) console.log('  ' + line);
  const decoded = [...decodeCapture(new Uint8Array(readFileSync(file)))];
  console.log(`wrote ${file}: ${capture.packets} packets; wire5g decode finds ${decoded.filter((d) => d.message).length} GTP-U messages, ${decoded.filter((d) => d.error).length} errors`);
  console.log(`open it with: wireshark ${file}   (or: npx wire5g decode ${file} --json)`);
  return outcome === 'ok' && decoded.every((d) => !d.error) ? 0 : 1;
}
