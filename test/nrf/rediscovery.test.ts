// Re-discovery on NF status notifications (TS 29.510 5.2.2.5; TS 23.502 4.17.7, 4.17.4) over real
// sockets: with nrf.discovery on, the AMF found its PCF at the NRF and subscribed to the status of
// the PCFs (NFStatusSubscribe, nfType PCF). A second PCF registers; the first one's profile is
// deregistered at the NRF (NFDeregister, sent here over node:http2, not by wire5g's client), the NRF
// notifies NF_DEREGISTERED, and the AMF asks the NRF again: the next UE's AM and UE policy
// associations are made at the second PCF.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect } from 'node:http2';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, startNf, sbiUri, type Core, type NfHandle } from '../../nodes/core.ts';
import { nfInstanceId } from '../../nodes/common/nf-instance.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';

const THIRD = 199;
const a = (n: number) => `127.0.${THIRD}.${n}`;
const SUPI = 'imsi-001010000198001';
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let pcf2: NfHandle;

beforeAll(async () => {
  const base = testConfig(THIRD);
  cfg = { ...base, nrf: { ...base.nrf, discovery: true }, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI }] };
  core = await startCore(cfg, { database: ':memory:' });
  pcf2 = await startNf('pcf', { ...cfg, addresses: { ...cfg.addresses, pcf: a(23) } }, { database: ':memory:' });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: THIRD, name: `test-gnb-${THIRD}` });
});
afterAll(async () => {
  await gnb?.stop();
  await pcf2?.stop();
  await core?.stop();
});

/** NFDeregister of an instance at the NRF, over node:http2. */
function deregisterAtNrf(id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(sbiUri(cfg, 'nrf'));
    s.on('error', reject);
    const r = s.request({ ':method': 'DELETE', ':path': `/nnrf-nfm/v1/nf-instances/${id}` });
    r.on('response', (h) => {
      resolve(Number(h[':status']));
      s.close();
    });
    r.resume();
    r.end();
  });
}

describe('re-discovery after NFStatusNotify (TS 29.510 5.2.2.5, TS 23.502 4.17.4)', () => {
  it('the first PCF deregisters: the AMF is notified, asks the NRF again and makes its policy associations at the second PCF', async () => {
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      expect(await deregisterAtNrf(nfInstanceId('PCF', cfg.addresses.pcf))).toBe(204);
      await core.settled();
      for (let i = 0; i < 100 && !events.some((e) => e.message.includes('NFDiscovery') && e.from === 'AMF' && e.step?.includes('re-discovery')); i++) await new Promise((r) => setTimeout(r, 20));
      await core.settled();
      const ue = new Ue({ supi: SUPI, k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: DEFAULT_SUBSCRIBER.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });
      await ue.register(gnb);
      await core.settled();
      expect(pcf2.ledger.snapshot()['AM policy associations']).toBe(1);
      expect(core.ledgers().PCF['AM policy associations']).toBe(0);
      const notified = events.findIndex((e) => e.message.includes('NFStatusNotify') && e.to === 'AMF');
      const again = events.findIndex((e, i) => i > notified && e.from === 'AMF' && e.to === 'NRF' && e.step?.includes('re-discovery'));
      expect(notified).toBeGreaterThanOrEqual(0);
      expect(again).toBeGreaterThan(notified);
      await ue.deregister({ switchOff: true });
      for (let i = 0; i < 100 && pcf2.ledger.snapshot()['AM policy associations'] !== 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(pcf2.ledger.snapshot()['AM policy associations']).toBe(0);
    } finally {
      off();
    }
  });
});
