// The live network's network-side O&M commands: the SMF, the AMF or the UDM starts a procedure on
// a UE (TS 23.502 4.3.4.2, 4.2.2.3.3, 4.5.1). They reach into the embedded core, since 3GPP
// defines no SBI operation for "the operator asks the NF to act" (docs/decisions.md); with the
// NFs in other processes they are refused. Each has a check, run before anything is sent (a
// ControlError), and the procedure itself, which LiveNetwork runs as the UE's only command.

import type { RunRecorder } from '../common/run-report.ts';
import type { Snssai } from '../common/config.ts';
import type { Core, UdmOam } from '../core.ts';
import type { UdrStore } from '../udr/store.ts';
import type { Ue } from '../ue/ue.ts';
import type { Gnb } from '../gnb/gnb.ts';
import { GmmState } from '../ue/gmm-state.ts';
import { ControlError } from './control-error.ts';
import { smContextOf, networkRequestedRelease } from '../smf/procedures/network-requested-release.ts';
import { hasEmergencySession } from '../amf/procedures/emergency.ts';
import { networkInitiatedDeregistration, t3346Refusal, type NetworkDeregistration, type NetworkDeregistrationOutcome } from '../amf/procedures/deregistration-network.ts';

export interface NetworkSide {
  core: Core | undefined;
  gnb: Gnb;
  recorder: RunRecorder;
  /** Resolves when no procedure is in flight anywhere in the network. */
  settle(): Promise<void>;
  /** The subscribed S-NSSAIs of `supi` changed in the UDR. */
  subscriptionChanged(supi: string, snssais: Snssai[]): void;
  /** The subscriber `supi` left the UDR. */
  subscriptionRemoved?(supi: string): void;
}

export type AmfDeregisterResult = { outcome: NetworkDeregistrationOutcome; reRegistered?: boolean; sessions: number[] };

/** Waits (25 ms steps, `tries` of them) until `done()`; what follows checks the outcome. */
export async function pollUntil(done: () => boolean, tries = 400): Promise<void> {
  for (let i = 0; i < tries && !done(); i++) await new Promise((t) => setTimeout(t, 25));
}

function needRegistered(ue: Ue, what: string): void {
  if (ue.state !== GmmState.REGISTERED) throw new ControlError(409, `${ue.supi} is ${ue.state}: ${what} needs ${GmmState.REGISTERED}`);
}

/**
 * The NF of the embedded core an O&M command reaches into, or one clear line saying why not: with
 * the NFs one per process (`wire5g start`), no process of theirs serves an O&M interface (3GPP
 * defines none for these triggers) and the live network cannot reach their procedures.
 */
export function embedded<T>(nf: T | undefined, name: string, command: string, plmn: 'visited' | 'home' = 'visited'): T {
  if (!nf) throw new ControlError(409, `the ${plmn === 'home' ? 'H-' : ''}${name.toUpperCase()} runs in another process (wire5g start ${name}${plmn === 'home' ? ' --plmn home' : ''}): ctl ${command} needs the embedded core ('wire5g up' without --external-core)`);
  return nf;
}

export function checkSmfRelease(n: NetworkSide, ue: Ue, psi: number): void {
  const smf = embedded(n.core?.smf, 'smf', 'smf release');
  const ctx = smContextOf(smf, ue.supi, psi);
  if (!ctx) throw new ControlError(409, `the SMF has no PDU session ${psi} of ${ue.supi}`);
  if (ctx.state === 'releasing') throw new ControlError(409, `PDU session ${psi} of ${ue.supi} is being released`);
  if (!ue.sessions.has(psi)) throw new ControlError(409, `${ue.supi} has no PDU session ${psi}`);
}

/**
 * Network-requested PDU Session Release, SMF-initiated (TS 23.502 4.3.4.2 step 1e): the SMF
 * releases the UE's session `psi` with the 5GSM cause given (#36 regular deactivation by default).
 */
export async function smfRelease(n: NetworkSide, ue: Ue, psi: number, o: { fiveGsmCause?: number; skipPaging?: boolean }): Promise<{ psi: number; outcome: string }> {
  const smf = embedded(n.core?.smf, 'smf', 'smf release');
  // an establishment's last steps (4.3.2.2.1 steps 13-17) may still be in flight
  await n.settle();
  const ctx = smContextOf(smf, ue.supi, psi);
  if (ctx?.state !== 'active') throw new ControlError(409, `PDU session ${psi} of ${ue.supi} is ${ctx?.state ?? 'gone'} at the SMF, not active`);
  await n.recorder.procedure('Network-requested PDU Session Release (SMF)', 'TS 23.502 4.3.4.2', ue.supi, async () => {
    await networkRequestedRelease(smf, ctx, o);
    // the UE's side ends with its PDU SESSION RELEASE COMPLETE (step 8), before step 10 reaches the
    // SMF; a CM-IDLE UE not paged (skip indicator) learns it from the next PDU session status
    if (o.skipPaging && !ue.connected) return;
    if (ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the release`);
  });
  return { psi, outcome: o.skipPaging && !ue.connected ? 'released in the network; the CM-IDLE UE was not paged' : 'released' };
}

/** `ctl amf deregister`'s options: de-registration type, 5GMM cause, T3346 value with #22. */
export interface AmfDeregisterOptions {
  reRegistrationRequired: boolean;
  fiveGmmCause?: number;
  t3346Seconds?: number;
}

export function checkAmfDeregister(n: NetworkSide, ue: Ue, o?: AmfDeregisterOptions): void {
  const amf = embedded(n.core?.amf, 'amf', 'amf deregister');
  const refusal = o ? t3346Refusal(o.fiveGmmCause, o.t3346Seconds) : undefined;
  if (refusal) throw new ControlError(400, refusal);
  needRegistered(ue, 'network-initiated de-registration');
  if (amf.bySupi.get(ue.supi)?.state !== '5GMM-REGISTERED') throw new ControlError(409, `the AMF holds no registration of ${ue.supi}`);
}

/**
 * Network-initiated Deregistration by the AMF (TS 23.502 4.2.2.3.3), explicit (O&M): resolves
 * once the UE context is released and, with re-registration required, once the UE has
 * registered again and re-established its PDU sessions.
 */
export function amfDeregister(n: NetworkSide, ue: Ue, o: AmfDeregisterOptions): Promise<AmfDeregisterResult> {
  const amf = embedded(n.core?.amf, 'amf', 'amf deregister');
  const d: NetworkDeregistration = { trigger: 'o&m', accessType: 1, reRegistrationRequired: o.reRegistrationRequired, ...(o.fiveGmmCause !== undefined ? { fiveGmmCause: o.fiveGmmCause } : {}), ...(o.t3346Seconds !== undefined ? { t3346Seconds: o.t3346Seconds } : {}) };
  return n.recorder.procedure(`Network-initiated Deregistration (AMF${o.reRegistrationRequired ? ', re-registration required' : ''})`, 'TS 23.502 4.2.2.3.3', ue.supi, async () => {
    // an establishment's last steps (4.3.2.2.1 steps 13-17) may still be in flight
    await n.settle();
    const outcome = await networkInitiatedDeregistration(amf, amf.bySupi.get(ue.supi)!, d);
    // the emergency exception (TS 23.502 4.2.2.3.3): still registered, the other sessions released
    if (outcome === 'emergency-kept') return { outcome, sessions: await onlyEmergencySessionsLeft(n, ue) };
    // step 7 ends with the RRC release; the UE's re-registration starts from there
    await pollUntil(() => !ue.connected || ue.networkDeregistration.reRegistration !== undefined);
    if (!o.reRegistrationRequired) return { outcome, sessions: [] };
    await pollUntil(() => ue.networkDeregistration.reRegistration !== undefined || ue.state === GmmState.REGISTERED, 40);
    await ue.networkDeregistration.reRegistration;
    return { outcome, reRegistered: ue.state === GmmState.REGISTERED, sessions: [...ue.sessions.keys()] };
  });
}

export function checkUdmWithdraw(n: NetworkSide, ue: Ue, o: { access: '3gpp' | 'non-3gpp' | 'both' }): void {
  embedded(n.core?.udm, 'udm', 'udm withdraw');
  if (o.access === 'non-3gpp') throw new ControlError(409, `${ue.supi} has no AMF registration over non-3GPP access (wire5g UEs register over 3GPP access)`);
  needRegistered(ue, 'a subscription withdrawal');
}

/**
 * UDM-initiated deregistration (TS 23.502 4.2.2.3.3 step 1): the UDM withdraws the subscription
 * over the access(es) named; resolves once the AMF released the UE. wire5g UEs register over
 * 3GPP access only, so `non-3gpp` finds no AMF registration and is refused by the check.
 */
export async function udmWithdraw(n: NetworkSide, ue: Ue): Promise<{ outcome: string }> {
  const core = embedded(n.core, 'udm', 'udm withdraw');
  const supi = ue.supi;
  const outcome = await n.recorder.procedure('Network-initiated Deregistration (UDM, subscription withdrawn)', 'TS 23.502 4.2.2.3.3', supi, async () => {
    await core.udm.notifyDeregistration(supi, 'SUBSCRIPTION_WITHDRAWN');
    // the AMF deregisters after acknowledging (step 3): until the UE context is gone
    await n.settle();
    if (core.amf.stateOf(supi) === '5GMM-REGISTERED' && hasEmergencySession(core.amf.bySupi.get(supi)!)) {
      await onlyEmergencySessionsLeft(n, ue);
      return 'emergency session kept';
    }
    await pollUntil(() => !core.amf.bySupi.has(supi) && !ue.connected);
    if (core.amf.bySupi.has(supi)) throw new Error(`the AMF still holds ${supi}`);
    return ue.networkDeregistration.last?.action ?? 'deregistered';
  });
  return { outcome };
}

/**
 * The emergency exception (TS 23.502 4.2.2.3.3): waits until the UE holds its emergency PDU
 * session alone (its others released by 4.3.4.2); returns the PSIs left.
 */
async function onlyEmergencySessionsLeft(n: NetworkSide, ue: Ue): Promise<number[]> {
  await n.settle();
  await pollUntil(() => [...ue.sessions.values()].every((s) => s.emergency));
  await n.settle();
  if (![...ue.sessions.values()].every((s) => s.emergency)) throw new Error(`${ue.supi} still holds a non-emergency PDU session`);
  return [...ue.sessions.keys()];
}

export function checkUdmUpdate(n: NetworkSide, supi: string): void {
  const { store } = subscriberHome(embedded(n.core, 'udm', 'udm update'), supi);
  if (!store.get(supi)) throw new ControlError(404, `no subscriber ${supi} in the UDR`);
}

/** The UDR and UDM holding `supi`: a roaming subscriber's are its home PLMN's (issue 17). */
function subscriberHome(core: NonNullable<NetworkSide['core']>, supi: string): { store: UdrStore; udm: UdmOam } {
  const home = core.home;
  return home && home.store.get(supi) ? { store: home.store, udm: home.udm } : { store: core.store, udm: core.udm };
}

/**
 * O&M changes the subscribed S-NSSAIs of `supi` in the UDR (as `wire5g subscriber update --sst
 * --sd` does to a database) and the UDM notifies the AMF (TS 23.502 4.5.1). When no S-NSSAI of
 * the UE's Allowed NSSAI is left, the AMF deregisters the UE (4.2.2.3.3) with the rejected NSSAI;
 * resolves once it has.
 */
export function udmUpdateSnssai(n: NetworkSide, ue: Ue, snssai: Snssai): Promise<{ notified: number; deregistered: boolean }> {
  const core = embedded(n.core, 'udm', 'udm update');
  const supi = ue.supi;
  const { store, udm } = subscriberHome(core, supi);
  return n.recorder.procedure('Subscriber Data Update Notification to AMF', 'TS 23.502 4.5.1', supi, async () => {
    const rec = store.get(supi)!;
    store.upsert({ supi: rec.supi, k: rec.k, opc: rec.opc, amf: rec.amf, sqn: rec.sqn, dnns: rec.dnns, sessionQos: rec.sessionQos, ueAmbr: rec.ueAmbr, snssais: [snssai] });
    n.subscriptionChanged(supi, [snssai]);
    const notified = await udm.notifySubscriptionChange(supi);
    await n.settle();
    const amf = core.amf;
    await pollUntil(() => amf.bySupi.get(supi)?.state !== '5GMM-DEREGISTERED-INITIATED');
    await pollUntil(() => !ue.connected || amf.bySupi.has(supi));
    return { notified, deregistered: !amf.bySupi.has(supi) && ue.state === GmmState.DEREGISTERED };
  });
}

/**
 * The subscriber leaves the UDR while the network runs (`wire5g subscriber remove` on a running
 * network, `ctl udm remove`): a UE registered with the subscription is first deregistered as the
 * UDM withdraws it (TS 23.502 4.2.2.3.3 step 1, Nudm_UECM_DeregistrationNotification
 * SUBSCRIPTION_WITHDRAWN, as `ctl udm withdraw`), then the UDR deletes the subscriber and its
 * policy data. `ue` is the network's UE of that SUPI when it is registered, else undefined.
 */
export async function udmRemove(n: NetworkSide, supi: string, ue: Ue | undefined): Promise<{ removed: string; deregistered: boolean }> {
  const core = embedded(n.core, 'udm', 'udm remove');
  if (!core.store.get(supi)) throw new ControlError(404, `no subscriber ${supi} in the UDR`);
  const registered = ue !== undefined && ue.state === GmmState.REGISTERED && core.amf.bySupi.has(supi);
  if (registered) await udmWithdraw(n, ue);
  core.store.remove(supi);
  n.subscriptionRemoved?.(supi);
  return { removed: supi, deregistered: registered };
}
