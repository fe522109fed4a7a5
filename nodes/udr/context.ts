// The UDR's service state: the SQLite store of subscribers, and what describes the running
// network rather than the subscriber (context data of the serving AMF and SMFs, notification
// subscriptions, authentication status), kept in memory and counted by the ledger.

import { SbiProblem } from '../common/sbi.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import type { UdrStore, SubscriberRecord } from './store.ts';

export interface UdrServiceState {
  amfRegistrations: Map<string, UdrC['schemas']['Amf3GppAccessRegistration']>;
  /** SMF registrations by `${ueId}/${pduSessionId}`. */
  smfRegistrations: Map<string, UdrC['schemas']['SmfRegistration']>;
  subscriptionDataSubscriptions: Map<string, unknown>;
  policyDataSubscriptions: Map<string, unknown>;
  /** The last AuthEvent per subscriber (TS 29.505 authentication-status). */
  authenticationStatus: Map<string, UdrC['schemas']['AuthEvent']>;
}

export interface Udr {
  store: UdrStore;
  /** Our own API root, for Locations. */
  baseUri: string;
  state: UdrServiceState;
  nextId(): string;
}

/** TS 29.571: "imsi-..." SUPIs; the UDR is also addressed by the bare ueId. */
export function subscriber(store: UdrStore, ueId: string): SubscriberRecord {
  const s = store.get(ueId);
  if (!s) throw new SbiProblem(404, 'USER_NOT_FOUND', `no subscriber ${ueId}`);
  return s;
}
