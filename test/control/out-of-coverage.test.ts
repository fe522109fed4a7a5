// A UE out of coverage and the AMF's timers (TS 24.501 5.3.7, 5.6.2.2.1) through the control plane:
// `ctl ue <supi> out-of-coverage`, the scenario steps an-release / out-of-coverage / await-implicit
// and the scenario key `timers`. One short scenario: UE 1 (one PDU session) goes out of coverage
// and is deregistered implicitly; UE 2 goes CM-IDLE by AN release and is deregistered by the AMF
// after answering paging; UE 3 goes out of coverage and the AMF's de-registration pages it in
// vain (T3513) and deregisters it locally. Our own trace judges the order of the messages here;
// tshark judges the same kinds of message in test/scenario/network-deregistration-capture.test.ts.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { outOfCoverageOn } from '../../nodes/control/coverage-commands.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import '../../nodes/control/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { T3513_RETRANSMISSIONS } from '../../nodes/amf/gmm.ts';

const SCENARIO = `
description: out of coverage, CM-IDLE paged, paging unanswered
ues: 3
timers:
  mobile-reachable: 0.4
  implicit-deregistration: 0.4
  t3513: 0.2
steps:
  - register: all
  - pdu-establish: 1
  - out-of-coverage: 1
  - await-implicit: 1
    seconds: 5
  - an-release: "2-2"
  - amf-deregister: "2-2"
  - out-of-coverage: "3-3"
  - amf-deregister: "3-3"
`;

describe('out of coverage and the AMF timers (TS 24.501 5.3.7)', () => {
  it('the scenario keys parse and are refused when wrong', () => {
    const s = parseScenario(SCENARIO, 'cov.yaml');
    expect(s.amfTimers).toEqual({ mobileReachableMs: 400, implicitDeregistrationMs: 400, t3513Ms: 200 });
    expect(s.steps.map((x) => x.action)).toEqual(['register', 'pdu-establish', 'out-of-coverage', 'await-implicit', 'an-release', 'amf-deregister', 'out-of-coverage', 'amf-deregister']);
    expect(s.steps[3]).toMatchObject({ seconds: 5 });
    expect(() => parseScenario('description: x\ntimers:\n  t3510: 1\nsteps:\n  - register: all\n', 'bad.yaml')).toThrow(/timers\.t3510: unknown timer/);
    expect(() => parseScenario('description: x\ntimers:\n  t3513: -1\nsteps:\n  - register: all\n', 'bad.yaml')).toThrow(/timers\.t3513: expected a positive number/);
    expect(() => parseScenario('description: x\nsteps:\n  - out-of-coverage: all\n    psi: 1\n', 'bad.yaml')).toThrow(/unknown option for out-of-coverage/);
    expect(checkCommandArgs(findCommand('ue out-of-coverage')!, { supi: 'imsi-001010000000001' }, {})).toMatchObject({ supi: 'imsi-001010000000001' });
  });

  it('implicit de-registration of a UE out of coverage, paging answered from CM-IDLE, paging unanswered (T3513): every ledger back', async () => {
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    let r;
    try {
      r = await runScenarioFile(testConfig(190), parseScenario(SCENARIO, 'cov.yaml'), { outDir: mkdtempSync(join(tmpdir(), 'wire5g-cov-')), database: ':memory:', capture: false });
    } finally {
      off();
    }
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    const [ue1, ue2, ue3] = r.ues.map((u) => u.supi);
    // the steps after the establishment run one at a time: a message that names no UE (the gNB's,
    // the SBI's) belongs to the UE of the last one that did
    const owner: (string | undefined)[] = [];
    for (const e of events) owner.push(e.ue?.startsWith('imsi-') ? e.ue : owner.at(-1));
    const of = (supi: string) => events.filter((_e, i) => owner[i] === supi).map((e) => `${e.message} [${e.step ?? ''}]`);
    // UE 1: radio link lost, then no NAS at all: the SMF, PCF and UDM released by the timers
    inOrder(of(ue1), ['UEContextReleaseRequest', 'UEContextReleaseComplete', 'Nsmf_PDUSession_ReleaseSMContext [4.2.2.3.3 step 4]', 'Nudm_UECM_Deregistration [4.2.2.3.3 step 7]']);
    expect(of(ue1).filter((m) => m.startsWith('Deregistration request'))).toEqual([]);
    // UE 2: paged, Service Request, then the Deregistration Request
    inOrder(of(ue2), ['Paging [4.2.3.3 step 4b]', 'Service request', 'Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'Deregistration accept (UE terminated)', 'Nudm_UECM_Deregistration [4.2.2.3.3 step 7]']);
    // UE 3: paged, T3513 expiring after each (TS 24.501 5.6.2.2.1), no NAS, local de-registration
    expect(of(ue3).filter((m) => m.startsWith('Paging'))).toHaveLength(1 + T3513_RETRANSMISSIONS);
    expect(of(ue3).filter((m) => m.startsWith('Deregistration request') || m.startsWith('Service request'))).toEqual([]);
    inOrder(of(ue3), [`Paging [4.2.3.3 step 4b (T3513 retransmission ${T3513_RETRANSMISSIONS}, TS 24.501 5.6.2.2.1)]`, 'Npcf_AMPolicyControl_Delete [4.2.2.3.3 step 5]', 'Nudm_UECM_Deregistration [4.2.2.3.3 step 7]']);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    expect(names.filter((n) => n.startsWith('Implicit Deregistration'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('UE out of coverage'))).toHaveLength(2);
  }, 60_000);

  it('a UE out of coverage is refused what needs the radio, and refused twice', async () => {
    const cfg = testConfig(191);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-cov-ctl-')), database: ':memory:', capture: false, amfTimers: { t3513Ms: 100 } });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      expect(await outOfCoverageOn(net, supi)).toEqual({ cmState: 'CM-IDLE', registeredAtAmf: true });
      await expect(outOfCoverageOn(net, supi)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already out of coverage/) });
      await expect(net.establishPduSession(supi)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/out of coverage/) });
      await expect(net.deregister(supi, { switchOff: true })).rejects.toMatchObject({ status: 409 });
      expect((await net.amfDeregister(supi, { reRegistrationRequired: false })).outcome).toBe('unreachable');
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 30_000);
});
