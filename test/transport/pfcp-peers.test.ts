// The PFCP endpoint's peers and their requests by number (transport/udp/pfcp-peers.ts): the
// duplicate detection of TS 29.244 6.4 is per peer and sequence number, so two peers that use the
// same sequence number (the same address on two ports, the same port on two addresses) each get
// the response to their own request, and each retransmission is answered with the response its
// own peer was sent, without the handler running again.

import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { PfcpEndpoint, readPfcpHeader } from '../../transport/udp/pfcp-endpoint.ts';
import { PeerIds } from '../../transport/udp/pfcp-peers.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { until } from '../helpers/until.ts';

const UPF = '127.0.203.7';
const SMF1 = '127.0.203.4';
const SMF2 = '127.0.203.5';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A socket bound to `address` and `port` (0: any), or undefined when that port is taken there. */
async function socketAt(address: string, port: number) {
  const s = dgram.createSocket('udp4');
  const got: Uint8Array[] = [];
  s.on('message', (m) => got.push(new Uint8Array(m)));
  const bound = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.bind(port, address, () => r(true));
  });
  if (!bound) {
    s.close();
    return undefined;
  }
  closers.push(() => new Promise((r) => s.close(() => r())));
  return { s, got, port: s.address().port };
}

/** Two sockets on one port of two addresses (another port when the first is taken on the second address). */
async function samePort(first: string, second: string) {
  for (;;) {
    const a = (await socketAt(first, 0))!;
    const c = await socketAt(second, a.port);
    if (c) return [a, c] as const;
  }
}

describe('PFCP endpoint: requests of different peers with one sequence number (TS 29.244 6.4)', () => {
  it('each peer is answered for its own request, first and when it retransmits', async () => {
    const upf = await PfcpEndpoint.open({ address: UPF, port: 0, recoveryTimeStamp: 1000 });
    closers.push(() => upf.close());
    let runs = 0;
    // the response names the peer it answers: its port and the last octet of its address as CP F-SEID
    upf.onRequest(async ({ header, peer }) => {
      runs++;
      const seid = BigInt(peer.port) * 256n + BigInt(Number(peer.address.split('.')[3]));
      return { response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, seid, P.PfcpCause.RequestAccepted)) };
    });
    const [a, c] = await samePort(SMF1, SMF2); // another address, the same port
    const b = (await socketAt(SMF1, 0))!; // the same address, another port
    const peers = [
      { ...a, address: SMF1 },
      { ...b, address: SMF1 },
      { ...c, address: SMF2 },
    ];
    const expected = (p: (typeof peers)[number]) => P.encodePfcp(P.sessionDeletionResponse(42, BigInt(p.port) * 256n + BigInt(Number(p.address.split('.')[3])), P.PfcpCause.RequestAccepted));
    const request = P.encodePfcp(P.sessionDeletionRequest(42, 77n));
    for (const p of peers) p.s.send(request, upf.local.port, UPF);
    await until(() => peers.every((p) => p.got.length === 1), 'the three answers');
    expect(runs).toBe(3);
    for (const p of peers) p.s.send(request, upf.local.port, UPF); // retransmissions
    await until(() => peers.every((p) => p.got.length === 2), 'the three answers again');
    expect(runs).toBe(3);
    for (const p of peers) {
      expect(readPfcpHeader(p.got[0])!.sequenceNumber).toBe(42);
      expect(p.got[0]).toEqual(expected(p));
      expect(p.got[1]).toEqual(expected(p));
    }
    expect(upf.stats.duplicatesAnswered).toBe(3);
  });
});

describe('PeerIds', () => {
  it('one number per address and port, and one per peer and 24-bit sequence number', () => {
    const ids = new PeerIds();
    const a = { address: '10.0.0.1', port: 8805 }, b = { address: '10.0.0.2', port: 8805 }, c = { address: '10.0.0.1', port: 8806 };
    expect(new Set([ids.of(a), ids.of(b), ids.of(c)]).size).toBe(3);
    expect(ids.of({ ...a })).toBe(ids.of(a));
    const keys = new Set<number>();
    for (const p of [a, b, c]) for (const seq of [0, 1, 0xfffffe, 0xffffff]) keys.add(ids.request(p, seq));
    expect(keys.size).toBe(12);
  });
});
