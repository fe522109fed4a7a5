// TS 23.502 4.3.4.3 step 1c, "the variant without N1/N2 signalling when a network slice is no longer
// available for the UE", with a roaming UE that stays registered (issue 17): the visited AMF serves
// two S-NSSAIs (config `amfs[0].snssais`), the gNB broadcasts both, the home subscriber has both
// and the UE requests both (its Requested NSSAI); it has one home-routed PDU session on each. The
// home UDR then drops S-NSSAI 2 from the subscription (`ctl udm update --sst 1`), the home UDM
// notifies the AMF through the SEPPs, and only the session on S-NSSAI 2 goes: ReleaseSMContext
// (REL_DUE_TO_SLICE_NOT_AVAILABLE) -> V-SMF: V-UPF uplink stopped, Nsmf_PDUSession_Release at the
// H-SMF (steps 2 and 6 before its answer, 3b), no NAS SM message nor N2 release; then the UE
// Configuration Update (TS 23.502 4.2.4.2) gives the UE its new Allowed NSSAI. The UE stays
// registered, its session on S-NSSAI 1 still carries pings over N9; every ledger of both PLMNs is
// back at its start when the network stops. tshark reads the CONFIGURATION UPDATE COMMAND.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { inOrder } from '../helpers/steps.ts';
import { dissect, tsharkAvailable, problems } from '../helpers/tshark.ts';

const SUPI = 'imsi-208930000000501';
const cfg = roamingTestConfig(226, [SUPI]);
cfg.amfs = [{ snssais: [{ sst: 1 }, { sst: 2 }] }];
cfg.roaming.home.subscribers = cfg.roaming.home.subscribers.map((s) => ({ ...s, snssais: [{ sst: 1 }, { sst: 2 }] }));
const out = mkdtempSync(join(tmpdir(), 'wire5g-slice-gone-'));
let net: LiveNetwork;

beforeAll(async () => {
  net = await LiveNetwork.start(cfg, { outDir: out, database: ':memory:' });
  net.add(SUPI);
  await net.register(SUPI);
  await net.establishPduSession(SUPI, { psi: 1 });
  await net.establishPduSession(SUPI, { psi: 2, snssai: { sst: 2 } });
}, 60_000);

afterAll(async () => {
  await net?.stop();
});

describe('a slice no longer available for a roaming UE that stays registered (TS 23.502 4.3.4.3 step 1c, 4.2.4.2)', () => {
  it('the UE is registered on both S-NSSAIs with a home-routed session on each, pings over N9 on both', async () => {
    expect(net.ueOf(SUPI).registration?.allowedNssai).toEqual([{ sst: 1 }, { sst: 2 }]);
    for (const psi of [1, 2]) expect((await net.ping(SUPI, { psi, count: 1 })).rttsMs).toHaveLength(1);
  });

  it('S-NSSAI 2 leaves the subscription: only its session is released, without N1/N2 SM signalling; the UE gets the new Allowed NSSAI and keeps S-NSSAI 1', async () => {
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    let r;
    try {
      r = await net.udmUpdateSnssai(SUPI, { sst: 1 });
      await net.settle();
    } finally {
      off();
    }
    expect(r).toEqual({ notified: 1, deregistered: false });
    const l = events.map((e) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
    inOrder(l, ['H-UDM>AMF Nudm_SDM_Notification', 'AMF>SMF Nsmf_PDUSession_ReleaseSMContext [4.3.4.2 step 1c (slice no longer available)]', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)', 'SMF>UPF Session Deletion Request', 'SMF>AMF 204 (Nsmf_PDUSession_ReleaseSMContext)', 'AMF>UE Configuration update command [4.2.4.2 step 1]', 'UE>AMF Configuration update complete']);
    // one session released (one ReleaseSMContext), no NAS SM message, no N2 release, no de-registration
    expect(l.filter((x) => x.includes('Nsmf_PDUSession_ReleaseSMContext [')).length).toBe(1);
    expect(l.filter((x) => /PDU session release (command|complete)|PDUSessionResourceRelease|Deregistration request/.test(x))).toEqual([]);
    const amfUe = net.core!.amf.bySupi.get(SUPI)!;
    expect(amfUe.state).toBe('5GMM-REGISTERED');
    expect([...amfUe.sessions.keys()]).toEqual([1]);
    expect(amfUe.allowedNssai).toEqual([{ sst: 1 }]);
    expect(net.ueOf(SUPI).registration?.allowedNssai).toEqual([{ sst: 1 }]);
    // the session on S-NSSAI 1 still carries traffic over N9
    expect((await net.ping(SUPI, { psi: 1, count: 2 })).rttsMs).toHaveLength(2);
    // the home and visited SMFs and UPFs hold one session each
    const ledgers = net.ledgers();
    expect(ledgers['H-SMF']['SM contexts']).toBe(1);
    expect(ledgers.SMF['SM contexts']).toBe(1);
  });

  it('stops with every ledger of both PLMNs back at its start; tshark reads the Configuration update command (Allowed NSSAI 1, S-NSSAI 2 rejected)', async () => {
    const r = await net.stop();
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    if (!tsharkAvailable()) return;
    const frames = dissect(join(out, 'run.pcapng'), { prefs: ['nas-5gs.null_decipher:TRUE'], filter: 'ngap' });
    expect(problems(frames)).toEqual([]);
    const cuc = frames.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x54'));
    expect(cuc).toHaveLength(1);
    const f = cuc[0];
    // TS 24.501 9.11.3.37 Allowed NSSAI (SST 1), 9.11.3.46 Rejected NSSAI (SST 2, cause 0), 9.11.3.18 ACK requested
    expect(f.fields.get('nas_5gs.mm.sst')).toEqual(['1', '2']);
    expect(f.fields.get('nas_5gs.mm.rej_s_nssai.cause')).toEqual(['0']);
    expect(f.fields.get('nas_5gs.mm.conf_upd_ind.ack')).toEqual(['1']);
  }, 30_000);
});
