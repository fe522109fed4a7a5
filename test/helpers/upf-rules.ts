// Rule sets for the UPF data path (nodes/upf/rules.ts), as an SMF would install them, for the
// data path tests and the UPF benchmark.

import type { RuleSet, PdrSpec, FarSpec, UrrSpec, QerSpec } from '../../nodes/upf/rules.ts';
import { parseFlowDescription } from '../../nodes/upf/sdf.ts';
import { FarAction } from '../../nodes/upf/datapath.ts';

export const ACCESS = 0, CORE = 1;

export function pdr(id: number, p: Partial<PdrSpec> & { farId: number }): PdrSpec {
  return { id, precedence: 255, sourceInterface: ACCESS, qfis: [], sdf: [], outerHeaderRemoval: false, urrIds: [], qerIds: [], ...p };
}

export const sdf = (...flows: string[]) => flows.map((f) => parseFlowDescription(f));

export interface SimpleSession {
  ue: number;
  qfi?: number;
  /** Downlink FAR: buffer (BUFF|NOCP) until the gNB tunnel is known, or forward to it. */
  gnb?: { teid: number; address: string };
  urr?: Partial<UrrSpec>;
  qer?: Partial<QerSpec>;
}

/** wire5g's SMF's shape: uplink PDR with a chosen F-TEID and the QFI, downlink PDR by UE address, one URR. */
export function simpleSession(o: SimpleSession): RuleSet {
  const qfi = o.qfi ?? 9;
  const dl: FarSpec = o.gnb ? { id: 2, action: FarAction.FORW, destination: ACCESS, tunnel: { teid: o.gnb.teid, address: o.gnb.address, port: 2152 } } : { id: 2, action: FarAction.BUFF | FarAction.NOCP };
  return {
    pdrs: [
      pdr(1, { fteid: { choose: true }, qfis: [qfi], outerHeaderRemoval: true, farId: 1, urrIds: [1], qerIds: o.qer ? [1] : [] }),
      pdr(2, { sourceInterface: CORE, ueAddress: o.ue, farId: 2, urrIds: [1], qerIds: o.qer ? [1] : [] }),
    ],
    fars: [{ id: 1, action: FarAction.FORW, destination: CORE }, dl],
    qers: o.qer ? [{ id: 1, ulOpen: true, dlOpen: true, qfi, ...o.qer }] : [],
    urrs: [{ id: 1, method: 3, triggers: 0, ...o.urr }],
  };
}

/**
 * A session of `n` PDRs (1, 4 or 8): n/2 uplink PDRs sharing one chosen F-TEID (CHOOSE ID 1), one
 * per QFI (9, then 5, 6, 7 with an SDF filter each), and as many downlink PDRs with the same SDF
 * filters; n = 1 is the uplink PDR alone.
 */
export function multiPdrSession(ue: number, n: 1 | 4 | 8, gnb = { teid: 0x99, address: '127.0.0.100' }): RuleSet {
  const flows = ['permit out 17 from 198.51.100.0/24 5000-5999 to assigned', 'permit out 6 from 203.0.113.7 443 to assigned', 'permit out 1 from 192.0.2.0/24 to assigned'];
  const pdrs: PdrSpec[] = [pdr(1, { fteid: { choose: true, chooseId: 1 }, qfis: [9], precedence: 255, outerHeaderRemoval: true, farId: 1, urrIds: [1] })];
  if (n === 1) return { pdrs, fars: [{ id: 1, action: FarAction.FORW, destination: CORE }], qers: [], urrs: [{ id: 1, method: 3, triggers: 0 }] };
  const half = n / 2;
  const qers: QerSpec[] = [{ id: 1, ulOpen: true, dlOpen: true, qfi: 9 }];
  for (let i = 1; i < half; i++) {
    qers.push({ id: 1 + i, ulOpen: true, dlOpen: true, qfi: 4 + i });
    pdrs.push(pdr(1 + i, { fteid: { choose: true, chooseId: 1 }, qfis: [4 + i], precedence: 10 * i, sdf: sdf(flows[i - 1]), outerHeaderRemoval: true, farId: 1, urrIds: [1], qerIds: [1 + i] }));
  }
  pdrs.push(pdr(half + 1, { sourceInterface: CORE, ueAddress: ue, precedence: 255, farId: 2, urrIds: [1], qerIds: [1] }));
  for (let i = 1; i < half; i++) pdrs.push(pdr(half + 1 + i, { sourceInterface: CORE, ueAddress: ue, precedence: 10 * i, sdf: sdf(flows[i - 1]), farId: 2, urrIds: [1], qerIds: [1 + i] }));
  return {
    pdrs,
    fars: [
      { id: 1, action: FarAction.FORW, destination: CORE },
      { id: 2, action: FarAction.FORW, destination: ACCESS, tunnel: { teid: gnb.teid, address: gnb.address, port: 2152 } },
    ],
    qers,
    urrs: [{ id: 1, method: 3, triggers: 0 }],
  };
}
