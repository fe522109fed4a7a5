// Accept what the field sends (issue 12, section 2): real messages from the shared vectors
// (free5gc/ngap test vectors, an erGW PFCP Heartbeat and Association Setup, a 1400-octet G-PDU)
// reshaped as other implementations send them: an NGAP-PDU padded with zero octets (one core pads
// its NGSetupResponse to 552 octets, another tool leaves 2-3), a PFCP node message with the S flag
// set, a GTP-U datagram longer than its Length field says. Wireshark decodes all three (checked
// here with tshark); our decoders accept them too and report a warning with its offset,
// `wire5g decode` prints it, and the UPF counts it. What the standards make fatal (a missing
// mandatory IE of criticality reject, non-zero octets after the PDU, a session message without
// SEID) stays an error.
import { describe, it, expect } from 'vitest';
import { decodeNgap, encodeNgap, ngapPdu } from '../../codecs/ngap/index.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { decodeGtpu } from '../../codecs/gtpu/index.ts';
import { DecodeError, type DecodeWarning } from '../../codecs/bytes/errors.ts';
import { fromHex } from '../../codecs/bytes/hex.ts';
import { sctpDataPacket } from '../../transport/capture/synth.ts';
import { decodeCapture } from '../../cli/decode.ts';
import { framesOf, frameLine } from '../../cli/decode-format.ts';
import { readFileSync } from 'node:fs';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';
import { NODE_MESSAGES } from '../ngap/node-messages.ts';
import { n4Rig } from '../helpers/n4-rig.ts';

const pad = (b: Uint8Array, n: number, fill = 0) => Uint8Array.from([...b, ...new Array<number>(n).fill(fill)]);
const ngSetupResponse = encodeNgap(NODE_MESSAGES.find(([n]) => n === 'NGSetupResponse')![1]);
const padded552 = pad(ngSetupResponse, 552 - ngSetupResponse.length);
const freeNgSetup = hexVector('ngap_ngsetuprequest.hex');
const heartbeat = fromHex(messageVectors('pfcp.heartbeat_request.ergw')[0].hex);
const assocSetup = fromHex(messageVectors('pfcp.association_setup_request.ergw')[0].hex);
const gpdu = hexVector('gtpu_gpdu_pdusc_1400.hex');

/** A PFCP node message with the S flag set and a SEID inserted after the first four octets (TS 29.244 7.2.2.1 layout). */
function withSeid(m: Uint8Array, seid = 0x1122334455667788n): Uint8Array {
  const out = new Uint8Array(m.length + 8);
  out.set(m.subarray(0, 4), 0);
  new DataView(out.buffer).setBigUint64(4, seid);
  out.set(m.subarray(4), 12);
  out[0] |= 1;
  new DataView(out.buffer).setUint16(2, out.length - 4);
  return out;
}

describe('NGAP-PDU followed by zero octets', () => {
  it('decodes to the same value with a TRAILING_PADDING warning at the end of the PDU', () => {
    for (const [bytes, n] of [
      [ngSetupResponse, 552 - ngSetupResponse.length],
      [freeNgSetup, 2],
      [freeNgSetup, 3],
    ] as const) {
      const warnings: DecodeWarning[] = [];
      expect(decodeNgap(pad(bytes, n), warnings)).toEqual(decodeNgap(bytes));
      expect(warnings).toEqual([{ protocol: 'ngap', code: 'TRAILING_PADDING', offset: bytes.length, path: 'NGAP-PDU', reason: `${n} zero octet(s) after the NGAP-PDU, ignored` }]);
    }
  });
  it('other octets after the PDU, and a missing mandatory IE of criticality reject, stay errors', () => {
    expect(() => decodeNgap(pad(freeNgSetup, 2, 0x5a))).toThrow(expect.objectContaining({ code: 'TRAILING_BYTES', offset: freeNgSetup.length }));
    // a padded DownlinkNASTransport without its NAS-PDU (mandatory, criticality reject: TS 38.413 10.3.5)
    const pdu = ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': Uint8Array.of(0x7e, 0x00, 0x56) });
    const list = (Object.values(pdu)[0] as { value: { protocolIEs: { id: number }[] } }).value.protocolIEs;
    list.splice(list.findIndex((ie) => ie.id === 38), 1);
    let error: unknown;
    try {
      decodeNgap(pad(encodeNgap(pdu), 2), []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe('MISSING_IE');
  });
});

describe('PFCP node message with the S flag set', () => {
  it('Heartbeat Request and Association Setup Request decode to the same IEs with a SEID_ON_NODE_MESSAGE warning', () => {
    for (const m of [heartbeat, assocSetup]) {
      const warnings: DecodeWarning[] = [];
      const got = P.decodePfcp(withSeid(m), { warnings });
      expect(got).toEqual(P.decodePfcp(m));
      expect(warnings.map((w) => [w.code, w.offset, w.path])).toEqual([['SEID_ON_NODE_MESSAGE', 0, 'Header.S']]);
      expect(warnings[0].reason).toMatch(/SEID 1234605616436508552 ignored/);
    }
  });
  it('a session message without a SEID stays an error', () => {
    const del = hexVector('pfcp_sessiondeletionrequest.hex');
    // clear S and drop the SEID: a Session Deletion Request nobody can route
    const noSeid = Uint8Array.from([del[0] & ~1, del[1], 0, del.length - 12, ...del.subarray(12)]);
    expect(() => P.decodePfcp(noSeid, { warnings: [] })).toThrow(expect.objectContaining({ code: 'BAD_VALUE', path: 'Header.S' }));
  });
});

describe('GTP-U datagram longer than its Length field', () => {
  it('the G-PDU as its Length field says, with a BEYOND_LENGTH warning at its end', () => {
    const warnings: DecodeWarning[] = [];
    const got = decodeGtpu(pad(gpdu, 3), warnings);
    expect(got).toEqual(decodeGtpu(gpdu));
    expect(warnings).toEqual([{ protocol: 'gtpu', code: 'BEYOND_LENGTH', offset: 1400, path: 'Header.Length', reason: '3 octet(s) in the datagram after the 1400 the Length field covers, ignored' }]);
  });
});

describe.skipIf(!tsharkAvailable())('wire5g decode shows each accepted anomaly as a warning; tshark decodes the same frames', () => {
  it('one line per frame with WARNING <code> at offset <n>', () => {
    const { capture, path } = tempCapture('tolerance');
    capture.sctp('127.0.0.2', '127.0.0.1', sctpDataPacket(38412, 38412, 1, [{ tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: padded552 }]), 'NGSetupResponse padded to 552 octets');
    capture.udp({ address: '127.0.0.4', port: 8805 }, { address: '127.0.0.7', port: 8805 }, withSeid(heartbeat));
    capture.udp({ address: '127.0.0.8', port: 2152 }, { address: '127.0.0.7', port: 2152 }, pad(gpdu, 3));
    capture.close();
    const lines = [...framesOf(decodeCapture(new Uint8Array(readFileSync(path))))].map(frameLine);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`NGAP NGSetupResponse.* NGAP WARNING TRAILING_PADDING at offset ${ngSetupResponse.length} \\(NGAP-PDU\\): ${552 - ngSetupResponse.length} zero octet`));
    expect(lines[1]).toMatch(/PFCP Heartbeat Request.* PFCP WARNING SEID_ON_NODE_MESSAGE at offset 0 \(Header\.S\)/);
    expect(lines[2]).toMatch(/GTP-U G-PDU.* GTP-U WARNING BEYOND_LENGTH at offset 1400 \(Header\.Length\)/);
    for (const l of lines) expect(l).not.toMatch(/ERROR/);
    const frames = dissect(path);
    expect(frames.map((f) => f.protocols.at(-1))).toEqual(['ngap', 'pfcp', expect.stringMatching(/^(gtp|ip|udp|data|icmp)$/)]);
    expect(frames[1].fields.get('pfcp.msg_type')).toEqual(['1']);
    expect(problems(frames.slice(0, 1))).toEqual([]);
  });
});

describe('the UPF accepts an Association Setup Request with the S flag set and counts it', () => {
  it('answers it (Request accepted) and counts one tolerated PFCP message', async () => {
    const rig = await n4Rig('127.0.49', 'upf-tolerance');
    try {
      const rsp = P.decodePfcp(await rig.smf.request(rig.upf.pfcpEndpoint, (seq) => {
        const m = P.encodePfcp(P.associationSetupRequest(seq, { type: 'ipv4', value: '127.0.49.54' }, 1));
        return withSeid(m);
      }, 'Association Setup Request with the S flag set'));
      expect(rsp.type).toBe(P.PfcpMessageType.AssociationSetupResponse);
      expect(P.get(rsp.ies, P.PfcpIeType.Cause)).toBe(P.PfcpCause.RequestAccepted);
      expect(rig.upf.stats.pfcpTolerated).toBe(1);
    } finally {
      await rig.stop();
    }
  });
});
