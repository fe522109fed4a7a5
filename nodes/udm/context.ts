// The UDM's shared state: the registrations and subscriptions it holds for the running network
// (the subscriber data itself is in the UDR), and how it reaches the UDR (typed Nudr_DR).

import { SbiProblem, type SbiClient } from '../common/sbi.ts';
import { udrClient } from '../common/sbi/client.ts';
import { KeyedSerializer } from '../common/concurrency.ts';
import type { HomeNetworkAka } from '../common/aka.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';

export interface UdmConfig {
  baseUri: string;
  udrUri: string;
  /** Serving PLMN id for Nudr provisioned-data paths when the consumer names none, e.g. '00101'. */
  plmnId: string;
  /**
   * A UDM in a DCS (TS 23.502 4.2.2.2.4 step 9-2): the PVS addresses it gives with the
   * authentication data of the UEs it onboards (TS 29.503 AuthenticationInfoResult pvsInfo).
   */
  pvsAddresses?: string[];
  log?: (line: string) => void;
}

export type SmData = UdrC['schemas']['SessionManagementSubscriptionData'];

export interface Udm {
  cfg: UdmConfig;
  aka: HomeNetworkAka;
  nudr: ReturnType<typeof udrClient>['dr'];
  amfRegistrations: Map<string, UdrC['schemas']['Amf3GppAccessRegistration']>;
  /** SMF registrations by `${ueId}/${pduSessionId}`. */
  smfRegistrations: Map<string, UdrC['schemas']['SmfRegistration']>;
  /** SDM subscriptions, each backed by one UDR subscription (Nudr_DM_Subscribe). */
  sdmSubscriptions: Map<string, { ueId: string; udrSubscription: string; callbackReference: string; monitoredResourceUris: string[] }>;
  /** The last confirmed authentication event's id per SUPI (TS 29.503 5.4.2.3, for 5.4.2.4). */
  authEvents: Map<string, string>;
  /** SQN allocation is serialized per SUPI so concurrent requests never share a sequence number. */
  sqnWriters: KeyedSerializer;
  nextId(): string;
}

export function newUdm(cfg: UdmConfig, udr: SbiClient, aka: HomeNetworkAka): Udm {
  let next = 1;
  return {
    cfg, aka,
    nudr: udrClient(udr, cfg.udrUri).dr,
    amfRegistrations: new Map(),
    smfRegistrations: new Map(),
    sdmSubscriptions: new Map(),
    authEvents: new Map(),
    sqnWriters: new KeyedSerializer(),
    nextId: () => String(next++),
  };
}

/** The UDR's 404 for a subscriber it does not know is the UDM's USER_NOT_FOUND (TS 29.503 6.1.7.3). */
export function userNotFound(e: unknown): never {
  if (e instanceof SbiProblem && e.problem.status === 404) throw new SbiProblem(404, 'USER_NOT_FOUND');
  throw e;
}

/** TS 29.505 SmSubsData: the list of SessionManagementSubscriptionData (or the extended form). */
export function smDataList(d: UdrC['schemas']['SmSubsData']): SmData[] {
  return Array.isArray(d) ? d : (d.individualSmSubsData ?? []);
}

/**
 * The `{servingPlmnId}` of a Nudr provisioned-data path: the consumer's `plmn-id` query
 * parameter (TS 29.503: the serving PLMN, JSON PlmnId) as MCC+MNC, else the configured one.
 */
export function servingPlmnId(udm: Udm, plmnIdParam: string | undefined): string {
  if (!plmnIdParam) return udm.cfg.plmnId;
  let p: { mcc?: unknown; mnc?: unknown };
  try {
    p = JSON.parse(plmnIdParam) as { mcc?: unknown; mnc?: unknown };
  } catch {
    throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `plmn-id is not JSON: ${plmnIdParam}`);
  }
  if (typeof p?.mcc !== 'string' || typeof p.mnc !== 'string' || !/^\d{3}$/.test(p.mcc) || !/^\d{2,3}$/.test(p.mnc)) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `plmn-id is not a PlmnId: ${plmnIdParam}`);
  return `${p.mcc}${p.mnc}`;
}
