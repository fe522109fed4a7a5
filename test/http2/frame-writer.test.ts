// The frame writer of our own HTTP/2 connection (transport/sbi/h2/writer.ts): a header list is
// encoded in place in the write buffer; the frames it writes must be those of a block encoded
// apart (same octets), when the buffer has to grow under the block, and when the block is longer
// than the peer's SETTINGS_MAX_FRAME_SIZE (HEADERS then CONTINUATION, RFC 9113 6.10).

import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { FrameWriter } from '../../transport/sbi/h2/writer.ts';
import { HpackEncoder } from '../../codecs/http2/hpack-encoder.ts';
import { HpackDecoder, type HeaderField } from '../../codecs/http2/hpack.ts';
import { frameAt, FrameType, FrameFlags } from '../../codecs/http2/frame.ts';
import { toHex } from '../../codecs/bytes/hex.ts';

function writer(): { w: FrameWriter; written: Buffer[] } {
  const written: Buffer[] = [];
  const socket = { writable: true, write: (b: Uint8Array) => written.push(Buffer.from(b)) } as unknown as net.Socket;
  return { w: new FrameWriter(socket), written };
}

const list = (extra: HeaderField[]): HeaderField[] => [{ name: ':status', value: '201' }, { name: 'server', value: 'UDM' }, { name: 'content-type', value: 'application/json' }, ...extra];

describe('HTTP/2 frame writer: header lists', () => {
  it('writes the octets of a block encoded apart: after 60 kB of DATA (the buffer grows under the block) and beyond a frame (CONTINUATION)', () => {
    const { w, written } = writer();
    const enc = new HpackEncoder();
    const apart = new HpackEncoder();
    w.frame(FrameType.DATA, 0, 1, new Uint8Array(60_000).fill(0x61));
    const lists = [
      list([{ name: 'location', value: `/x/${'b'.repeat(6_000)}` }]), // does not fit the 65,536-octet buffer after the DATA
      list([{ name: 'x-long', value: 'c'.repeat(40_000) }]), // 40 kB: HEADERS + 2 CONTINUATION of at most 16,384
      list([{ name: 'location', value: '/nudm-sdm/v2/imsi-001010000000001/am-data' }]),
    ];
    lists.forEach((l, i) => w.headerList(3 + 2 * i, enc, l, i === 1, 16_384));
    w.flush();
    const out = Buffer.concat(written);
    const frames: { type: number; flags: number; streamId: number; payload: Uint8Array }[] = [];
    for (let at = 0; at < out.length;) {
      const r = frameAt(out, at)!;
      frames.push(r.frame);
      at = r.next;
    }
    expect(frames.map((f) => [f.type, f.flags, f.streamId, f.payload.length <= 16_384])).toEqual([
      [FrameType.DATA, 0, 1, false],
      [FrameType.HEADERS, FrameFlags.END_HEADERS, 3, true],
      [FrameType.HEADERS, FrameFlags.END_STREAM, 5, true],
      [FrameType.CONTINUATION, 0, 5, true],
      [FrameType.CONTINUATION, FrameFlags.END_HEADERS, 5, true],
      [FrameType.HEADERS, FrameFlags.END_HEADERS, 7, true],
    ]);
    expect(frames[0].payload.every((b) => b === 0x61)).toBe(true);
    const blocks = [frames[1].payload, Buffer.concat([frames[2].payload, frames[3].payload, frames[4].payload]), frames[5].payload];
    const dec = new HpackDecoder();
    blocks.forEach((b, i) => {
      expect(toHex(b)).toBe(toHex(apart.encode(lists[i])));
      expect(dec.decode(b)).toEqual(lists[i]);
    });
  });
});

describe('HTTP/2 frame writer: the write buffer', () => {
  // a socket that keeps the chunks it is given (as a socket does while it queues them), and says
  // how many octets it still holds
  function holding(queued: number): { w: FrameWriter; chunks: Uint8Array[] } {
    const chunks: Uint8Array[] = [];
    const socket = { writable: true, writableLength: queued, write: (b: Uint8Array) => chunks.push(b) } as unknown as net.Socket;
    return { w: new FrameWriter(socket), chunks };
  }

  it('never writes over a chunk the socket still holds, and starts again from the buffer start once the socket has written it all', () => {
    for (const queued of [0, 100]) {
      const { w, chunks } = holding(queued);
      for (let turn = 0; turn < 40; turn++) {
        w.textData(1 + 2 * turn, FrameFlags.END_STREAM, `{"turn":${turn},"pad":"${'p'.repeat(3_000)}"}`, 16_384);
        w.flush();
      }
      // every chunk still reads as the frame it was when written (a held chunk is never reused)
      if (queued) chunks.forEach((c, turn) => expect(JSON.parse(Buffer.from(c.subarray(9)).toString())).toMatchObject({ turn }));
      // written at once: each turn's frame is at the start of one buffer (no new 64 KiB buffer per ~60 kB)
      else expect(new Set(chunks.map((c) => `${c.byteOffset} ${c.buffer.byteLength}`)).size).toBe(1);
    }
  });

  it('never writes over a chunk a capture was given, even when the socket wrote it at once', () => {
    const kept: Uint8Array[] = [];
    const socket = { writable: true, writableLength: 0, write: () => true } as unknown as net.Socket;
    const w = new FrameWriter(socket, (b) => kept.push(b));
    for (let turn = 0; turn < 40; turn++) {
      w.textData(1 + 2 * turn, FrameFlags.END_STREAM, `{"turn":${turn},"pad":"${'p'.repeat(3_000)}"}`, 16_384);
      w.flush();
    }
    kept.forEach((c, turn) => expect(JSON.parse(Buffer.from(c.subarray(9)).toString())).toMatchObject({ turn }));
  });

  it('over a real socket whose peer stops reading: every frame arrives as it was written, whether the socket wrote it at once, queued it or was corked', async () => {
    const server = net.createServer();
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    server.listen(0, '127.0.146.1');
    await once(server, 'listening');
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.146.1');
    try {
      await once(client, 'connect');
      const [peer] = await accepted;
      peer.pause(); // the kernel's buffers fill, then the socket queues what it is given (writableLength > 0)
      const w = new FrameWriter(client);
      const frame = (turn: number) => `{"turn":${turn},"pad":"${'p'.repeat(20_000 + (turn % 7))}"}`;
      let turns = 0;
      let queuedTurns = 0;
      let writtenAtOnce = 0;
      // until 50 turns have found the socket queuing (bounded: the kernel holds a few MB at most)
      for (; queuedTurns < 50 && turns < 5_000; turns++) {
        if (turns % 40 === 20) client.cork();
        w.textData(1 + 2 * turns, FrameFlags.END_STREAM, frame(turns), 65_535);
        w.flush();
        if (turns % 40 === 25) client.uncork();
        if (client.writableLength > 0) queuedTurns++;
        else writtenAtOnce++;
      }
      if (client.writableCorked) client.uncork();
      expect(queuedTurns).toBe(50);
      expect(writtenAtOnce).toBeGreaterThan(0); // the buffer was used again from its start
      const expected = Array.from({ length: turns }, (_, t) => 9 + Buffer.byteLength(frame(t))).reduce((a, b) => a + b, 0);
      const got: Buffer[] = [];
      let length = 0;
      const all = new Promise<void>((resolve) => {
        peer.on('data', (b: Buffer) => {
          got.push(b);
          length += b.length;
          if (length >= expected) resolve();
        });
      });
      peer.resume();
      await all;
      const out = Buffer.concat(got);
      expect(out.length).toBe(expected);
      let turn = 0;
      for (let at = 0; at < out.length; turn++) {
        const r = frameAt(out, at)!;
        expect([r.frame.type, r.frame.streamId]).toEqual([FrameType.DATA, 1 + 2 * turn]);
        expect(Buffer.from(r.frame.payload).toString()).toBe(frame(turn));
        at = r.next;
      }
      expect(turn).toBe(turns);
      peer.destroy();
    } finally {
      client.destroy();
      server.close();
    }
  });
});
