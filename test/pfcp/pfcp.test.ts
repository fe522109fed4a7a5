import { describe, it, expect } from 'vitest';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M } from '../../codecs/pfcp/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';

const smfNode: P.NodeId = { type: 'ipv4', value: '127.0.0.4' };
const upfNode: P.NodeId = { type: 'fqdn', value: 'upf.wire5g.test' };
const spec: P.SessionRulesSpec = { nodeId: smfNode, cpSeid: 5n, cpAddress: '127.0.0.4', ueAddress: '10.45.0.1', qfi: 9, accessInstance: 'access', coreInstance: 'internet', ambrUlKbps: 1_000_000, ambrDlKbps: 2_000_000 };
const usage: P.UsageReportSpec = { urSeqn: 0, trigger: P.UsageReportTrigger.TERMR, startTime: P.ntpSeconds(1.7e9), endTime: P.ntpSeconds(1.7e9 + 5), volume: { total: 3000n, uplink: 1000n, downlink: 2000n, totalPackets: 6n, uplinkPackets: 3n, downlinkPackets: 3n }, durationSeconds: 5 };
const rts = P.ntpSeconds(1.7e9);

/** One of every message type the issue names, with increasing sequence numbers. */
const built: P.PfcpMessage[] = [
  P.heartbeatRequest(1, rts),
  P.heartbeatResponse(1, rts),
  P.associationSetupRequest(2, smfNode, rts, 0x01),
  P.associationSetupResponse(2, upfNode, P.PfcpCause.RequestAccepted, rts, { value: 0x0110, octets: 2 }),
  P.associationUpdateRequest(3, smfNode),
  P.associationUpdateResponse(3, upfNode, P.PfcpCause.RequestAccepted),
  P.sessionEstablishmentRequest(4, spec),
  P.sessionEstablishmentResponse(4, 5n, upfNode, P.PfcpCause.RequestAccepted, { seid: 77n, address: '127.0.0.7', n3Teid: 0x1234, n3Address: '127.0.0.7' }),
  P.sessionModificationRequest(5, 77n, { action: 'forward', gnbTeid: 0x55, gnbAddress: '127.0.0.100' }),
  P.sessionModificationResponse(5, 5n, P.PfcpCause.RequestAccepted, { ...usage, trigger: P.UsageReportTrigger.IMMER }),
  P.sessionReportRequest(6, 5n, { usage: { ...usage, trigger: P.UsageReportTrigger.VOLTH } }),
  P.sessionReportResponse(6, 77n, P.PfcpCause.RequestAccepted),
  P.sessionReportRequest(7, 5n, { downlinkDataPdrId: 2 }),
  P.sessionReportResponse(7, 77n, P.PfcpCause.RequestAccepted),
  P.sessionDeletionRequest(8, 77n),
  P.sessionDeletionResponse(8, 5n, P.PfcpCause.RequestAccepted, usage),
  P.associationReleaseRequest(9, smfNode),
  P.associationReleaseResponse(9, upfNode, P.PfcpCause.RequestAccepted),
  // issue 16: usage monitoring re-armed (a new threshold) and stopped (VOLTH off)
  P.sessionModificationRequestUpdateUrr(10, 77n, [{ urrId: 1, volumeThresholdOctets: 632 }, { urrId: 2 }]),
  P.sessionModificationResponse(10, 5n, P.PfcpCause.RequestAccepted),
];

describe('PFCP codec (TS 29.244)', () => {
  it('every message type round-trips: decode(encode(m)) equals m, re-encoding is byte-exact', () => {
    for (const m of built) {
      const bytes = P.encodePfcp(m);
      const back = P.decodePfcp(bytes);
      expect(back).toEqual(m);
      expect(toHex(P.encodePfcp(back))).toBe(toHex(bytes));
    }
  });

  it('the shared vectors decode to their stated values and re-encode byte-exact', () => {
    const vs = messageVectors('pfcp.');
    expect(vs.length).toBe(8);
    for (const v of vs) {
      const m = P.decodePfcp(fromHex(v.hex), { checkMandatory: false });
      expect(toHex(P.encodePfcp(m))).toBe(v.hex.toLowerCase());
      expect(m.sequenceNumber).toBe(v.expected.sequence);
      expect(String(v.expected.message_type).startsWith(`${m.type} `)).toBe(true);
    }
    const asr = P.decodePfcp(fromHex(messageVectors('pfcp.association_setup_request')[0].hex));
    expect(P.get(asr.ies, T.RecoveryTimeStamp)).toBe(3785653512);
    expect(P.get(asr.ies, T.NodeID)).toEqual({ type: 'fqdn', value: 'ergw' });
    const ser = P.decodePfcp(fromHex(messageVectors('pfcp.session_establishment_request.ergw')[0].hex));
    expect(P.get(ser.ies, T.FSEID)).toEqual({ seid: 0xffde7210bf97810an, ipv4: '172.18.1.1' });
    const pdrs = P.groups(ser.ies, T.CreatePDR);
    expect(pdrs).toHaveLength(2);
    const pdi = P.group(pdrs[0], T.PDI)!;
    expect(P.get(pdi, T.FTEID)).toEqual({ teid: 0x104c9033, ipv4: '172.18.1.2' });
    expect(P.get(pdi, T.NetworkInstance)?.text).toBe('cp');
    expect(P.get(P.group(pdrs[1], T.PDI)!, T.SDFFilter)).toEqual({ flowDescription: 'permit out ip from any to any' });
    expect(P.get(P.groups(ser.ies, T.CreateFAR)[1], T.ApplyAction)?.value).toBe(P.ApplyAction.DROP);
    // go-pfcp's 325-byte Establishment Request, Deletion Request (SEID 1) and Response (Request accepted)
    const est = P.decodePfcp(hexVector('pfcp_sessionestablishmentrequest.hex'));
    expect(P.groups(est.ies, T.CreatePDR)).toHaveLength(2);
    expect(P.groups(est.ies, T.CreateFAR)).toHaveLength(2);
    expect(P.groups(est.ies, T.CreateQER)).toHaveLength(1);
    const del = P.decodePfcp(hexVector('pfcp_sessiondeletionrequest.hex'));
    expect([del.type, del.seid]).toEqual([M.SessionDeletionRequest, 1n]);
    expect(P.get(P.decodePfcp(hexVector('pfcp_sessiondeletionresponse.hex')).ies, T.Cause)).toBe(P.PfcpCause.RequestAccepted);
  });

  it('a VPP response lacking the mandatory Node ID decodes leniently and says what is missing', () => {
    const v = messageVectors('pfcp.session_establishment_response.vpp_upf')[0];
    expect(() => P.decodePfcp(fromHex(v.hex))).toThrowError(/Node ID/);
    const [d] = P.dissectPfcp(fromHex(v.hex));
    expect(d.message).toBe('Session Establishment Response');
    expect(JSON.stringify(d.fields)).toContain('"missingMandatoryIes":["Node ID"]');
  });

  it('a missing mandatory IE is MISSING_IE naming it, mapped to cause 66 with the Offending IE', () => {
    const m = P.sessionEstablishmentRequest(1, spec);
    const noNode = { ...m, ies: m.ies.filter((x) => x.type !== T.NodeID) };
    try {
      P.decodePfcp(P.encodePfcp(noNode));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).code).toBe('MISSING_IE');
      expect((e as DecodeError).ie).toBe(T.NodeID);
      expect(P.causeFor(e as DecodeError)).toEqual({ cause: 66, offendingIe: 60 });
    }
    // inside a grouped IE: a Create PDR without its PDI
    const noPdi = { ...m, ies: m.ies.map((x) => (x.type === T.CreatePDR ? { ...x, value: (x.value as P.PfcpIe[]).filter((c) => c.type !== T.PDI) } : x)) };
    expect(() => P.decodePfcp(P.encodePfcp(noPdi))).toThrowError(/PDI \(2\) is missing/);
  });

  it('an IE shorter than its flags announce is BAD_LENGTH with the IE, mapped to cause 68', () => {
    const bytes = P.encodePfcp(P.sessionEstablishmentResponse(1, 5n, upfNode, 1, { seid: 77n, address: '127.0.0.7', n3Teid: 1, n3Address: '127.0.0.7' }));
    const hex = toHex(bytes);
    const at = hex.indexOf('0039000d') / 2; // F-SEID, length 13
    const cut = Uint8Array.from(bytes);
    cut[at + 3] = 9; // claims 9 octets: flags + SEID, but V4 is set
    // keep the message length consistent: remove 4 octets of the address
    const shorter = new Uint8Array(cut.length - 4);
    shorter.set(cut.subarray(0, at + 4 + 9));
    shorter.set(cut.subarray(at + 4 + 13), at + 4 + 9);
    shorter[3] -= 4;
    try {
      P.decodePfcp(shorter);
      expect.unreachable();
    } catch (e) {
      expect((e as DecodeError).code).toBe('BAD_LENGTH');
      expect(P.causeFor(e as DecodeError)).toEqual({ cause: 68, offendingIe: T.FSEID });
    }
  });

  it('keeps vendor-specific and unknown IEs verbatim, in place', () => {
    const m: P.PfcpMessage = { type: M.HeartbeatRequest, sequenceNumber: 9, ies: [{ type: 32770, enterpriseId: 18681, value: fromHex('0102') }, P.ie(T.RecoveryTimeStamp, rts), { type: 250, value: fromHex('aabbcc') }] };
    const bytes = P.encodePfcp(m);
    expect(P.decodePfcp(bytes)).toEqual(m);
  });

  it('a nesting bomb is TOO_DEEP, not a stack overflow', () => {
    let inner = new Uint8Array(0);
    for (let i = 0; i < 40; i++) {
      const outer = new Uint8Array(inner.length + 4);
      outer.set([0, T.CreatePDR, inner.length >> 8, inner.length & 0xff]);
      outer.set(inner, 4);
      inner = outer;
    }
    const head = Uint8Array.of(0x21, M.SessionEstablishmentRequest, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
    const msg = new Uint8Array(head.length + inner.length);
    msg.set(head);
    msg.set(inner, head.length);
    const len = msg.length - 4;
    msg[2] = len >> 8;
    msg[3] = len & 0xff;
    expect(() => P.decodePfcp(msg)).toThrowError(expect.objectContaining({ code: 'TOO_DEEP' }));
  });

  it('fuzz: 100k mutated, truncated, length-lying and random inputs end in a result or a DecodeError', () => {
    const corpus = [...built.map((m) => P.encodePfcp(m)), ...messageVectors('pfcp.').map((v) => fromHex(v.hex)), hexVector('pfcp_sessionestablishmentrequest.hex')];
    const res = fuzzDecoder((b) => P.decodePfcp(b), { seed: 0xfc, cases: 100_000, corpus });
    expect(res.rejected).toBeGreaterThan(10_000);
    expect(res.decoded).toBeGreaterThan(1_000);
  });
});

describe.skipIf(!tsharkAvailable())('PFCP golden bytes checked by tshark', () => {
  it('tshark dissects every PFCP message type with our values and no expert warning or error', () => {
    const { capture, path } = tempCapture('pfcp-golden');
    const smf = { address: '127.0.0.4', port: 8805 }, upf = { address: '127.0.0.7', port: 8805 };
    for (const m of built) capture.udp(P.isRequest(m.type) === (m.type !== M.SessionReportRequest) ? smf : upf, P.isRequest(m.type) === (m.type !== M.SessionReportRequest) ? upf : smf, P.encodePfcp(m), P.PFCP_MESSAGE_NAMES[m.type]);
    capture.close();
    const frames = dissect(path);
    expect(frames).toHaveLength(built.length);
    expect(problems(frames)).toEqual([]);
    frames.forEach((f, i) => {
      expect(field(f, 'pfcp.msg_type')).toBe(String(built[i].type));
      expect(field(f, 'pfcp.seqno')).toBe(String(built[i].sequenceNumber));
    });
    const byType = (t: number) => frames[built.findIndex((m) => m.type === t)];
    expect(field(byType(M.HeartbeatRequest), 'pfcp.recovery_time_stamp')).toMatch(/2023/);
    expect(field(byType(M.AssociationSetupResponse), 'pfcp.node_id_fqdn')).toBe('upf.wire5g.test');
    const est = byType(M.SessionEstablishmentRequest);
    expect(est.fields.get('pfcp.pdr_id')).toEqual(['1', '2']);
    expect(field(est, 'pfcp.f_teid_flags.ch')).toBe('1');
    expect(field(est, 'pfcp.ue_ip_addr_ipv4')).toBe('10.45.0.1');
    expect(est.fields.get('pfcp.network_instance')).toEqual(['access', 'internet', 'internet']);
    expect(est.fields.get('pfcp.qfi_value')).toEqual(['0x09', '0x09']);
    expect(field(est, 'pfcp.apply_action.forw')).toBe('1');
    const rsp = byType(M.SessionEstablishmentResponse);
    expect(field(rsp, 'pfcp.f_teid.teid')).toBe('0x00001234');
    expect(field(rsp, 'pfcp.cause')).toBe('1');
    const mod = byType(M.SessionModificationRequest);
    expect(field(mod, 'pfcp.outer_hdr_creation.teid')).toBe('0x00000055');
    expect(field(mod, 'pfcp.outer_hdr_creation.ipv4')).toBe('127.0.0.100');
    const del = byType(M.SessionDeletionResponse);
    expect(field(del, 'pfcp.usage_report_trigger.term')).toBe('1');
    expect(field(del, 'pfcp.volume_measurement.ulvol')).toBe('1000');
    expect(field(del, 'pfcp.volume_measurement.dlvol')).toBe('2000');
    expect(field(del, 'pfcp.volume_measurement.tonop')).toBe('6');
    expect(field(del, 'pfcp.duration_measurement')).toBe('5');
    expect(field(byType(M.SessionDeletionRequest), 'pfcp.seid')).toBe('0x000000000000004d');
    // issue 16: Update URR with a new Volume Threshold, and one with VOLTH off
    const upd = frames[built.findIndex((m) => m.type === M.SessionModificationRequest && P.groups(m.ies, T.UpdateURR).length > 0)];
    expect(upd.fields.get('pfcp.urr_id')).toEqual(['1', '2']);
    expect(upd.fields.get('pfcp.reporting_triggers_flags.volth')).toEqual(['1', '0']);
    expect(field(upd, 'pfcp.volume_threshold.tovol')).toBe('632');
  });
});
