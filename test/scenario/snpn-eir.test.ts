// TS 23.502 4.2.2.2.4 steps 11 and 12 over real sockets: an AMF whose onboarding Security Mode
// Command asks for no IMEISV (snpn.onboarding.imeisvRequest false) gets the PEI by Identity
// Request (step 11, identity type IMEI), then checks it at the 5G-EIR with
// N5g-eir_EquipmentIdentityCheck_Get (step 12, TS 29.511): a permitted PEI registers, a prohibited
// one (BLACKLISTED) is rejected with 5GMM cause #6 (Illegal ME) and leaves nothing behind. Judges:
// tshark (Wireshark 4.x) reads the NAS (IMEISV request, identity type, the IMEI, cause #6) and the
// HTTP/2 exchange (path, query, JSON status) with no warning; node:http2 asks the EIR directly.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http2 from 'node:http2';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { inOrder } from '../helpers/steps.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const THIRD = 174;
const NID = '000007ed9d5';
const REALM = `nid${NID}.mnc001.mcc001.3gppnetwork.org`;
const PERMITTED = `nai-eir1@${REALM}`;
const PROHIBITED = `nai-eir2@${REALM}`;
// TAC 35609204, SNR 079302: the IMEI with its Luhn check digit 5 (TS 23.003 6.2.1, Annex B)
const PROHIBITED_IMEISV = '3560920407930201';
const EIR_ADDRESS = `127.0.${THIRD}.50`;

let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;

function onboardingUe(supi: string, imeisv: string): Ue {
  const s = DEFAULT_SUBSCRIBER;
  return new Ue({ supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst: 2 }, dnn: 'onboarding', imeisv, snpn: { nid: NID, onboarding: true } });
}

beforeAll(async () => {
  cfg = testConfig(THIRD, {
    snpn: { nid: NID, onboarding: { snssai: { sst: 2 }, dnn: 'onboarding', deregistrationTimerSeconds: 600, imeisvRequest: false } },
    eir: { address: EIR_ADDRESS, prohibited: ['imei-356092040793025'], tracking: [] },
  });
  cfg.subscribers = [{ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000001741' }, ...[PERMITTED, PROHIBITED].map((supi) => ({ ...DEFAULT_SUBSCRIBER, supi, snssais: [{ sst: 2 }], dnns: ['onboarding'] }))];
  const c = tempCapture('snpn-eir');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: THIRD, name: `test-gnb-${THIRD}`, tap: c.capture, snpn: { nid: NID, snssais: [cfg.snssai, { sst: 2 }] } });
});

afterAll(async () => {
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

async function quiet(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await core.settled();
    await new Promise((r) => setTimeout(r, 30));
  }
  for (let i = 0; i < 100 && gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`;

describe('SNPN onboarding steps 11 and 12: the PEI by Identity Request, checked at the 5G-EIR', () => {
  it('a permitted PEI: Identity Request (IMEI), the EIR check, then the Registration accept', async () => {
    const before = { ...core.ledgers(), gNB: gnb.ledger.snapshot() };
    expect(Object.keys(before)).toContain('EIR');
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    const ue = onboardingUe(PERMITTED, '3560920407930199');
    try {
      await ue.register(gnb);
    } finally {
      off();
    }
    // the PEI the AMF holds is the IMEI (TAC + SNR + spare digit 0 as the UE sends it, TS 23.003 6.2.1)
    expect(core.amf.bySupi.get(PERMITTED)?.pei).toBe('imei-356092040793010');
    inOrder(events.map(line), [
      'AMF>UE Security mode command [4.2.2.2.4 step 9-3',
      'AMF>UE Identity request [4.2.2.2.4 step 11]',
      'UE>AMF Identity response',
      'AMF>EIR N5g-eir_EquipmentIdentityCheck_Get [4.2.2.2.4 step 12]',
      'EIR>AMF',
      'AMF>UE Registration accept [4.2.2.2.4 step 21]',
    ]);
    await ue.deregister({ switchOff: true });
    await quiet();
    expect({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }).toEqual(before);
  });

  it('a prohibited PEI (BLACKLISTED): Registration reject #6 Illegal ME, nothing left behind', async () => {
    const before = { ...core.ledgers(), gNB: gnb.ledger.snapshot() };
    const ue = onboardingUe(PROHIBITED, PROHIBITED_IMEISV);
    await expect(ue.register(gnb)).rejects.toMatchObject({ fiveGmmCause: 6 });
    await quiet();
    expect(core.amf.bySupi.get(PROHIBITED)).toBeUndefined();
    expect({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }).toEqual(before);
  });

  it('the EIR asked directly (node:http2): each status, and a PEI missing or malformed is a 400 with its cause', async () => {
    const session = http2.connect(`http://${EIR_ADDRESS}:${cfg.ports.sbi}`);
    const get = (query: string) => new Promise<{ status: number; body: { status?: string; cause?: string } }>((resolve, reject) => {
      const req = session.request({ ':method': 'GET', ':path': `/n5g-eir-eic/v1/equipment-status${query}` });
      let status = 0;
      let text = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.setEncoding('utf8');
      req.on('data', (d: string) => (text += d));
      req.on('end', () => resolve({ status, body: JSON.parse(text) as { status?: string; cause?: string } }));
      req.on('error', reject);
      req.end();
    });
    try {
      expect(await get('?pei=imeisv-3560920407930299')).toEqual({ status: 200, body: { status: 'BLACKLISTED' } });
      expect(await get('?pei=imei-356092040793017&supi=imsi-001010000001741')).toEqual({ status: 200, body: { status: 'WHITELISTED' } });
      expect(await get('')).toMatchObject({ status: 400, body: { cause: 'MANDATORY_QUERY_PARAM_MISSING' } });
      expect(await get('?pei=imei-12')).toMatchObject({ status: 400, body: { cause: 'MANDATORY_QUERY_PARAM_INCORRECT' } });
    } finally {
      session.close();
    }
  });

  it.skipIf(!tsharkAvailable())('tshark reads the IMEISV request, the Identity exchange, the EIR check and the reject, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const values = (f: string) => frames.flatMap((x) => x.fields.get(f) ?? []);
    // Security mode command: IMEISV request "not requested" (TS 24.501 9.11.3.28; Wireshark files it under the EPS field)
    const smc = frames.filter((f) => f.fields.get('nas_5gs.mm.message_type')?.includes('0x5d'));
    expect(smc.length).toBeGreaterThanOrEqual(2);
    for (const f of smc) expect(f.fields.get('nas_eps.emm.imeisv_req')).toEqual(['0']);
    // Identity request for the IMEI (type 3), the Identity response's IMEI
    expect(values('nas_5gs.mm.type_id')).toEqual(expect.arrayContaining(['3']));
    expect(values('nas_5gs.mm.imei')).toEqual(expect.arrayContaining(['356092040793010']));
    // the EIR check on HTTP/2: GET /n5g-eir-eic/v1/equipment-status?pei=...&supi=... and the JSON status
    const paths = values('http2.headers.path');
    expect(paths.some((p) => p.startsWith('/n5g-eir-eic/v1/equipment-status?pei=imei-356092040793010&supi='))).toBe(true);
    expect(values('json.value.string')).toEqual(expect.arrayContaining(['WHITELISTED', 'BLACKLISTED']));
    // the Registration reject with 5GMM cause #6 (Illegal ME)
    expect(values('nas_5gs.mm.5gmm_cause')).toContain('6');
  });
});
