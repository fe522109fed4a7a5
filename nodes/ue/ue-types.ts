// What a UE (ue.ts) is configured with, what its procedures answer and the errors they end in,
// with TS 24.501's timer values.

import type { MobileIdentity, SNssai, TaiPartialList, UeSecurityCapability, QosRule } from '../../codecs/nas/index.ts';
import type { Clock, TimerHandle } from '../../transport/clock.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { SuciConfig } from './usim.ts';

/** TS 24.501 Table 10.2.1: T3510 15 s (registration), T3580 16 s (PDU session establishment). */
export const T3510_MS = 15_000;
export const T3580_MS = 16_000;
/** TS 24.501 6.4.1.6 a): T3580 retransmissions before the fifth expiry aborts. */
export const T3580_MAX_RETRANSMISSIONS = 4;

/** 5G-EA0 and 128-5G-EA2 (TS 24.501 9.11.3.54: bit 8 = EA0, bit 6 = EA2), 128-5G-IA2 (bit 6 of the IA octet). */
export const UE_SECURITY_CAPABILITY: UeSecurityCapability = { ea: 0xa0, ia: 0x20 };

export interface UeConfig {
  /** 'imsi-<MCC><MNC><MSIN>'. */
  supi: string;
  /** K and OPc, 32 hex digits each. */
  k: string;
  opc: string;
  /** The AMF field (4 hex digits) the home network uses; informational on the UE side. */
  amf: string;
  /** Initial SQN_MS (12 hex digits): authentication vectors with a SQN above it are fresh. */
  sqn: string;
  /** The PLMN the UE registers in (its serving network name, TS 33.501 6.1.1.4). */
  plmn: Plmn;
  /** The subscriber's home PLMN, when it differs from `plmn` (a roaming UE): the SUCI's home network identifier. */
  homePlmn?: Plmn;
  snssai: Snssai;
  /**
   * The Requested NSSAI of its registrations (TS 24.501 4.6.2.3, from the UE's configured NSSAI);
   * default `[snssai]`. A UE with sessions on several slices requests them all.
   */
  requestedNssai?: Snssai[];
  dnn: string;
  /** IMEISV, 16 digits. */
  imeisv: string;
  suci?: SuciConfig;
  /**
   * The SNPN the UE selects (the PLMN ID of `plmn` with `nid`), and whether it registers for
   * onboarding with Default UE Credentials (TS 23.502 4.2.2.2.4; procedures/registration.ts).
   */
  snpn?: { nid: string; onboarding?: boolean };
  /**
   * Whether the UE gives its Requested NSSAI to the RAN in the AN parameters (TS 23.501 5.15.9
   * NSSAI inclusion mode; TS 38.331 RRCSetupComplete s-NSSAI-List), so the gNB selects an AMF
   * serving it (TS 23.501 6.3.5). Off: the gNB selects without it.
   */
  nssaiInAnParameters?: boolean;
  clock?: Clock;
  /** The ciphering the UE prefers; it accepts whatever the AMF selects among EA0 and EA2. */
  security?: { ciphering: 'NEA0' | 'NEA2' };
  log?: (line: string) => void;
}

export interface RegistrationResult {
  guti: Extract<MobileIdentity, { type: '5g-guti' }> | undefined;
  taiList: TaiPartialList[];
  allowedNssai: SNssai[];
  /** T3512 in seconds (undefined when deactivated or absent). */
  t3512Seconds: number | undefined;
  /** The selected NAS security algorithms. */
  integrity: number;
  ciphering: number;
  /** TS 24.501 9.11.3.5 EMC: the network supports emergency services (the UE may request an emergency PDU session). */
  emergencyServicesSupported: boolean;
  /** TS 24.501 9.11.3.6: registered for emergency services (after an emergency registration). */
  emergencyRegistered: boolean;
}

/** A 5GMM procedure the network rejected (TS 24.501 9.11.3.2 5GMM cause). */
export class RegistrationRejected extends Error {
  readonly fiveGmmCause: number | undefined;
  constructor(message: string, fiveGmmCause?: number) {
    super(message);
    this.name = 'RegistrationRejected';
    this.fiveGmmCause = fiveGmmCause;
  }
}

/** A 5GSM procedure that failed (TS 24.501 9.11.4.2 5GSM cause, or a 5GMM cause from DL NAS transport). */
export class PduSessionRejected extends Error {
  readonly fiveGsmCause: number | undefined;
  readonly fiveGmmCause: number | undefined;
  constructor(message: string, causes: { fiveGsmCause?: number; fiveGmmCause?: number } = {}) {
    super(message);
    this.name = 'PduSessionRejected';
    this.fiveGsmCause = causes.fiveGsmCause;
    this.fiveGmmCause = causes.fiveGmmCause;
  }
}

export interface UePduSession {
  pduSessionId: number;
  address: string;
  qosRules: QosRule[];
  sessionAmbr: unknown;
  dnn: string;
  snssai: Snssai;
  /** An emergency PDU session (request type "initial emergency request"). */
  emergency?: boolean;
  /** The PVS addresses and names the SMF gave in the accept's ePCO (IPv4 first; SNPN onboarding, TS 23.501 5.30.2.10.4). */
  pvsAddresses?: string[];
}

export interface PendingPduSession {
  psi: number;
  pti: number;
  request: Uint8Array;
  dnn: string;
  snssai: Snssai;
  timer: TimerHandle | undefined;
  retransmissions: number;
  emergency?: boolean;
  resolve(v: { address: string }): void;
  reject(e: Error): void;
}

export interface UeEvents {
  /** A NAS message accepted (after the 4.4.4 checks), by its spec name. */
  nas: [name: string];
  /** The gNB released the RRC connection. */
  rrcRelease: [];
}
