// The QoS of a PDU session, as TS 23.502 4.3.2.2.1 decides it: the subscribed default QoS and
// Session-AMBR come from the UDM's SM subscription data (step 4, TS 29.503 DnnConfiguration),
// go to the PCF in the SM policy request (step 7b, TS 29.512 SmPolicyContextData subsDefQos and
// subsSessAmbr), and what the PCF authorizes in its SmPolicyDecision (session rule authDefQos and
// authSessAmbr, TS 29.512 5.6.2.4/5.6.2.7) is what the SMF puts into NAS, NGAP and PFCP. The QFI
// of the default QoS flow is the SMF's to allocate (TS 23.501 5.7.1.1): the first free in the session.

import { SbiProblem } from '../common/sbi.ts';

/** TS 29.571 Arp. */
export interface Arp {
  priorityLevel: number;
  preemptCap: 'NOT_PREEMPT' | 'MAY_PREEMPT';
  preemptVuln: 'NOT_PREEMPTABLE' | 'PREEMPTABLE';
}

/** TS 29.571 SubscribedDefaultQos. */
export interface SubscribedDefaultQos {
  '5qi': number;
  arp: Arp;
  priorityLevel?: number;
}

/** TS 29.571 Ambr (BitRate strings). */
export interface Ambr {
  uplink: string;
  downlink: string;
}

/** The session's QoS as the SMF signals it. */
export interface SessionQos {
  /** QFI of the default QoS flow (TS 23.501 5.7.1.1). */
  qfi: number;
  fiveQi: number;
  arp: Arp;
  ambrUplinkBps: number;
  ambrDownlinkBps: number;
}

const UNITS: Record<string, number> = { bps: 1, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };

/** TS 29.571 BitRate ('100 Mbps') in bits per second; a malformed one is the peer's error. */
export function bitRateBps(v: unknown, what: string): number {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?) (bps|Kbps|Mbps|Gbps|Tbps)$/.exec(v) : null;
  if (!m) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `${what}: not a TS 29.571 BitRate: ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * UNITS[m[2]]);
}

function arpOf(v: unknown, what: string): Arp {
  const a = v as Partial<Arp> | undefined;
  if (!a || typeof a.priorityLevel !== 'number' || a.priorityLevel < 1 || a.priorityLevel > 15) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `${what}.arp.priorityLevel must be 1..15`);
  return { priorityLevel: a.priorityLevel, preemptCap: a.preemptCap === 'MAY_PREEMPT' ? 'MAY_PREEMPT' : 'NOT_PREEMPT', preemptVuln: a.preemptVuln === 'PREEMPTABLE' ? 'PREEMPTABLE' : 'NOT_PREEMPTABLE' };
}

/** Step 4: the subscribed default QoS and Session-AMBR of the DNN in the UDM's SessionManagementSubscriptionData. */
export function subscribedQosOf(sm: unknown[], dnn: string): { subsDefQos?: SubscribedDefaultQos; subsSessAmbr?: Ambr } {
  const cfg = (sm[0] as { dnnConfigurations?: Record<string, { '5gQosProfile'?: SubscribedDefaultQos; sessionAmbr?: Ambr }> } | undefined)?.dnnConfigurations?.[dnn];
  return { ...(cfg?.['5gQosProfile'] ? { subsDefQos: cfg['5gQosProfile'] } : {}), ...(cfg?.sessionAmbr ? { subsSessAmbr: cfg.sessionAmbr } : {}) };
}

/**
 * Step 7b's answer: the session rule's authorized default QoS and Session-AMBR (TS 29.512
 * SessionRule authDefQos / authSessAmbr). A decision without them cannot set up the session: the
 * PCF's error (TS 29.512 has it decide them for the default QoS flow).
 */
export function sessionQosOf(decision: unknown, qfi: number): SessionQos {
  const rules = (decision as { sessRules?: Record<string, { authDefQos?: { '5qi'?: unknown; arp?: unknown }; authSessAmbr?: Ambr }> } | undefined)?.sessRules ?? {};
  const rule = Object.values(rules).find((r) => r.authDefQos && r.authSessAmbr);
  if (!rule?.authDefQos || !rule.authSessAmbr) throw new SbiProblem(502, 'MANDATORY_IE_MISSING', 'the SM policy decision has no session rule with authDefQos and authSessAmbr');
  const fiveQi = rule.authDefQos['5qi'];
  if (typeof fiveQi !== 'number' || !Number.isInteger(fiveQi) || fiveQi < 1 || fiveQi > 255) throw new SbiProblem(502, 'MANDATORY_IE_INCORRECT', `authDefQos.5qi ${String(fiveQi)} is not 1..255`);
  return {
    qfi,
    fiveQi,
    arp: arpOf(rule.authDefQos.arp, 'authDefQos'),
    ambrUplinkBps: bitRateBps(rule.authSessAmbr.uplink, 'authSessAmbr.uplink'),
    ambrDownlinkBps: bitRateBps(rule.authSessAmbr.downlink, 'authSessAmbr.downlink'),
  };
}
