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

const UPF = '127.0.147.7';
const SMF1 = '127.0.147.4';
const SMF2 = '127.0.147.5';

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

describe('PFCP endpoint: a peer that restarted at the same address and port (TS 29.244 6.2.2, 6.4)', () => {
  it("its requests are not answered with the responses cached for the peer that went away", async () => {
    const upf = await PfcpEndpoint.open({ address: UPF, port: 0, recoveryTimeStamp: 1000 });
    closers.push(() => upf.close());
    const restarts: number[] = [];
    upf.on('peer-restart', (_p, _old, now) => restarts.push(now));
    upf.onRequest(async ({ header }) => ({ response: P.encodePfcp(P.associationSetupResponse(header.sequenceNumber, { type: 'ipv4', value: UPF }, P.PfcpCause.RequestAccepted, 1000)) }));
    const smf = (await socketAt(SMF1, 0))!;
    // the SMF that goes away: a Heartbeat Request with sequence number 1, answered and cached
    smf.s.send(P.encodePfcp(P.heartbeatRequest(1, 100)), upf.local.port, UPF);
    await until(() => smf.got.length === 1, 'the heartbeat response');
    expect(P.decodePfcp(smf.got[0]).type).toBe(P.PfcpMessageType.HeartbeatResponse);
    // the SMF restarted on the same address and port (a new Recovery Time Stamp) and starts its
    // sequence numbers again: its Association Setup Request 1 is a new request, not a retransmission
    smf.s.send(P.encodePfcp(P.associationSetupRequest(1, { type: 'ipv4', value: SMF1 }, 200)), upf.local.port, UPF);
    await until(() => smf.got.length === 2, 'the association setup response');
    expect(restarts).toEqual([200]);
    expect(P.decodePfcp(smf.got[1]).type).toBe(P.PfcpMessageType.AssociationSetupResponse);
    expect(upf.stats.duplicatesAnswered).toBe(0);
    // and its retransmission is answered from the cache again
    smf.s.send(P.encodePfcp(P.associationSetupRequest(1, { type: 'ipv4', value: SMF1 }, 200)), upf.local.port, UPF);
    await until(() => smf.got.length === 3, 'the association setup response again');
    expect(smf.got[2]).toEqual(smf.got[1]);
    expect(upf.stats.duplicatesAnswered).toBe(1);
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
    // forgetting a peer's requests leaves the others' (the peers numbered just before and after it)
    const byRequest = new Map([...keys].map((k) => [k, k] as const));
    ids.forgetRequests(byRequest, b);
    expect([...byRequest.keys()].sort((x, y) => x - y)).toEqual([...[a, c].flatMap((p) => [0, 1, 0xfffffe, 0xffffff].map((seq) => ids.request(p, seq)))].sort((x, y) => x - y));
  });
});
