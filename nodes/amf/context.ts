// The AMF's per-UE context (TS 23.501 5.3.2, TS 24.501 5.1.3.2.1 from the network side): the
// NGAP association and ids, the identities, the 5G NAS security context, and every resource the
// AMF holds elsewhere on the UE's behalf (UDM registration, SDM subscription, policy
// associations, SM contexts). Deregistration releases exactly what is recorded here.

import type { SmContextOrder } from './sm-context-order.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import type { NasSecurityContext, UeSecurityCapability, SNssai, NasMessage } from '../../codecs/nas/index.ts';
import type { TimerHandle } from '../../transport/clock.ts';
import type { UserLocation } from './user-location.ts';
import type { AmfReleaseCause } from './procedures/amf-requested-release.ts';

/** A gNB that completed NG Setup on an SCTP association (TS 38.413 8.7.1). */
export interface GnbContext {
  assoc: SctpAssociation;
  name?: string;
  gnbId?: number;
  /** UE contexts on this association, by RAN UE NGAP ID. */
  ues: Map<number, AmfUe>;
  setUp: boolean;
}

/** 5GMM states of the UE as the AMF tracks them (TS 24.501 5.1.3.2.1 network side). */
export type AmfGmmState = '5GMM-DEREGISTERED' | '5GMM-COMMON-PROCEDURE-INITIATED' | '5GMM-REGISTERED' | '5GMM-DEREGISTERED-INITIATED';

export interface PduSessionRef {
  pduSessionId: number;
  /** The SM context resource of the SMF (Location of Nsmf_PDUSession_CreateSMContext). */
  smContextUri?: string;
  snssai: SNssai;
  dnn: string;
  state: 'creating' | 'active' | 'releasing';
  /** An emergency PDU session (request type "initial emergency request", the emergency DNN; procedures/emergency.ts). */
  emergency?: boolean;
  /** Its SM context operations in flight, one at a time, and its release once decided (sm-context-order.ts). */
  smOrder?: SmContextOrder;
  /**
   * A release (TS 23.502 4.3.4.2 step 1f) decided while the session was being established (the
   * emergency exception of 4.2.2.3.3, procedures/emergency.ts): started once its establishment
   * ends (4.3.2.2.1 step 15 answered, procedures/pdu-session-relay.ts).
   */
  releaseWhenEstablished?: { cause: AmfReleaseCause; step: string };
}

/** A NAS message from the UE and whether its integrity was verified (TS 24.501 4.4.4.3). */
export interface ReceivedNas {
  message: NasMessage;
  integrityVerified: boolean;
  /**
   * The security protected PDU whose integrity could not be checked on arrival (no security
   * context on this NG connection yet): a Registration request of a UE the AMF knows by its
   * 5G-GUTI is checked with the stored context (TS 24.501 5.5.1.3.2, 4.4.4.3).
   */
  protectedPdu?: Uint8Array;
  /** TS 23.502 4.2.2.2.3 step 8: the request came from the initial AMF with the UE's 5G security context (no new authentication). */
  securityFromInitialAmf?: boolean;
}

export interface NasWaiter {
  names: readonly string[];
  resolve(r: ReceivedNas): void;
  reject(e: Error): void;
  timer?: TimerHandle;
}

export interface AmfUe {
  amfUeNgapId: number;
  ranUeNgapId: number;
  gnb: GnbContext;
  /** SCTP stream of this UE's UE-associated signalling. */
  stream: number;
  state: AmfGmmState;
  supi?: string;
  suci?: string;
  tmsi?: number;
  pei?: string;
  /** The last User Location Information the NG-RAN reported (TS 38.413 9.3.1.16), in SBI form. */
  location?: UserLocation;
  ueSecurityCapability?: UeSecurityCapability;
  requestedNssai?: SNssai[];
  allowedNssai?: SNssai[];
  /** The subscribed S-NSSAIs of the UDM's Access and Mobility Subscription data (TS 23.502 4.2.2.2.2 step 14b). */
  subscribedNssai?: { sst: number; sd?: string }[];
  /** The subscribed UE-AMBR (TS 29.503 AccessAndMobilitySubscriptionData.subscribedUeAmbr), in bit/s. */
  subscribedUeAmbr?: { uplinkBps: number; downlinkBps: number };
  /** The Initial Context Setup of this NG connection completed (TS 38.413 8.3.1): later NAS goes in DownlinkNASTransport. */
  initialContextSetUp?: boolean;
  /** 5G NAS security context (TS 33.501 6.7) once NAS SMC completes. */
  sec?: NasSecurityContext;
  kamf?: Uint8Array;
  /** AUSF authentication context (Nausf_UEAuthentication 5g-aka-confirmation link) while AKA runs. */
  authLink?: string;
  uecmRegistered?: boolean;
  sdmSubscriptionUri?: string;
  amPolicyUri?: string;
  /**
   * The PCF for the UE's request for PDU session events (TS 29.507 PolicyAssociation pcfUeInfo and
   * matchPdus, TS 23.502 4.16.14.2): handed to the SMF of each matching session (pdu-session-relay.ts).
   */
  pcfUeEvents?: { callbackUri: string; matchPdus: { dnn: string; snssai: { sst: number; sd?: string } }[] };
  uePolicyUri?: string;
  /** What the PCF's last AM policy update notification decided (TS 29.507 PolicyUpdate): RFSP index, triggers. */
  amPolicy?: { rfsp?: number; triggers?: string[] };
  /** The triggers of the PCF's last UE policy update notification (TS 29.525 PolicyUpdate). */
  uePolicyTriggers?: string[];
  sessions: Map<number, PduSessionRef>;
  /** Registered for emergency services (an emergency registration, TS 24.501 5.5.1.2.4; procedures/emergency-registration.ts). */
  emergencyRegistered?: boolean;
  /** Answers the running procedure awaits from the UE. */
  waiters: NasWaiter[];
  /** TS 24.501 5.3.7, in CM-IDLE (procedures/implicit-deregistration.ts). */
  mobileReachableTimer?: TimerHandle;
  implicitDeregistrationTimer?: TimerHandle;
  /**
   * Paging in progress (procedures/paging.ts, T3513): the Service request that answers it hands
   * over the context of the UE's new NG connection (procedures/service-request.ts).
   */
  paging?: { answered(connected: AmfUe): void };
  /** The procedure in progress that unsolicited messages must not interleave with. */
  busy: Promise<void>;
  /** Awaited NGAP answers for this UE (e.g. UEContextReleaseComplete), by message name. */
  ngapWaiters: Map<string, { resolve(ies: Map<string, unknown>): void; reject(e: Error): void; cancel(): void }>;
  released: boolean;
  /** 5GMM messages received, for tests and the run summary. */
  received: string[];
  /** The NID of the SNPN the UE accessed (TS 38.413 UserLocationInformationNR NID); absent: the PLMN. */
  snpnNid?: string;
  /**
   * TS 23.502 4.2.2.2.2 steps 4-5: the old AMF this context was fetched from by UEContextTransfer
   * (procedures/context-from-old-amf.ts): its apiRoot, the ueContextId, the PDU sessions that came
   * with it, and what step 10 told it (procedures/registration-status-update.ts).
   */
  /** TS 23.502 4.2.2.2.2 step 5's guard timer at the old AMF, from step 10 TRANSFERRED until 14d (procedures/old-amf-removal.ts). */
  transferGuardTimer?: TimerHandle;
  oldAmf?: { apiRoot: string; ueContextId: string; sessions: number[]; notified?: 'TRANSFERRED' | 'NOT_TRANSFERRED'; sessionsTaken?: boolean };
  /** TS 23.502 4.2.2.2.4 step 8: the UE is registered for onboarding (registration-onboarding-snpn.ts). */
  onboarding?: { pvsAddresses: string[]; deregistrationTimer?: TimerHandle };
  /** The INITIAL UE MESSAGE that opened this NG connection, as received (a Reroute NAS Request carries it, TS 38.413 9.2.5.5). */
  initialUeMessage?: Uint8Array;
}
