// The SMF's shared state: its configuration, the SM contexts (one per PDU session, each a small
// state machine recording everything it allocated) and the pools and shared subscriptions the
// procedures draw from. The procedures are in procedures/, the routes in service.ts.

import { SbiProblem, type SbiClient, type SbiRequest } from '../common/sbi.ts';
import { udmClient, pcfClient, amfClient, notifier, chfChargingClient } from '../common/sbi/client.ts';
import { DenseIdPool, Ipv4Pool } from '../common/pools.ts';
import { SharedSubscriptions } from '../common/concurrency.ts';
import type { N4, SmN1, SmN2, PduSessionEstablishmentRequestInfo } from './ports.ts';
import type { SessionQos, SubscribedDefaultQos, Ambr } from './policy-decision.ts';
import { realClock, type Clock } from '../../transport/clock.ts';
import type { UsageMonitoring } from './procedures/usage-monitoring.ts';

export interface SmfConfig {
  baseUri: string;
  instanceId: string;
  udmUri: string;
  pcfUri: string;
  /** The CHF's API root when PDU sessions are charged (Nchf_ConvergedCharging, procedures/charging.ts); absent: no charging. */
  chfUri?: string;
  uePool: string;
  plmn: { mcc: string; mnc: string };
  /** DNNs and S-NSSAIs this SMF serves. */
  dnns: string[];
  /**
   * How long a V-SMF waits for the H-SMF's Nsmf_PDUSession_Update with the Release Command
   * (TS 23.502 4.3.4.3 step 3a) after the H-SMF answered its step 1a or 1f; 5000 ms by default.
   */
  hrReleaseCommandWaitMs?: number;
  /**
   * The SMF's local PVS addresses for onboarding PDU sessions (TS 23.501 5.30.2.10.4: the SMF is
   * configured with them when the AMF passes none from a DCS); config snpn.pvs.dnAddress.
   */
  pvsAddresses?: string[];
  /**
   * The UDM of each roaming partner's PLMN (config roaming, local breakout): a roamer's session
   * this SMF anchors (TS 23.502 4.3.2.2.1 in the VPLMN) is registered and its SM subscription data
   * read at the UDM of the SUPI's home PLMN (TS 23.501 6.3.8), through the SEPPs.
   */
  homeNetworks?: { plmn: { mcc: string; mnc: string }; udmUri: string }[];
  /** Where the SMF reports what no procedure answers for (a UPF restart). */
  log?: (line: string) => void;
  /** Emergency services (config `emergency`): the emergency DNN and the local QoS of its sessions (procedures/emergency.ts). */
  emergency?: { dnn: string; fiveQi: number; arpPriorityLevel: number; ambrUplink: string; ambrDownlink: string };
}

/** TS 24.501 9.11.4.2 5GSM causes the SMF uses. */
export const FiveGsmCause = {
  InsufficientResources: 26,
  MissingOrUnknownDnn: 27,
  UnknownPduSessionType: 28,
  UserAuthenticationFailed: 29,
  RequestRejectedUnspecified: 31,
  RegularDeactivation: 36,
  NetworkFailure: 38,
  ReactivationRequested: 39,
  MessageTypeNonExistentOrNotImplemented: 97,
  ProtocolErrorUnspecified: 111,
} as const;

export type SmState = 'creating' | 'active' | 'releasing' | 'released';

export interface SmContext {
  ref: string;
  state: SmState;
  supi: string;
  pduSessionId: number;
  dnn: string;
  snssai: { sst: number; sd?: string };
  amfCallback: string;
  /** Namf_Communication ue-context URI for N1N2MessageTransfer. */
  amfUeContextUri: string;
  request: PduSessionEstablishmentRequestInfo;
  /** The UDM's subscribed default QoS and Session-AMBR for the DNN (step 4). */
  subscribed?: { subsDefQos?: SubscribedDefaultQos; subsSessAmbr?: Ambr };
  /** A PDU session for UE onboarding (SmContextCreateData onboardingInd): no UDM registration nor data. */
  onboarding?: boolean;
  /** An emergency PDU session (request type INITIAL_EMERGENCY_REQUEST): no UDM, no PCF, local QoS (procedures/emergency.ts). */
  emergency?: boolean;
  /** The PVS addresses the AMF passed (SmContextCreateData pvsInfo, from a DCS, 4.2.2.2.4 step 9-2). */
  pvsAddresses?: string[];
  /** What the PCF authorized (step 7b), as NAS, NGAP and PFCP carry it. */
  qos?: SessionQos;
  // What has been allocated, in order; release undoes what is set.
  cpSeid?: number;
  ueAddress?: number;
  udmRegistered?: boolean;
  sdmKey?: string;
  smPolicyUri?: string;
  n4?: { upSeid: bigint; upfN3Teid: number; upfN3Address: string };
  /** Usage monitoring the PCF installed (TS 29.512 UsageMonitoringData), session level and per Monitoring Key: a URR each (procedures/usage-monitoring.ts). */
  usageMonitoring?: UsageMonitoring[];
  /** The policy control request triggers the PCF subscribed to (procedures/policy-triggers.ts). */
  policyTriggers?: { triggers: string[]; successReportRules: string[] };
  /** The charging data resource at the CHF (TS 32.291) and the last invocation sequence number (procedures/charging.ts). */
  charging?: { uri: string; sequence: number };
  /**
   * Settles when the establishment steps after the 201 (7-11) have finished or failed. It exists
   * from the moment the 201 is built; `startEstablishment` lets it run (the server's `after`, or
   * a colliding release, whichever comes first).
   */
  establishment?: Promise<void>;
  startEstablishment?: () => void;
  // --- issue 17: home-routed roaming (procedures/home-routed-*.ts) ---
  /**
   * A home-routed session. At the V-SMF: the H-SMF's PDU session resource (N16) and the V-UPF's
   * N9 tunnel. At the H-SMF: the V-SMF's PDU session URI and the V-UPF's N9 tunnel its downlink
   * goes to.
   */
  homeRouted?: { role: 'V-SMF'; hsmfPduSessionUri?: string; n9?: { teid: number; address: string } } | { role: 'H-SMF'; vsmfPduSessionUri: string; vcnTunnel: { teid: number; address: string } };
  /**
   * The PLMN serving the UE when it is not this SMF's: at the H-SMF, PduSessionCreateData
   * servingNetwork (TS 29.502), sent on to the H-PCF in SmPolicyContextData (TS 29.512
   * servingNetwork: where the UE is), from which the H-PCF knows the session is roaming.
   */
  servingNetwork?: { mcc: string; mnc: string };
  /** SmContextCreateData pcfUeCallbackInfo: the PCF for the UE to tell of the session (TS 23.502 4.16.14.2), sent on as SmPolicyContextData pcfUeInfo. */
  pcfUeInfo?: { callbackUri: string };
}

/** Everything an SMF procedure works with. */
export interface Smf {
  cfg: SmfConfig;
  sbi: SbiClient;
  /** Typed consumers (nodes/common/sbi/operations.ts) of the UDM, the PCF, the AMF, and callbacks. */
  nudm: ReturnType<typeof udmClient>;
  /** The home UDMs of roamers (SmfConfig homeNetworks), by SUPI prefix. */
  homeUdms: { supiPrefix: string; udmUri: string; nudm: ReturnType<typeof udmClient> }[];
  npcf: ReturnType<typeof pcfClient>;
  namf: ReturnType<typeof amfClient>;
  notify: ReturnType<typeof notifier>;
  /** Nchf_ConvergedCharging at the CHF, when sessions are charged. */
  nchf?: ReturnType<typeof chfChargingClient>;
  n4: N4;
  n1: SmN1;
  n2: SmN2;
  contexts: Map<string, SmContext>;
  seids: DenseIdPool;
  addresses: Ipv4Pool;
  /** SDM subscriptions per (SUPI, DNN, S-NSSAI), shared by that couple's sessions. */
  sdm: SharedSubscriptions;
  /** The clock the SMF's own waits run on (injectable: tests advance a VirtualClock). */
  clock: Clock;
  nextRef(): string;
}

export const snssaiKey = (s: { sst: number; sd?: string }) => (s.sd ? `${s.sst}-${s.sd}` : String(s.sst));

export function newSmf(cfg: SmfConfig, sbi: SbiClient, n4: N4, n1: SmN1, n2: SmN2, clock: Clock = realClock): Smf {
  let next = 1;
  return {
    cfg, sbi, n4, n1, n2,
    nudm: udmClient(sbi, cfg.udmUri),
    homeUdms: (cfg.homeNetworks ?? []).map((h) => ({ supiPrefix: `imsi-${h.plmn.mcc}${h.plmn.mnc}`, udmUri: h.udmUri, nudm: udmClient(sbi, h.udmUri) })),
    npcf: pcfClient(sbi, cfg.pcfUri),
    namf: amfClient(sbi, ''),
    notify: notifier(sbi),
    ...(cfg.chfUri ? { nchf: chfChargingClient(sbi, cfg.chfUri) } : {}),
    contexts: new Map(),
    seids: new DenseIdPool('SMF CP SEID', 1 << 24),
    addresses: new Ipv4Pool(cfg.uePool),
    sdm: new SharedSubscriptions(),
    clock,
    nextRef: () => String(next++),
  };
}

/**
 * The UDM of a SUPI (TS 23.501 6.3.8: chosen by the SUPI's home network): a roamer's home UDM,
 * reached through the SEPPs, for a session in local breakout; else this PLMN's.
 */
export function udmOf(smf: Smf, supi: string): { nudm: Smf['nudm']; udmUri: string } {
  return smf.homeUdms.find((h) => supi.startsWith(h.supiPrefix)) ?? { nudm: smf.nudm, udmUri: smf.cfg.udmUri };
}

/** The SM context a request names (`{smContextRef}`), or 404 CONTEXT_NOT_FOUND (TS 29.502 5.2.2.3.1). */
export function contextOf(smf: Smf, req: SbiRequest): SmContext {
  const ctx = smf.contexts.get(req.params.smContextRef);
  if (!ctx || ctx.state === 'released') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
  return ctx;
}
