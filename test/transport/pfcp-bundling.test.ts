// PFCP message bundling (TS 29.244 7.2.2.1 FO flag; BUNDL in UP/CP Function Features 8.2.25,
// 8.2.58): session messages sent to a bundling peer in one round of the event loop leave packed in
// datagrams with FO set on all but the last of each; a peer without BUNDL gets one message per
// datagram; a received bundle is split and each message answered, retransmissions answered from
// the response cache per message (6.4); a truncated follower is logged and dropped.

import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { PfcpEndpoint, readPfcpHeader } from '../../transport/udp/pfcp-endpoint.ts';
import { packPfcpBundles, splitPfcpBundle, PFCP_FO_FLAG } from '../../codecs/pfcp/bundle.ts';
import { RecordingTap, fanOut } from '../../transport/tap.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { until } from '../helpers/until.ts';

const SMF = '127.0.215.4';
const UPF = '127.0.215.7';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** An SMF and a UPF endpoint; the UPF answers a Session Deletion Request for UP SEID s with CP SEID s + 1000. */
async function rig(opts: { tap?: RecordingTap | ReturnType<typeof fanOut>; bundle: boolean }) {
  // T1 of a minute: a stall of the loop (a busy machine) must not retransmit a request, which
  // would add datagrams and messages to the counts below (6.4; retransmission is not tested here)
  const smf = await PfcpEndpoint.open({ address: SMF, port: 0, recoveryTimeStamp: 1000, t1Ms: 60_000, ...(opts.tap ? { tap: opts.tap } : {}) });
  const logs: string[] = [];
  const upf = await PfcpEndpoint.open({ address: UPF, port: 0, recoveryTimeStamp: 2000, log: (l) => logs.push(l), ...(opts.tap ? { tap: opts.tap } : {}) });
  closers.push(() => smf.close(), () => upf.close());
  const handled: { seq: number; seid: bigint }[] = [];
  upf.onRequest(async ({ header }) => {
    handled.push({ seq: header.sequenceNumber, seid: header.seid! });
    return { response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, header.seid! + 1000n, P.PfcpCause.RequestAccepted)), comment: 'N4 Session Deletion Response' };
  });
  if (opts.bundle) {
    smf.setBundling(upf.local, true);
    upf.setBundling(smf.local, true);
  }
  return { smf, upf, handled, logs };
}

/** Sends Session Deletion Requests for UP SEIDs 1..n in one job; resolves with each response's (sequence number, SEID). */
async function deleteAll(smf: PfcpEndpoint, upf: PfcpEndpoint, n: number) {
  const sent: { seq: number; seid: bigint }[] = [];
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      smf.request(upf.local, (seq) => {
        sent.push({ seq, seid: BigInt(i + 1) });
        return P.encodePfcp(P.sessionDeletionRequest(seq, BigInt(i + 1)));
      }, `N4 Session Deletion Request ${i + 1}`),
    ),
  );
  return { sent, answers: answers.map((b) => P.decodePfcp(b)) };
}

describe('PFCP message bundling (TS 29.244 7.2.2.1 FO, BUNDL)', () => {
  it('packs up to the size given, FO on all but the last of each datagram, and splits back to the same messages', () => {
    const msgs = Array.from({ length: 30 }, (_, i) => P.encodePfcp(P.sessionDeletionRequest(i + 1, BigInt(i + 1)))); // 16 octets each
    const packed = packPfcpBundles(msgs, 100); // 6 a datagram
    expect(packed.map((p) => p.count)).toEqual([6, 6, 6, 6, 6]);
    const back = packed.flatMap((p) => {
      const s = splitPfcpBundle(p.datagram);
      expect(s.dropped).toBe(0);
      return s.messages.map((m, i) => {
        expect((m[0] & PFCP_FO_FLAG) !== 0).toBe(i < p.count - 1);
        return Uint8Array.from(m).map((o, j) => (j === 0 ? o & ~PFCP_FO_FLAG : o));
      });
    });
    expect(back).toEqual(msgs);
    expect(msgs.every((m) => (m[0] & PFCP_FO_FLAG) === 0)).toBe(true); // the originals untouched
    expect(packPfcpBundles([msgs[0]])[0].datagram).toBe(msgs[0]); // alone: the same octets
  });

  it('wire5g decode reads every message of a bundle, and a truncated follower is the decode error it is', () => {
    const msgs = [P.sessionDeletionRequest(1, 11n), P.sessionDeletionResponse(2, 22n, P.PfcpCause.RequestAccepted), P.sessionDeletionRequest(3, 33n)].map((m) => P.encodePfcp(m));
    const d = packPfcpBundles(msgs)[0].datagram;
    expect(P.dissectPfcp(d).map((m) => [m.message, (m.fields as { sequenceNumber: number }).sequenceNumber])).toEqual([
      ['Session Deletion Request', 1],
      ['Session Deletion Response', 2],
      ['Session Deletion Request', 3],
    ]);
    expect(() => P.dissectPfcp(d.subarray(0, d.length - 3))).toThrow(DecodeError);
  });

  it('towards a bundling peer, 60 requests and their responses leave in a few datagrams; every one answered with its own sequence number and SEID', async () => {
    const tap = new RecordingTap();
    const { smf, upf, handled } = await rig({ tap, bundle: true });
    const { sent, answers } = await deleteAll(smf, upf, 60);
    expect(handled.map((h) => h.seid).sort((a, b) => Number(a - b))).toEqual(sent.map((s) => s.seid));
    answers.forEach((a, i) => {
      expect(a.sequenceNumber).toBe(sent[i].seq);
      expect(a.seid).toBe(sent[i].seid + 1000n);
      expect(a.followOn).toBeUndefined(); // handed over with FO cleared, as if it had come alone
    });
    const toUpf = tap.events.filter((e) => e.kind === 'udp' && e.dst.address === UPF && e.src.address === SMF && e.src.port === smf.local.port);
    // each datagram is reported by sender and receiver: halve
    const datagrams = toUpf.length / 2;
    expect(datagrams).toBeLessThan(10);
    expect(smf.stats.sent).toBe(60);
    expect(smf.stats.datagramsSent).toBe(datagrams);
    expect(upf.stats.datagramsSent).toBeLessThan(10);
    expect(upf.stats.received).toBe(datagrams);
  });

  it('an answer queued for bundling after close() is dropped, not thrown at the next turn of the loop; a request after close() rejects', async () => {
    const smf = await PfcpEndpoint.open({ address: SMF, port: 0, recoveryTimeStamp: 1000, t1Ms: 60_000 });
    const upf = await PfcpEndpoint.open({ address: UPF, port: 0, recoveryTimeStamp: 2000 });
    closers.push(() => smf.close(), () => upf.close());
    smf.setBundling(upf.local, true);
    upf.setBundling(smf.local, true);
    let answer: (() => void) | undefined;
    upf.onRequest(({ header }) => new Promise((r) => (answer = () => r({ response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, 1n, P.PfcpCause.RequestAccepted)) }))));
    const pending = smf.request(upf.local, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n))).catch((e: unknown) => e);
    await until(() => answer !== undefined, 'the request handled');
    await upf.close();
    answer!(); // the handler answers after close(): queued for the bundle, dropped at the flush
    await new Promise((r) => setTimeout(r, 20));
    expect(upf.stats.datagramsSent).toBe(0);
    await expect(upf.request(smf.local, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 2n)))).rejects.toThrow(/closed/);
    await smf.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('towards a peer without BUNDL, one message per datagram and FO clear, as before', async () => {
    const tap = new RecordingTap();
    const { smf, upf } = await rig({ tap, bundle: false });
    await deleteAll(smf, upf, 20);
    const out = tap.events.filter((e) => e.kind === 'udp' && e.src.port === smf.local.port);
    expect(out.length / 2).toBe(20);
    expect(out.every((e) => e.kind === 'udp' && (e.payload[0] & PFCP_FO_FLAG) === 0 && readPfcpHeader(e.payload)!.length + 4 === e.payload.length)).toBe(true);
    expect(smf.stats.datagramsSent).toBe(20);
    expect(upf.stats.datagramsSent).toBe(20);
  });

  it('a received bundle with a truncated follower: each whole message answered, the rest logged and dropped; a repeat answered from the response cache per message', async () => {
    const { upf, handled, logs } = await rig({ bundle: false });
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((r) => raw.bind(0, SMF, () => r()));
    closers.push(() => new Promise((r) => raw.close(() => r())));
    const answers: Uint8Array[] = [];
    raw.on('message', (m) => answers.push(new Uint8Array(m)));
    const two = packPfcpBundles([P.encodePfcp(P.sessionDeletionRequest(7, 70n)), P.encodePfcp(P.sessionDeletionRequest(8, 80n))])[0].datagram;
    const third = P.encodePfcp(P.sessionDeletionRequest(9, 90n));
    const d = new Uint8Array(two.length + 10);
    d.set(two);
    d[two.length - 16] |= PFCP_FO_FLAG; // the second message now announces a follower ...
    d.set(third.subarray(0, 10), two.length); // ... of which 10 of 16 octets arrive
    raw.send(d, upf.local.port, UPF);
    await until(() => answers.length === 2, 'two answers');
    expect(handled).toEqual([{ seq: 7, seid: 70n }, { seq: 8, seid: 80n }]);
    expect(answers.map((a) => P.decodePfcp(a)).map((m) => [m.sequenceNumber, m.seid])).toEqual([[7, 1070n], [8, 1080n]]);
    expect(upf.stats.malformed).toBe(1);
    expect(logs.some((l) => /dropped 10 octets of a bundle .* after 2 whole messages/.test(l))).toBe(true);
    // the same datagram again: both answered from the cache (TS 29.244 6.4), the handler not run again
    raw.send(d, upf.local.port, UPF);
    await until(() => answers.length === 4, 'two cached answers');
    expect(handled).toHaveLength(2);
    expect(upf.stats.duplicatesAnswered).toBe(2);
    // a datagram whose only message is cut short: nothing handled, nothing crashes
    raw.send(Uint8Array.from([0x25, 54, 0, 12, 0, 0, 0]), upf.local.port, UPF);
    raw.send(P.encodePfcp(P.sessionDeletionRequest(10, 100n)), upf.local.port, UPF);
    await until(() => answers.length === 5, 'the next request answered');
    expect(handled.map((h) => h.seq)).toEqual([7, 8, 10]);
  });
});

describe.skipIf(!tsharkAvailable())('PFCP bundles dissected by tshark', () => {
  it('tshark finds every message of the bundled datagrams, each with its sequence number and SEID, FO set on all but the last', async () => {
    const { capture, path } = tempCapture('pfcp-bundled');
    const rec = new RecordingTap();
    const { smf, upf } = await rig({ tap: fanOut(capture, rec), bundle: true });
    const { sent } = await deleteAll(smf, upf, 120);
    await new Promise((r) => setTimeout(r, 20));
    capture.close();
    const frames = dissect(path, { decodeAs: [`udp.port==${upf.local.port},pfcp`, `udp.port==${smf.local.port},pfcp`] });
    expect(problems(frames)).toEqual([]);
    const requests = frames.filter((f) => f.fields.get('pfcp.msg_type')?.[0] === String(P.PfcpMessageType.SessionDeletionRequest));
    const responses = frames.filter((f) => f.fields.get('pfcp.msg_type')?.[0] === String(P.PfcpMessageType.SessionDeletionResponse));
    expect(requests.length).toBeLessThan(10); // bundled: far fewer datagrams than messages ...
    expect(requests.some((f) => f.fields.get('pfcp.msg_type')!.length > 1)).toBe(true);
    // ... and every message in them, in the order sent, with its sequence number and SEID
    const seqs = requests.flatMap((f) => f.fields.get('pfcp.seqno') ?? []);
    const seids = requests.flatMap((f) => f.fields.get('pfcp.seid') ?? []);
    expect(seqs).toEqual(sent.map((s) => String(s.seq)));
    expect(seids).toEqual(sent.map((s) => `0x${s.seid.toString(16).padStart(16, '0')}`));
    for (const f of [...requests, ...responses]) {
      const fo = f.fields.get('pfcp.fo_flag')!;
      expect(fo).toEqual(fo.map((_, i) => (i < fo.length - 1 ? '1' : '0')));
    }
    const answered = responses.flatMap((f) => f.fields.get('pfcp.seqno') ?? []);
    expect([...answered].sort((a, b) => Number(a) - Number(b))).toEqual(sent.map((s) => String(s.seq)));
  });
});
