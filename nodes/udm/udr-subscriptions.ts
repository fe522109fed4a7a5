// The UDM's subscriptions at the UDR to a subscriber's data (Nudr_DM_Subscribe, TS 29.504 5.2.2.3;
// TS 29.505 SubscriptionDataSubscriptions): how the UDM learns of changes is its own business
// (TS 29.503 5.2.2.3 says only that the UDM notifies its Nudm_SDM subscribers, 5.2.2.5). It holds
// one per SUPI, monitoring every resource it relays (am-data and sm-data), created at the first
// Nudm_SDM subscription of that SUPI (the AMF's, TS 23.502 4.2.2.2.2 step 14) and removed at the
// last (TS 29.503 5.2.2.4.2); the SMF's (4.3.2.2.1 step 4) shares it. A notification from the UDR
// is relayed to each SDM subscription of the SUPI that monitors the changed data
// (procedures/data-change.ts). Unlike SharedSubscriptions (common/concurrency.ts), which counts
// its users, it knows them by id: the notification is fanned out to them.
// docs/decisions/21-udm-udr-subscription.md.

import { endLateCreation } from '../common/sbi/late-answer.ts';
import { SbiProblem } from '../common/sbi.ts';
import { callbackUri, operationUri, type udrClient } from '../common/sbi/client.ts';
import { CALLBACKS, UDR } from '../common/sbi/operations.ts';

/** One UDR subscription: its id in the UDM's callback URI, its Location at the UDR, and the SDM subscriptions it serves. */
export interface UdrSubscription {
  id: string;
  supi: string;
  /** Resolves with the UDR's Location once the 201 came. */
  location: Promise<string>;
  /** The Nudm_SDM subscription ids that hold it. */
  holders: Set<string>;
  /** Settles when its Nudr_DM_Unsubscribe (the last holder gone) is answered. */
  closing?: Promise<void>;
}

type Cfg = { baseUri: string; udrUri: string; plmnId: string; log?: (line: string) => void };

export class UdrSubscriptions {
  private readonly bySupi = new Map<string, UdrSubscription>();
  private readonly byId = new Map<string, UdrSubscription>();

  private readonly nudr: ReturnType<typeof udrClient>['dr'];
  private readonly cfg: Cfg;
  private readonly nextId: () => string;

  constructor(nudr: ReturnType<typeof udrClient>['dr'], cfg: Cfg, nextId: () => string) {
    this.nudr = nudr;
    this.cfg = cfg;
    this.nextId = nextId;
  }

  /** How many the UDM holds (its ledger). */
  get size(): number {
    return this.bySupi.size;
  }

  /** The subscription whose callback URI carries `id` (the UDR's Nudr_DM_Notify). */
  byCallbackId(id: string): UdrSubscription | undefined {
    return this.byId.get(id);
  }

  /**
   * The SDM subscription `holder` of `supi` holds the SUPI's UDR subscription, which is created
   * if it is the first; rejects as the Nudr_DM_Subscribe did (every holder waiting on it then).
   */
  async hold(supi: string, holder: string): Promise<void> {
    let s = this.bySupi.get(supi);
    // its last holder is ending it: held anew if the UDR refuses, else a new one is made
    while (s?.closing) {
      await s.closing.catch(() => {});
      s = this.bySupi.get(supi);
    }
    if (!s) {
      const id = this.nextId();
      const location = this.subscribe(supi, id);
      s = { id, supi, location, holders: new Set() };
      this.add(s);
      const created = s;
      // a failed subscription is nobody's: the next SDM subscription of the SUPI tries anew
      location.catch(() => this.remove(created));
    }
    s.holders.add(holder);
    try {
      await s.location;
    } catch (e) {
      s.holders.delete(holder);
      throw e;
    }
  }

  /** `holder` is gone (Nudm_SDM_Unsubscribe, or its 201 was not delivered); the last one ends the UDR subscription. */
  async release(supi: string, holder: string): Promise<void> {
    const s = this.bySupi.get(supi);
    if (!s?.holders.delete(holder) || s.holders.size) return;
    // kept until the UDR answers: an SDM subscription coming meanwhile waits for it (hold)
    const closing = s.location.then((uri) => this.nudr.unsubscribeSubscriptionData(uri)).then(() => {});
    s.closing = closing;
    try {
      await closing;
    } catch (e) {
      // 404: the UDR holds it no more (it restarted): ended all the same (TS 29.504 5.2.2.4: SUBSCRIPTION_NOT_FOUND)
      if (!(e instanceof SbiProblem && e.problem.status === 404)) {
        // the UDR still holds it: so does the holder, and the SDM subscriptions that came meanwhile
        s.holders.add(holder);
        s.closing = undefined;
        throw e;
      }
    }
    this.remove(s);
  }

  private subscribe(supi: string, id: string): Promise<string> {
    const resource = (op: typeof UDR.dr.queryAmData | typeof UDR.dr.querySmData) => operationUri(this.cfg.udrUri, op, { ueId: supi, servingPlmnId: this.cfg.plmnId });
    return this.nudr.subscribeSubscriptionData({
      ueId: supi,
      callbackReference: callbackUri(this.cfg.baseUri, CALLBACKS.subscriptionDataChangeNotify, { subscriptionId: id }),
      monitoredResourceUris: [resource(UDR.dr.queryAmData), resource(UDR.dr.querySmData)],
    }, {
      // a 201 after the time-out (the subscription failed, its holders with it): nobody's; Nudr_DM_Unsubscribe at its Location
      lateAnswer: endLateCreation(`[UDM] ${supi} UDR subscription`, (uri) => this.nudr.unsubscribeSubscriptionData(uri), this.cfg.log),
    }).then((r) => r.headers.location ?? '');
  }

  private add(s: UdrSubscription): void {
    this.bySupi.set(s.supi, s);
    this.byId.set(s.id, s);
  }

  private remove(s: UdrSubscription): void {
    if (this.bySupi.get(s.supi) === s) this.bySupi.delete(s.supi);
    this.byId.delete(s.id);
  }
}
