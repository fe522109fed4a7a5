// Issue 23: what the PCF and the subscription change reaches the NG-RAN, over loopback sockets in
// one capture:
//   (1) the PCF's AM policy update (Npcf_AMPolicyControl_UpdateNotify) with a new UE-AMBR and RFSP
//       index: the AMF sends UE CONTEXT MODIFICATION REQUEST (TS 38.413 8.3.4) and the gNB, which
//       stores both, answers RESPONSE. On commit 8c1eab1 the notification answered 404; after it
//       was served (before this change) the values waited for the next setup and the gNB never
//       heard of them.
//   (2) a new subscribed Session-AMBR and 5QI (UDR -> UDM -> SMF -> PCF): the SMF's
//       N1N2MessageTransfer carries the N2 SM information PDU_RES_MOD_REQ with the Modification
//       Command; the AMF sends PDU SESSION RESOURCE MODIFY REQUEST (8.2.3) with the PDU Session
//       Resource Modify Request Transfer (the new PDU Session Aggregate Maximum Bit Rate, the
//       default flow's new 5QI) and the command as its NAS-PDU; the gNB stores them and answers
//       RESPONSE, which goes to the SMF as PDU_RES_MOD_RSP (TS 23.502 4.3.3.2 steps 3b-7). On
//       8c1eab1 no modification existed; before this change it was N1 only.
//   (3) the PCF's decision changing only the ARP's pre-emption vulnerability (TS 23.501 5.7.2.2,
//       TS 29.512 Arp; Npcf_SMPolicyControl_UpdateNotify, TS 23.502 4.16.5.2): the SMF sends the
//       modification (4.3.3.2 step 3b) and the NG-RAN gets the flow's new ARP in a third PDU SESSION
//       RESOURCE MODIFY REQUEST. Before review-2026-12-06 the SMF compared only the ARP priority
//       level and sent nothing.
// Judges: tshark reads the NGAP and NAS field values and the SBI JSON from the capture; Erlang/OTP's
// asn1 (compiled from the TS 38.413 ASN.1) decodes the NGAP octets tshark took from the capture and
// re-encodes them to the same octets.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { Capture } from '../../transport/capture/capture.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { notifier, callbackUri } from '../../nodes/common/sbi/client.ts';
import { CALLBACKS } from '../../nodes/common/sbi/operations.ts';
import { decodeNgap, decodeNgapType, ngapCodec } from '../../codecs/ngap/index.ts';
import type { ProcedureValue } from '../../codecs/per/aper.ts';
import { smContextOf } from '../../nodes/smf/procedures/network-requested-release.ts';
import { testConfig, coreAndGnb } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { dissect, problems, tsharkAvailable, type DissectedFrame } from '../helpers/tshark.ts';
import { erlangAsn1Available, pduToErlang, toErlang, runPeer, type PeerRequest } from '../interop/erlang/peer.ts';

const SUPI = 'imsi-001010000000744';
const cfg = testConfig(244);
const path = join(mkdtempSync(join(tmpdir(), 'wire5g-ranmod-')), 'run.pcapng');
let capture: Capture;
let core: Core;
let gnb: Gnb;
let net: ReturnType<typeof coreAndGnb>;

beforeAll(async () => {
  capture = Capture.toFile(path);
  core = await startCore({ ...cfg, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI }] }, { database: ':memory:', tap: capture });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 244, name: 'test-gnb-244', tap: capture });
  net = coreAndGnb(core, gnb);
});
afterAll(async () => {
  await net?.stop();
  capture?.close();
});

async function recorded(fn: () => Promise<unknown>): Promise<string[]> {
  const steps: string[] = [];
  const off = subscribeTrace((e) => steps.push(`${e.from}>${e.to} ${e.message}`));
  try {
    await fn();
    await net.quiet();
  } finally {
    off();
  }
  return steps;
}

describe('UE Context Modification and PDU Session Resource Modify toward the NG-RAN (issue 23)', () => {
  let frames: DissectedFrame[] = [];
  let expectedVuln = '';
  it('the PCF\'s UE-AMBR and RFSP reach the gNB; a new Session-AMBR and 5QI reach the gNB and the UE', async () => {
    const before = net.ledgers();
    const u = new Ue({ supi: SUPI, k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: DEFAULT_SUBSCRIBER.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });
    await u.register(gnb);
    await u.establishPduSession(1);
    await net.quiet();
    const ran = [...gnb.contexts.values()].find((c) => c.ue !== undefined)!;
    expect(ran.rfsp).toBeUndefined();

    // (1) Npcf_AMPolicyControl_UpdateNotify, as the PCF sends it (TS 23.502 4.16.2.2)
    const ue = core.amf.bySupi.get(SUPI)!;
    const pcf = notifier(core.nfs.get('pcf')!.sbi!.client);
    const amUri = callbackUri(core.amf.cfg.baseUri, CALLBACKS.amPolicyUpdateNotify, { supi: SUPI });
    const am = await recorded(async () => expect((await pcf.amPolicyUpdateNotify(amUri, { resourceUri: ue.amPolicyUri!, rfsp: 7, ueAmbr: { uplink: '5 Mbps', downlink: '7 Mbps' } }, { step: '4.16.2.2' })).status).toBe(204));
    inOrder(am, ['AMF>gNB UEContextModificationRequest', 'gNB>AMF UEContextModificationResponse']);
    expect(ran.ueAmbr).toEqual({ uplinkBps: 5_000_000, downlinkBps: 7_000_000 });
    expect(ran.rfsp).toBe(7);
    // the same values again change nothing at the NG-RAN
    const again = await recorded(() => pcf.amPolicyUpdateNotify(amUri, { resourceUri: ue.amPolicyUri!, rfsp: 7 }, { step: '4.16.2.2' }));
    expect(again.filter((s) => s.includes('UEContextModification'))).toEqual([]);

    // (2) the subscription's new Session-AMBR and 5QI (TS 23.502 4.3.3.2 step 1b)
    const rec = core.store.get(SUPI)!;
    core.store.upsert({ ...rec, sessionQos: [{ fiveQi: 8, arpPriorityLevel: 7, ambrUplink: '20 Mbps', ambrDownlink: '30 Mbps' }] });
    const sm = await recorded(() => core.udr.notifySubscriptionDataChange(SUPI));
    inOrder(sm, [
      'SMF>AMF Namf_Communication_N1N2MessageTransfer',
      'AMF>gNB PDUSessionResourceModifyRequest',
      'gNB>AMF PDUSessionResourceModifyResponse',
      'AMF>SMF Nsmf_PDUSession_UpdateSMContext',
    ]);
    // the UE's COMPLETE (steps 9-10) and the NG-RAN's answer (step 7) cross
    inOrder(sm, ['AMF>gNB PDUSessionResourceModifyRequest', 'UE>AMF UL NAS transport (PDU session modification complete)']);
    const session = ran.sessions.get(1)!;
    expect(session.ambr).toEqual({ uplinkBps: 20_000_000, downlinkBps: 30_000_000 });
    expect(session.fiveQis?.get(session.qfi)).toBe(8);
    expect(u.sessions.get(1)!.sessionAmbr).toMatchObject({ ul: 20_000, dl: 30_000 });

    // (3) the PCF changes only the pre-emption vulnerability (TS 23.502 4.16.5.2)
    const ctx = smContextOf(core.smf, SUPI, 1)!;
    const arp = { ...ctx.qos!.arp, preemptVuln: ctx.qos!.arp.preemptVuln === 'PREEMPTABLE' ? 'NOT_PREEMPTABLE' as const : 'PREEMPTABLE' as const };
    const decision = { sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: '20 Mbps', downlink: '30 Mbps' }, authDefQos: { '5qi': 8, arp } } } };
    const smUri = callbackUri(core.smf.cfg.baseUri, CALLBACKS.smPolicyUpdateNotify, { smContextRef: ctx.ref });
    const vuln = await recorded(async () => expect((await pcf.smPolicyUpdateNotify(smUri, { resourceUri: ctx.smPolicyUri!, smPolicyDecision: decision }, { step: '4.16.5.2' })).status).toBe(204));
    inOrder(vuln, ['SMF>AMF Namf_Communication_N1N2MessageTransfer', 'AMF>gNB PDUSessionResourceModifyRequest', 'gNB>AMF PDUSessionResourceModifyResponse']);
    expect(ctx.qos!.arp).toEqual(arp);
    expectedVuln = arp.preemptVuln === 'PREEMPTABLE' ? '1' : '0'; // TS 38.413 9.3.1.19: not-pre-emptable (0), pre-emptable (1)
    // the session still carries traffic
    expect(await u.ping(cfg.dataNetwork, 1, { psi: 1 })).toBeGreaterThanOrEqual(0);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
    await net.stop();
    capture.close();
    if (tsharkAvailable()) frames = dissect(path, { prefs: ['nas-5gs.null_decipher:TRUE'] });
  }, 60_000);

  const has = (f: DissectedFrame, name: string, value: string) => (f.fields.get(name) ?? []).includes(value);
  const ngap = (code: string, ie: string) => frames.filter((f) => has(f, 'ngap.procedureCode', code) && f.fields.has(ie));

  it.skipIf(!tsharkAvailable())('tshark: UEContextModification (40) with RFSP 7 and UE-AMBR 7/5 Mbps; PDUSessionResourceModify (26) with 30/20 Mbps, 5QI 8 and the Modification Command; PDU_RES_MOD_REQ/RSP on the SBI', () => {
    expect(problems(frames)).toEqual([]);
    const [ucm] = ngap('40', 'ngap.IndexToRFSP');
    expect(ucm?.fields.get('ngap.IndexToRFSP')).toEqual(['7']);
    expect(ucm?.fields.get('ngap.uEAggregateMaximumBitRateDL')).toEqual(['7000000']);
    expect(ucm?.fields.get('ngap.uEAggregateMaximumBitRateUL')).toEqual(['5000000']);
    expect(frames.filter((f) => has(f, 'ngap.procedureCode', '40'))).toHaveLength(2); // the request and its response
    const [mod] = ngap('26', 'ngap.pDUSessionResourceModifyRequestTransfer');
    expect(mod?.fields.get('ngap.pDUSessionAggregateMaximumBitRateDL')).toEqual(['30000000']);
    expect(mod?.fields.get('ngap.pDUSessionAggregateMaximumBitRateUL')).toEqual(['20000000']);
    expect(mod?.fields.get('ngap.fiveQI')).toEqual(['8']);
    expect(mod?.fields.get('nas_5gs.sm.message_type')).toEqual(['0xcb']); // PDU SESSION MODIFICATION COMMAND
    const [modRes] = ngap('26', 'ngap.pDUSessionResourceModifyResponseTransfer');
    expect(modRes?.fields.get('ngap.pDUSessionID')).toEqual(['1']);
    const sbi = (v: string) => frames.findIndex((f) => has(f, 'json.member_with_value', v));
    expect(sbi('ngapIeType:PDU_RES_MOD_REQ')).toBeGreaterThan(0);
    expect(sbi('ngapIeType:PDU_RES_MOD_REQ')).toBeLessThan(frames.indexOf(mod));
    expect(sbi('n2SmInfoType:PDU_RES_MOD_RSP')).toBeGreaterThan(frames.indexOf(modRes));
    // (3): the third request carries the flow's ARP with only the vulnerability changed
    const mods = ngap('26', 'ngap.pDUSessionResourceModifyRequestTransfer');
    expect(mods).toHaveLength(2);
    expect(mods[0].fields.get('ngap.pre_emptionVulnerability')).not.toEqual([expectedVuln]);
    expect(mods[1].fields.get('ngap.pre_emptionVulnerability')).toEqual([expectedVuln]);
    expect(mods[1].fields.get('ngap.priorityLevelARP')).toEqual(mods[0].fields.get('ngap.priorityLevelARP'));
  });

  it.skipIf(!tsharkAvailable() || !erlangAsn1Available())('Erlang asn1: the six NGAP messages and their transfers, as tshark took them from the capture, decode to our values and re-encode to the same octets', async () => {
    // the NGAP PDU's octets as they crossed N2: tshark's raw bytes of the ngap layer
    const raw = JSON.parse(execFileSync('tshark', ['-r', path, '-Y', 'ngap.procedureCode == 26 || ngap.procedureCode == 40', '-T', 'json', '-x'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { _source: { layers: Record<string, unknown> } }[];
    const requests: PeerRequest[] = [];
    for (const p of raw) {
      const bytes = Uint8Array.from(Buffer.from((p._source.layers.ngap_raw as [string, ...unknown[]])[0], 'hex'));
      requests.push({ type: 'NGAP-PDU', ours: bytes, term: pduToErlang(ngapCodec, decodeNgap(bytes) as unknown as Record<string, ProcedureValue>) });
    }
    // the transfers inside (OCTET STRING CONTAINING), as tshark shows their octets, judged as their own types
    const TYPES = ['PDUSessionResourceModifyRequestTransfer', 'PDUSessionResourceModifyResponseTransfer'] as const;
    const fields = execFileSync('tshark', ['-r', path, '-Y', 'ngap.procedureCode == 26', '-T', 'fields', ...TYPES.flatMap((t) => ['-e', `ngap.p${t.slice(1)}`])], { encoding: 'utf8' });
    for (const line of fields.split('\n')) {
      line.split('\t').forEach((hex, i) => {
        if (!/^[0-9a-f]+$/.test(hex)) return;
        const octets = Uint8Array.from(Buffer.from(hex, 'hex'));
        requests.push({ type: TYPES[i], ours: octets, term: toErlang(ngapCodec, { k: 'ref', name: TYPES[i] }, decodeNgapType(TYPES[i], octets)) });
      });
    }
    expect(requests.map((r) => r.type).sort()).toEqual(['NGAP-PDU', 'NGAP-PDU', 'NGAP-PDU', 'NGAP-PDU', 'NGAP-PDU', 'NGAP-PDU', ...TYPES, ...TYPES].sort());
    const answers = await runPeer(requests);
    const wrong = answers.flatMap((a, i) => (a.decoded === 'ok' && a.reencoded === 'ok' && a.theirs === Buffer.from(requests[i].ours).toString('hex') ? [] : [`${requests[i].type}: ${JSON.stringify(a)}`]));
    expect(wrong).toEqual([]);
  }, 120_000);
});
