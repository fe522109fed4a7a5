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
import { encodeNgap } from '../../codecs/ngap/ngap.ts';
import { ngapPdu, plmnIdentity, bits, tac } from '../../codecs/ngap/build.ts';

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

  it('tshark decodes every NGAP message of bundled packets (RFC 9260 6.10): as many as were sent, each whole', async () => {
    const { capture, path } = tempCapture('sctp-bundled');
    const { client, server } = await pair({ udpPort: 9899, amf: { tap: capture }, gnb: { tap: capture } });
    const atAmf = collect(server);
    const uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: plmnIdentity('001', '01'), nRCellIdentity: bits(1, 36) }, tAI: { pLMNIdentity: plmnIdentity('001', '01'), tAC: tac(1) } } };
    // 40 UplinkNASTransport messages (a 5GMM STATUS each, TS 24.501 8.2.29, cause #111), sent in
    // one job: they leave bundled, several DATA chunks per packet, in more than one packet (1400-octet MTU)
    const nas = Uint8Array.of(0x7e, 0x00, 0x64, 0x6f);
    const sent = Array.from({ length: 40 }, (_, i) => encodeNgap(ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 1000 + i, 'RAN-UE-NGAP-ID': i, 'NAS-PDU': nas, UserLocationInformation: uli })));
    for (const m of sent) client.send(1, 60, m, 'UplinkNASTransport');
    await until(() => atAmf.length === sent.length);
    await new Promise((r) => setTimeout(r, 30));
    capture.close();
    const frames = dissect(path, { prefs: ['sctp.checksum:CRC-32C'] });
    expect(problems(frames)).toEqual([]);
    // bundled: fewer packets than messages, several of them with more than one NGAP message
    const withNgap = frames.filter((f) => f.protocols.includes('ngap'));
    expect(withNgap.length).toBeGreaterThan(1);
    expect(withNgap.length).toBeLessThan(sent.length / 4);
    // every message dissected, in the order sent, with its own UE NGAP IDs and its NAS message
    expect(frames.flatMap((f) => f.fields.get('ngap.AMF_UE_NGAP_ID') ?? [])).toEqual(sent.map((_, i) => String(1000 + i)));
    expect(frames.flatMap((f) => f.fields.get('ngap.RAN_UE_NGAP_ID') ?? [])).toEqual(sent.map((_, i) => String(i)));
    expect(frames.flatMap((f) => f.fields.get('nas_5gs.mm.message_type') ?? [])).toEqual(sent.map(() => '0x64'));
    expect(frames.flatMap((f) => f.fields.get('nas_5gs.mm.5gmm_cause') ?? [])).toEqual(sent.map(() => '111'));
    expect(frames.flatMap((f) => f.fields.get('ngap.procedureCode') ?? [])).toEqual(sent.map(() => '46'));
  });
});
