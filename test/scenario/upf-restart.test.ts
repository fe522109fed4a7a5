// Issue 23: PFCP node level. The SMF sends PFCP Heartbeat Requests to its UPF on the injectable
// clock (TS 29.244 7.4.2, CoreOptions.pfcpHeartbeatMs); a UPF restarted in the test answers with a
// new Recovery Time Stamp (TS 29.244 6.2.2), the SMF sets the association up again (6.2.6) and
// releases the PDU session the UPF lost toward the UE and the AMF (network-requested release,
// TS 23.502 4.3.4.2, 5GSM #39 reactivation requested), with its SM policy and UDM registration;
// then a new session is set up through the restarted UPF. On commit 8c1eab1 no heartbeat was
// sent, and after a UPF restart every session setup was refused until the SMF restarted.
// Over loopback sockets. The PFCP datagrams are decoded here by codecs/pfcp, which is not what
// wrote the heartbeats (the transport's endpoint builds them); no tshark check of these frames.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { Upf } from '../../nodes/upf/upf.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { RecordingTap } from '../../transport/tap.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { testConfig, coreAndGnb } from '../helpers/network.ts';

const SUPI = 'imsi-001010000000721';
const cfg = testConfig(208);
const HEARTBEAT_MS = 5000;
const clock = new VirtualClock(1_000_000);
const tap = new RecordingTap();
const lines: string[] = [];
let core: Core;
let gnb: Gnb;
let restarted: Upf | undefined;
let net: ReturnType<typeof coreAndGnb>;

beforeAll(async () => {
  core = await startCore({ ...cfg, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI }] }, { database: ':memory:', clock, tap, pfcpHeartbeatMs: HEARTBEAT_MS, log: (l) => lines.push(l) });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 193, name: 'test-gnb-193' });
  net = coreAndGnb(core, gnb);
});
afterAll(async () => {
  await net?.stop();
});

/**
 * The PFCP messages the SMF and the UPF exchanged, decoded, with the Recovery Time Stamp they
 * carry; once each (both endpoints report a datagram to the shared tap, sent and received).
 */
function pfcp(): { from: string; type: number; recovery?: number }[] {
  const seen = new Set<string>();
  return tap.events.filter((e) => {
    if (e.kind !== 'udp' || e.dst.port !== cfg.ports.pfcp || e.src.port !== cfg.ports.pfcp) return false;
    const key = `${e.src.address}|${Buffer.from(e.payload).toString('hex')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).map((e) => {
    const m = P.decodePfcp((e as { payload: Uint8Array }).payload);
    const recovery = P.get(m.ies, P.PfcpIeType.RecoveryTimeStamp);
    return { from: e.src.address, type: m.type, ...(recovery !== undefined ? { recovery } : {}) };
  });
}

describe('PFCP heartbeat and a UPF restart (issue 23)', () => {
  it('heartbeats on the clock; a restarted UPF is detected by its Recovery Time Stamp, the lost session released to the UE, a new one set up', async () => {
    const u = new Ue({ supi: SUPI, k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: DEFAULT_SUBSCRIBER.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });
    await u.register(gnb);
    await net.quiet();
    const registered = core.ledgers();
    await u.establishPduSession(1);
    await net.quiet();
    const smf = cfg.addresses.smf, upf = cfg.addresses.upf;
    expect(pfcp().filter((m) => m.type === P.PfcpMessageType.HeartbeatRequest)).toEqual([]);

    // one period: the SMF's Heartbeat Request, the UPF's Response with the same Recovery Time Stamp as its Association Setup Response
    await clock.advanceAsync(HEARTBEAT_MS, 1000);
    await net.quiet();
    const first = pfcp();
    const association = first.find((m) => m.type === P.PfcpMessageType.AssociationSetupResponse)!;
    expect(first.filter((m) => m.type === P.PfcpMessageType.HeartbeatRequest).map((m) => m.from)).toEqual([smf]);
    expect(first.filter((m) => m.type === P.PfcpMessageType.HeartbeatResponse)).toEqual([{ from: upf, type: P.PfcpMessageType.HeartbeatResponse, recovery: association.recovery }]);
    expect(u.sessions.size).toBe(1);

    // the UPF restarts: same address, no sessions, a new Recovery Time Stamp
    await core.upf.stop();
    const recovery = association.recovery! + 60;
    restarted = await Upf.start({ address: upf, pfcpPort: cfg.ports.pfcp, gtpuPort: cfg.ports.gtpu, clock, tap, recoveryTimeStamp: recovery });
    const handle = core.nfs.get('upf')!;
    core.nfs.set('upf', { ...handle, ledger: restarted.ledger, stop: () => restarted!.stop() });
    await clock.advanceAsync(HEARTBEAT_MS, 1000);
    for (let i = 0; i < 40 && (u.sessions.size > 0 || core.smf.contexts.size > 0); i++) await net.quiet();
    const after = pfcp().slice(first.length);
    expect(after.find((m) => m.type === P.PfcpMessageType.HeartbeatResponse)?.recovery).toBe(recovery);
    // TS 29.244 6.2.6: the association set up again, and no deletion sent for a session the UPF no longer has
    expect(after.filter((m) => m.type === P.PfcpMessageType.AssociationSetupRequest).map((m) => m.from)).toEqual([smf]);
    expect(after.some((m) => m.type === P.PfcpMessageType.SessionDeletionRequest)).toBe(false);
    expect(lines.some((l) => l.includes('the UPF restarted'))).toBe(true);
    // the UE was told (PDU SESSION RELEASE COMMAND, #39) and the core holds nothing of the session
    expect(u.received).toContain('PDU session release command');
    expect(u.sessions.size).toBe(0);
    expect(core.smf.contexts.size).toBe(0);
    expect(core.amf.bySupi.get(SUPI)?.sessions.size).toBe(0);
    const now = core.ledgers();
    for (const nf of ['SMF', 'PCF', 'UDM', 'AMF']) expect(now[nf], nf).toEqual(registered[nf]);

    // a new session goes through the restarted UPF
    await u.establishPduSession(1);
    expect(await u.ping(cfg.dataNetwork, 1, { psi: 1 })).toBeGreaterThanOrEqual(0);
    expect(restarted.ledger.snapshot()).not.toEqual({});
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
  }, 60_000);
});
