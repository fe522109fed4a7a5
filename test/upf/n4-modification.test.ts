// Session Modification (TS 29.244 7.5.4): Create, Update and Remove of each rule type applied to
// the data path, with the Usage Reports of removed and queried URRs in the response (7.5.5.2).
// The requests are decoded and the responses encoded by codecs/pfcp; no sockets.

import { describe, it, expect } from 'vitest';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M, ApplyAction as A, Interface as I } from '../../codecs/pfcp/index.ts';
import { UpfDatapath, DatapathVerdict, type TunnelPeer } from '../../nodes/upf/datapath.ts';
import { establish, modify, type N4Context } from '../../nodes/upf/n4.ts';
import { encodeGtpu, gPdu } from '../../codecs/gtpu/index.ts';
import { ping } from '../helpers/n4-rig.ts';

const g = P.grouped;
const gnb: TunnelPeer = { address: '127.0.0.100', port: 2152 };

function context() {
  const n6: Uint8Array[] = [];
  const datapath = new UpfDatapath({ capacity: 100, now: () => 1000 }, { toN6: (b, s, e) => n6.push(b.slice(s, e)), toN3: () => {}, errorIndication: () => {} });
  const ctx: N4Context = { datapath, nodeId: { type: 'ipv4', value: '127.0.0.7' }, n3Address: '127.0.0.7', applications: new Map(), sessions: new Map(), ntp: (t) => t };
  return { ctx, n6 };
}

const roundTrip = (m: P.PfcpMessage) => P.decodePfcp(P.encodePfcp(m));
const rsp = (bytes: Uint8Array) => P.decodePfcp(bytes);

describe('N4 Session Modification: Create, Update and Remove of each rule', () => {
  it('applies every kind of change, reports removed and queried URRs, and refuses a bad one whole', () => {
    const { ctx, n6 } = context();
    const est = rsp(establish(ctx, roundTrip({
      type: M.SessionEstablishmentRequest, seid: 0n, sequenceNumber: 1,
      ies: [
        P.ie(T.NodeID, { type: 'ipv4', value: '127.0.0.4' }),
        P.ie(T.FSEID, { seid: 7n, ipv4: '127.0.0.4' }),
        g(T.CreatePDR, [P.ie(T.PDRID, 1), P.ie(T.Precedence, 200), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: false, chooseId: 1 } }), P.ie(T.QFI, 9)]), P.ie(T.FARID, 1), P.ie(T.URRID, 1), P.ie(T.QERID, 1)]),
        g(T.CreateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.Core)])]),
        g(T.CreateURR, [P.ie(T.URRID, 1), P.ie(T.MeasurementMethod, 2), P.ie(T.ReportingTriggers, { value: 0, octets: 2 })]),
        g(T.CreateQER, [P.ie(T.QERID, 1), P.ie(T.GateStatus, { ul: 0, dl: 0 })]),
      ],
    }), gnb, true).response);
    expect(P.get(est.ies, T.Cause)).toBe(1);
    const seid = P.get(est.ies, T.FSEID)!.seid;
    const teid = P.get(P.group(est.ies, T.CreatedPDR)!, T.FTEID)!.teid!;
    const send = (qfi: number) => {
      const b = encodeGtpu(gPdu(teid, ping('10.45.0.2', '192.0.2.1', 1), { pduType: 1, qfi }));
      return ctx.datapath.uplink(b, 0, b.length, gnb);
    };
    expect(send(9)).toBe(DatapathVerdict.FORWARDED);
    const mod = (seq: number, ies: P.PfcpIe[]) => rsp(modify(ctx, roundTrip({ type: M.SessionModificationRequest, seid, sequenceNumber: seq, ies })).response);

    // Create PDR 2 on the same CHOOSE ID for QFI 5 with its own URR 2 and QER 2; Update QER 1: uplink gate closed
    let r = mod(2, [
      g(T.CreatePDR, [P.ie(T.PDRID, 2), P.ie(T.Precedence, 100), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: false, chooseId: 1 } }), P.ie(T.QFI, 5)]), P.ie(T.FARID, 1), P.ie(T.URRID, 2), P.ie(T.QERID, 2)]),
      g(T.CreateURR, [P.ie(T.URRID, 2), P.ie(T.MeasurementMethod, 2), P.ie(T.ReportingTriggers, { value: 0, octets: 2 })]),
      g(T.CreateQER, [P.ie(T.QERID, 2), P.ie(T.GateStatus, { ul: 0, dl: 0 })]),
      g(T.UpdateQER, [P.ie(T.QERID, 1), P.ie(T.GateStatus, { ul: 1, dl: 0 })]),
    ]);
    expect(P.get(r.ies, T.Cause)).toBe(1);
    expect(P.groups(r.ies, T.CreatedPDR).map((c) => [P.get(c, T.PDRID), P.get(c, T.FTEID)!.teid])).toEqual([[2, teid]]);
    expect(send(9)).toBe(DatapathVerdict.DROPPED_BY_QER);
    expect(send(5)).toBe(DatapathVerdict.FORWARDED);

    // Update PDR 2 to QFI 6; Update FAR 1 to DROP; Query URR 2
    r = mod(3, [g(T.UpdatePDR, [P.ie(T.PDRID, 2), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: false, chooseId: 1 } }), P.ie(T.QFI, 6)])]), g(T.UpdateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.DROP, octets: 2 })]), g(T.QueryURR, [P.ie(T.URRID, 2)])]);
    expect(P.get(r.ies, T.Cause)).toBe(1);
    const queried = P.group(r.ies, T.UsageReportSMR)!;
    expect([P.get(queried, T.URRID), P.get(queried, T.UsageReportTrigger)!.value, Number(P.get(queried, T.VolumeMeasurement)!.uplinkPackets)]).toEqual([2, P.UsageReportTrigger.IMMER, 1]);
    expect(send(5)).toBe(DatapathVerdict.NO_MATCHING_PDR);
    expect(send(6)).toBe(DatapathVerdict.DROPPED_BY_FAR);

    // Remove PDR 2, URR 2 (its final report comes back), QER 2; Update FAR 1 back to FORW; Create and Remove a BAR
    r = mod(4, [g(T.RemovePDR, [P.ie(T.PDRID, 2)]), g(T.RemoveURR, [P.ie(T.URRID, 2)]), g(T.RemoveQER, [P.ie(T.QERID, 2)]), g(T.UpdateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 })]), g(T.UpdateQER, [P.ie(T.QERID, 1), P.ie(T.GateStatus, { ul: 0, dl: 0 })]), g(T.CreateBAR, [P.ie(T.BARID, 3)])]);
    expect(P.get(r.ies, T.Cause)).toBe(1);
    expect(P.get(P.group(r.ies, T.UsageReportSMR)!, T.UsageReportTrigger)!.value).toBe(P.UsageReportTrigger.TERMR);
    expect(ctx.datapath.rulesOf(Number(seid))).toMatchObject({ pdrs: [{ id: 1 }], urrs: [{ id: 1 }], qers: [{ id: 1 }], bar: { id: 3 } });
    expect(send(6)).toBe(DatapathVerdict.NO_MATCHING_PDR);
    expect(send(9)).toBe(DatapathVerdict.FORWARDED);
    expect(P.get(mod(5, [g(T.UpdateBARSessionModificationRequest, [P.ie(T.BARID, 3), P.ie(T.SuggestedBufferingPacketsCount, 4)])]).ies, T.Cause)).toBe(1);
    expect(ctx.datapath.rulesOf(Number(seid))!.bar).toEqual({ id: 3, suggestedPacketCount: 4 });
    expect(P.get(mod(6, [g(T.RemoveBAR, [P.ie(T.BARID, 3)])]).ies, T.Cause)).toBe(1);
    expect(ctx.datapath.rulesOf(Number(seid))!.bar).toBeUndefined();

    // a FAR still used by PDR 1 cannot go: refused whole (cause 73, Failed Rule ID of the PDR), nothing changed
    r = mod(7, [g(T.RemoveFAR, [P.ie(T.FARID, 1)]), g(T.RemoveURR, [P.ie(T.URRID, 1)])]);
    expect([P.get(r.ies, T.Cause), P.get(r.ies, T.FailedRuleID)]).toEqual([73, { ruleType: P.RuleIdType.PDR, id: 1 }]);
    expect(ctx.datapath.rulesOf(Number(seid))!.urrs).toHaveLength(1);
    expect(send(9)).toBe(DatapathVerdict.FORWARDED);
    expect(n6).toHaveLength(4);
  });
});
