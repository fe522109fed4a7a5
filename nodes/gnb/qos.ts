// What the NG-RAN keeps of the QoS the core gives it (TS 38.413): the UE-AMBR (9.3.1.58, stored at
// PDU Session Resource Setup 8.2.1.2, Initial Context Setup 8.3.1.2 and UE Context Modification
// 8.3.4.2), a PDU session's Aggregate Maximum Bit Rate (9.3.1.102, stored at setup and at PDU
// Session Resource Modify 8.2.3.2) and each QoS flow's 5QI (9.3.1.12, 9.3.1.18). wire5g's gNB has no
// radio scheduler to enforce them: it stores them, as the clauses say, and the tests read them.

import type { GnbUeContext, GnbPduSession } from './context.ts';

/** TS 38.413 9.3.1.58 UE Aggregate Maximum Bit Rate of a message's IEs, stored on the UE context. */
export function storeUeAmbr(ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const a = ies.get('UEAggregateMaximumBitRate') as { uEAggregateMaximumBitRateDL: number; uEAggregateMaximumBitRateUL: number } | undefined;
  if (a) ctx.ueAmbr = { uplinkBps: Number(a.uEAggregateMaximumBitRateUL), downlinkBps: Number(a.uEAggregateMaximumBitRateDL) };
}

/** TS 38.413 9.3.1.102 PDU Session Aggregate Maximum Bit Rate of a transfer's IEs, stored on the session. */
export function storeSessionAmbr(session: GnbPduSession, tie: Map<string, unknown>): void {
  const a = tie.get('PDUSessionAggregateMaximumBitRate') as { pDUSessionAggregateMaximumBitRateDL: number; pDUSessionAggregateMaximumBitRateUL: number } | undefined;
  if (a) session.ambr = { uplinkBps: Number(a.pDUSessionAggregateMaximumBitRateUL), downlinkBps: Number(a.pDUSessionAggregateMaximumBitRateDL) };
}

/** A QoS flow of a setup or modify list (TS 38.413 9.3.4.1 QosFlowSetupRequestItem, 9.3.4.3 QosFlowAddOrModifyRequestItem). */
export interface QosFlowItem {
  qosFlowIdentifier: number;
  qosFlowLevelQosParameters?: { qosCharacteristics?: { nonDynamic5QI?: { fiveQI: number }; dynamic5QI?: { fiveQI?: number } } };
}

/** Each flow's 5QI (non-dynamic, or a dynamic one's 5QI when given), stored on the session by QFI. */
export function storeFiveQis(session: GnbPduSession, flows: readonly QosFlowItem[]): void {
  for (const f of flows) {
    const c = f.qosFlowLevelQosParameters?.qosCharacteristics;
    const fiveQi = c?.nonDynamic5QI?.fiveQI ?? c?.dynamic5QI?.fiveQI;
    if (fiveQi === undefined) continue;
    (session.fiveQis ??= new Map()).set(f.qosFlowIdentifier, fiveQi);
  }
}
