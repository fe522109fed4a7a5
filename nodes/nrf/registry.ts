// The NRF's store of NF profiles (TS 29.510 5.2.2.1): one per NF instance, with the heart-beat
// supervision of TS 29.510 5.2.2.3.2 (an NF that misses its heart-beats for the heartBeatTimer
// plus a guard is set SUSPENDED and its subscribers told), and the NFStatusSubscribe
// subscriptions (5.2.2.5) whose notifications (NFStatusNotify, 5.2.2.5.4) it sends.

import type { Clock, TimerHandle } from '../../transport/clock.ts';
import type { SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { notifier } from '../common/sbi/client.ts';
import type { components as NfmC } from '../common/sbi-types/TS29510_Nnrf_NFManagement.ts';

import type { NFProfile, NFService } from '../common/nf-profile-type.ts';
export type { NFProfile, NFService };
export type SubscriptionData = NfmC['schemas']['SubscriptionData'];
type ChangeItem = NfmC['schemas']['ChangeItem'];
type NotificationEventType = 'NF_REGISTERED' | 'NF_DEREGISTERED' | 'NF_PROFILE_CHANGED';

export interface NrfOptions {
  /** The NRF's apiRoot ('http://127.0.0.10:8080'). */
  baseUri: string;
  /** The heart-beat period the NRF gives every NF (TS 29.510 5.2.2.2.2: it may override the NF's). */
  heartBeatSeconds: number;
  /** How long a discovery answer may be cached (SearchResult.validityPeriod, TS 29.510 6.2.6.2.2). */
  validitySeconds: number;
  clock: Clock;
  log?: (line: string) => void;
}

interface Entry {
  profile: NFProfile;
  timer?: TimerHandle;
}

/** The services of a profile: nfServiceList (Rel-16 on) or the deprecated nfServices. */
export function servicesOf(p: NFProfile): NFService[] {
  return [...(p.nfServices ?? []), ...Object.values(p.nfServiceList ?? {})];
}

export class NrfRegistry {
  readonly ledger = new ResourceLedger('NRF');
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private nextSubscription = 1;
  private readonly notify: ReturnType<typeof notifier>;
  private readonly pending = new Set<Promise<void>>();

  readonly o: NrfOptions;

  constructor(o: NrfOptions, sbi: SbiClient) {
    this.o = o;
    this.notify = notifier(sbi);
    this.ledger.gauge('NF instances', () => this.entries.size);
    this.ledger.gauge('status subscriptions', () => this.subscriptions.size);
  }

  get(id: string): NFProfile | undefined {
    return this.entries.get(id)?.profile;
  }

  profiles(): NFProfile[] {
    return [...this.entries.values()].map((e) => e.profile);
  }

  instanceUri(id: string): string {
    return `${this.o.baseUri}/nnrf-nfm/v1/nf-instances/${id}`;
  }

  /** Stores a profile (registration, replacement or update) and restarts its heart-beat supervision. */
  put(profile: NFProfile): void {
    const e = this.entries.get(profile.nfInstanceId);
    this.o.clock.clearTimeout(e?.timer);
    const entry: Entry = { profile };
    this.entries.set(profile.nfInstanceId, entry);
    this.supervise(entry);
  }

  remove(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.o.clock.clearTimeout(e.timer);
    this.entries.delete(id);
    return true;
  }

  /** TS 29.510 5.2.2.3.2: a heart-beat arrived; the supervision starts again. */
  heartBeat(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.o.clock.clearTimeout(e.timer);
    this.supervise(e);
  }

  /**
   * TS 29.510 5.2.2.3.2: "If the NRF does not receive a heart-beat from the NF Instance within the
   * heart-beat timer plus a guard" it changes the status to SUSPENDED (the NF is no longer
   * discovered) and notifies the subscribers; wire5g's guard is half the timer.
   */
  private supervise(e: Entry): void {
    const seconds = e.profile.heartBeatTimer ?? this.o.heartBeatSeconds;
    e.timer = this.o.clock.setTimeout(() => {
      e.timer = undefined;
      if (this.entries.get(e.profile.nfInstanceId) !== e || e.profile.nfStatus === 'SUSPENDED') return;
      const was = e.profile.nfStatus;
      e.profile = { ...e.profile, nfStatus: 'SUSPENDED' };
      this.o.log?.(`[NRF] ${e.profile.nfType} ${e.profile.nfInstanceId}: no heart-beat for ${seconds * 1.5} s, SUSPENDED (TS 29.510 5.2.2.3.2)`);
      this.changed(e.profile, 'NF_PROFILE_CHANGED', [{ op: 'REPLACE', path: '/nfStatus', origValue: was, newValue: 'SUSPENDED' }]);
    }, seconds * 1500);
  }

  subscribe(data: SubscriptionData): SubscriptionData {
    const id = String(this.nextSubscription++);
    const stored = { ...data, subscriptionId: id };
    this.subscriptions.set(id, stored);
    return stored;
  }

  unsubscribe(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  /** Whether a subscription's condition (TS 29.510 6.1.6.2.17 SubscrCond) covers a profile. */
  private covers(s: SubscriptionData, p: NFProfile): boolean {
    const c = s.subscrCond as Record<string, unknown> | undefined;
    if (!c) return true;
    if (typeof c.nfInstanceId === 'string') return c.nfInstanceId === p.nfInstanceId;
    if (typeof c.nfType === 'string') return c.nfType === p.nfType;
    if (typeof c.serviceName === 'string') return servicesOf(p).some((x) => x.serviceName === c.serviceName);
    if (c.amfSetId !== undefined || c.amfRegionId !== undefined) {
      if (p.nfType !== 'AMF' || !p.amfInfo) return false;
      return (c.amfSetId === undefined || String(c.amfSetId).toLowerCase() === p.amfInfo.amfSetId.toLowerCase()) && (c.amfRegionId === undefined || String(c.amfRegionId).toLowerCase() === p.amfInfo.amfRegionId.toLowerCase());
    }
    // a condition wire5g does not evaluate matches nothing rather than everything
    return false;
  }

  /** TS 29.510 5.2.2.5.4 NFStatusNotify to every subscription covering the profile, after the answer. */
  changed(p: NFProfile, event: NotificationEventType, profileChanges?: ChangeItem[]): void {
    for (const s of this.subscriptions.values()) {
      if (s.reqNfInstanceId === p.nfInstanceId) continue; // an NF is not told about itself
      if (s.reqNotifEvents && !s.reqNotifEvents.includes(event)) continue;
      if (!this.covers(s, p)) continue;
      const body = {
        event,
        nfInstanceUri: this.instanceUri(p.nfInstanceId),
        ...(event === 'NF_DEREGISTERED' ? {} : profileChanges ? { profileChanges } : { nfProfile: p }),
      };
      const sent = this.notify
        .nfStatusNotify(s.nfStatusNotificationUri, body, { step: 'TS 29.510 5.2.2.5.4' })
        .then(
          () => undefined,
          (e: unknown) => this.o.log?.(`[NRF] NFStatusNotify to ${s.nfStatusNotificationUri} failed: ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(() => this.pending.delete(sent));
      this.pending.add(sent);
    }
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Stops the heart-beat supervision (the NRF stops). */
  close(): void {
    for (const e of this.entries.values()) this.o.clock.clearTimeout(e.timer);
  }
}
