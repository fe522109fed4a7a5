// Issue 23, PFCP node level for home-routed sessions (TS 29.244 6.2.2 / 6.2.6, TS 23.527): each SMF
// heartbeats its UPF on the injectable clock; a restarted UPF answers with a new Recovery Time Stamp.
//   V-UPF restarted: the V-SMF asks the H-SMF for a network-requested release (Nsmf_PDUSession_Update
//     NW_REQ_PDU_SES_REL, REL_DUE_TO_REACTIVATION); the H-SMF deletes its H-UPF session and sends the
//     Release Command (#39) back through the V-SMF to the UE; no N4 deletion goes to the V-UPF.
//   H-UPF restarted: the H-SMF releases toward the V-SMF and the UE (4.3.4.3 step 1e, #39); the V-SMF
//     deletes its V-UPF session; no N4 deletion goes to the H-UPF.
// On commit 8c1eab1 no heartbeat existed; on main before this change both SMFs only logged the loss
// and the sessions stayed, dead, everywhere. Over loopback sockets through the SEPPs (N32 TLS).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { Upf } from '../../nodes/upf/upf.ts';
import { VirtualClock } from '../../transport/clock.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { coreAndGnb } from '../helpers/network.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { inOrder } from '../helpers/steps.ts';

const SUPI = 'imsi-208930000000746';
const cfg = roamingTestConfig(246, [SUPI]);
const HEARTBEAT_MS = 5000;
const clock = new VirtualClock(1_000_000);
let core: Core;
let gnb: Gnb;
let net: ReturnType<typeof coreAndGnb>;
const upfs: Upf[] = [];

beforeAll(async () => {
  core = await startCore(cfg, { database: ':memory:', clock, pfcpHeartbeatMs: HEARTBEAT_MS });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 246, name: 'test-gnb-246' });
  net = coreAndGnb(core, gnb);
}, 60_000);
afterAll(async () => {
  await net?.stop();
  for (const u of upfs) await u.stop().catch(() => {});
});

/** Stops the UPF at `address` and starts another one there with a later Recovery Time Stamp. */
async function restartUpf(old: Upf, address: string, seconds: number): Promise<void> {
  await old.stop();
  upfs.push(await Upf.start({ address, pfcpPort: cfg.ports.pfcp, gtpuPort: cfg.ports.gtpu, clock, recoveryTimeStamp: P.ntpSeconds(Date.now() / 1000) + seconds }));
}

async function heartbeatsUntil(done: () => boolean): Promise<string[]> {
  const steps: string[] = [];
  const off = subscribeTrace((e) => steps.push(`${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`));
  try {
    await clock.advanceAsync(HEARTBEAT_MS, 1000);
    for (let i = 0; i < 60 && !done(); i++) await net.quiet();
    await net.quiet();
  } finally {
    off();
  }
  return steps;
}

describe('a UPF restart releases home-routed sessions across N16 (issue 23)', () => {
  it('V-UPF restarted: V-SMF -> H-SMF network-requested release; H-UPF restarted: H-SMF -> V-SMF release (#39 both)', async () => {
    const u = new Ue({ supi: SUPI, k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: DEFAULT_SUBSCRIBER.sqn, plmn: cfg.plmn, homePlmn: cfg.roaming.home.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });
    await u.register(gnb);
    await net.quiet();
    const registered = core.ledgers();
    const hr = () => [...core.smf.contexts.values(), ...core.home!.smf.contexts.values()].filter((c) => c.state !== 'released').length;

    // the V-UPF restarts
    await u.establishPduSession(1);
    await net.quiet();
    expect(hr()).toBe(2);
    await restartUpf(core.upf, cfg.addresses.upf, 60);
    const v = await heartbeatsUntil(() => hr() === 0 && u.sessions.size === 0);
    inOrder(v, [
      'SMF>H-SMF Nsmf_PDUSession_Update [TS 23.527 V-UPF restart, 4.3.4.3 step 1f]',
      'H-SMF>H-UPF Session Deletion Request',
      'H-SMF>SMF Nsmf_PDUSession_Update [4.3.4.3 step 3a]',
      'SMF>AMF Namf_Communication_N1N2MessageTransfer',
      'UE>AMF UL NAS transport (PDU session release complete)',
      'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]',
    ]);
    expect(v.filter((s) => s.startsWith('SMF>UPF Session Deletion Request'))).toEqual([]);
    expect(u.sessions.size).toBe(0);

    // a new session goes through the restarted V-UPF; then the H-UPF restarts
    await u.establishPduSession(1);
    await net.quiet();
    expect(hr()).toBe(2);
    await restartUpf(core.home!.upf, cfg.roaming.home.addresses.upf, 120);
    const h = await heartbeatsUntil(() => hr() === 0 && u.sessions.size === 0);
    inOrder(h, [
      'H-SMF>SMF Nsmf_PDUSession_Update [4.3.4.3 step 3a]',
      'SMF>AMF Namf_Communication_N1N2MessageTransfer',
      'UE>AMF UL NAS transport (PDU session release complete)',
      'SMF>UPF Session Deletion Request',
      'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]',
    ]);
    expect(h.filter((s) => s.startsWith('H-SMF>H-UPF Session Deletion Request') || s.startsWith('H-SMF>H-UPF Session Modification Request'))).toEqual([]);
    expect(u.sessions.size).toBe(0);
    expect(u.received.filter((m) => m === 'PDU session release command')).toHaveLength(2);
    const now = core.ledgers();
    for (const nf of ['SMF', 'H-SMF', 'AMF', 'H-PCF', 'H-UDM']) expect(now[nf], nf).toEqual(registered[nf]);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
  }, 90_000);
});
