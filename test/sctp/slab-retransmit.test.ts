// DATA chunks and packets are cut from a shared 16 KiB slab (codecs/bytes/slab.ts): a chunk lives
// in the retransmission queue until the peer acknowledges it (RFC 4960 6.3.3), however much
// traffic is encoded after it. Here the first transmission of one message is lost, ~50 KiB of
// later messages are queued and sent before it is retransmitted, and the retransmission must
// carry the octets of the first transmission and deliver the message unchanged.

import { describe, it, expect, afterEach } from 'vitest';
import type { DatagramImpairment } from '../../transport/impair.ts';
import { decodeSctp } from '../../codecs/sctp/index.ts';
import { pair, until, closeAll } from './helpers.ts';

afterEach(closeAll);

const indexOf = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset).getUint32(0);

/** A message that names itself: 4-octet index, then octets that depend on index and place. */
const numbered = (i: number, size: number) => {
  const b = Uint8Array.from({ length: size }, (_, k) => (i * 7 + k * 13) & 0xff);
  new DataView(b.buffer).setUint32(0, i);
  return b;
};

/** Drops the first datagram with the DATA chunk of message `index`, and copies that chunk's user data each time it leaves. */
class LoseOnce implements DatagramImpairment {
  private tsn: number | undefined;
  readonly transmissions: Uint8Array[] = [];

  private readonly index: number;

  constructor(index: number) {
    this.index = index;
  }

  apply(bytes: Uint8Array, send: (b: Uint8Array) => void): void {
    let lost = false;
    for (const c of decodeSctp(bytes).chunks) {
      if (c.kind !== 'Data') continue;
      if (this.tsn === undefined && c.userData.length >= 4 && indexOf(c.userData) === this.index) this.tsn = c.tsn;
      if (c.tsn !== this.tsn) continue;
      this.transmissions.push(Uint8Array.from(c.userData));
      if (this.transmissions.length === 1) lost = true;
    }
    if (!lost) send(bytes);
  }
}

describe('SCTP DATA kept unacknowledged while the slab it was cut from moves on', () => {
  it('a lost chunk retransmitted after > 16 KiB of later chunks and packets carries its own octets', async () => {
    const loss = new LoseOnce(1);
    const { client, server } = await pair({ gnb: { impair: loss } });
    const got = new Map<number, Uint8Array>();
    server.on('message', (_s, ppid, p) => ppid === 60 && got.set(indexOf(p), Uint8Array.from(p)));
    // message 1 is lost once; 60 more of 700-999 octets (~50 KiB) are queued in the same turn,
    // every chunk and packet of them cut from the slabs after message 1's chunk
    const sent: Uint8Array[] = [];
    for (let i = 0; i <= 61; i++) {
      const m = numbered(i, i <= 1 ? 300 : 700 + ((i * 37) % 300));
      sent.push(m);
      client.send(1 + (i % 3), 60, m);
    }
    await until(() => got.size === 62, 8000, 'every message');
    expect(loss.transmissions.length).toBeGreaterThanOrEqual(2);
    for (const t of loss.transmissions) expect(t).toEqual(sent[1]);
    for (let i = 0; i <= 61; i++) expect(got.get(i), `message ${i}`).toEqual(sent[i]);
    expect(client.stats.retransmitted).toBeGreaterThan(0);
  });
});
