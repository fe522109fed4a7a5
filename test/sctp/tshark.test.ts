// A capture of a whole association over UDP 9899 (RFC 6951), dissected by tshark with no
// decode-as: handshake, NGAP in DATA (PPID 60), SACK, shutdown. No malformed packet, no expert
// warning or error, and every CRC32c verified (pref sctp.checksum:CRC-32C, present in 4.0).

import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fanOut } from '../../transport/tap.ts';
import { hexVector } from '../helpers/vectors.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { RecordingTap } from '../../transport/tap.ts';
import { pair, collect, until, closeAll } from './helpers.ts';

afterEach(closeAll);

describe.skipIf(!tsharkAvailable())('SCTP over UDP capture checked by tshark', () => {
  it('the checksum preference exists under this name in this tshark', () => {
    const prefs = execFileSync('tshark', ['-G', 'defaultprefs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(prefs).toMatch(/^#sctp\.checksum: /m);
  });

  it('tshark dissects the association (INIT .. SHUTDOWN COMPLETE) and NGAP in DATA with no expert warning or error', async () => {
    const { capture, path } = tempCapture('sctp-udp');
    const rec = new RecordingTap();
    const tap = fanOut(capture, rec);
    const { client, server } = await pair({ udpPort: 9899, amf: { tap }, gnb: { tap } }); // both ends on 9899: no decode-as needed
    const atAmf = collect(server), atGnb = collect(client);
    const ngSetup = hexVector('ngap_ngsetuprequest.hex');
    client.send(0, 60, ngSetup, 'TS 38.413 8.7.1 NG Setup');
    await until(() => atAmf.length === 1);
    server.send(0, 60, Uint8Array.from(ngSetup), 'echo');
    await until(() => atGnb.length === 1);
    const closed = new Promise<void>((r) => server.once('close', () => r()));
    client.close();
    await closed;
    await new Promise((r) => setTimeout(r, 30));
    capture.close();
    const frames = dissect(path, { prefs: ['sctp.checksum:CRC-32C'] });
    // each datagram is reported by its sender and its receiver; the capture keeps one copy
    expect(frames.length).toBe(rec.events.length / 2);
    expect(rec.events.filter((e) => e.kind === 'udp' && e.comment === 'TS 38.413 8.7.1 NG Setup')).toHaveLength(1);
    expect(problems(frames)).toEqual([]);
    const types = frames.flatMap((f) => f.fields.get('sctp.chunk_type') ?? []);
    for (const t of ['1', '2', '10', '11', '0', '3', '7', '8', '14']) expect(types).toContain(t);
    expect(frames.every((f) => f.protocols.includes('sctp') && field(f, 'udp.dstport') === '9899')).toBe(true);
    expect(frames.map((f) => field(f, 'sctp.checksum.status'))).toEqual(frames.map(() => '1')); // 1 = good
    const ngap = frames.find((f) => f.protocols.includes('ngap'))!;
    expect(field(ngap, 'sctp.data_payload_proto_id')).toBe('60');
    expect(field(ngap, 'ngap.procedureCode')).toBe('21');
  });
});
