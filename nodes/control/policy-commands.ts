// The live network's PCF O&M command: the operator decides to end a PDU session's SM policy
// association, TS 23.502 4.16.6 case A (`wire5g ctl pcf terminate <supi> <psi> [--cause C]`).
// Like the SMF's, AMF's and UDM's commands (network-commands.ts) it reaches into the embedded core:
// 3GPP defines no SBI operation for "the operator asks the PCF to act".

import type { Ue } from '../ue/ue.ts';
import { ControlError } from './control-error.ts';
import { registerControlCommand, describeControlGroup } from './commands.ts';
import type { LiveNetwork } from './live-network.ts';
import { embedded, pollUntil, type NetworkSide } from './network-commands.ts';
import { smPolicyOf, requestSmPolicyTermination, SM_POLICY_RELEASE_CAUSES, type SmPolicyReleaseCause } from '../pcf/sm-policy-termination.ts';
import { inTerminationOrder } from './termination-order.ts';

/** Which PLMN's PCF: the visited (serving) one, or the H-PCF of a roaming run (issue 17). */
export type PlmnChoice = 'visited' | 'home';

function pcfOf(n: NetworkSide, plmn: PlmnChoice) {
  if (plmn === 'visited') return embedded(n.core?.pcf, 'pcf', 'pcf terminate');
  const home = embedded(n.core, 'pcf', 'pcf terminate --plmn home', 'home').home;
  if (!home) throw new ControlError(409, 'this network has one PLMN (roaming.enabled is false): --plmn home needs the home PLMN');
  return home.pcf;
}

function checkPcfTerminate(n: NetworkSide, ue: Ue, psi: number, plmn: PlmnChoice): void {
  const pcf = pcfOf(n, plmn);
  const found = smPolicyOf(pcf, ue.supi, psi);
  if (!found) throw new ControlError(409, `the PCF holds no SM policy association for PDU session ${psi} of ${ue.supi}`);
  if (found.assoc.terminationRequested) throw new ControlError(409, `the PCF already requested the termination of PDU session ${psi} of ${ue.supi}`);
}

/**
 * SM Policy Association Termination, PCF-initiated (TS 23.502 4.16.6 case A): step 1 to the SMF,
 * which releases the PDU session (4.3.4.2) and deletes the association (steps 2-8); resolves once
 * the association and the UE's session are gone.
 */
async function pcfTerminate(n: NetworkSide, ue: Ue, psi: number, cause: SmPolicyReleaseCause, plmn: PlmnChoice): Promise<{ psi: number; outcome: string }> {
  const pcf = pcfOf(n, plmn);
  // an establishment's last steps (4.3.2.2.1 steps 13-17) may still be in flight
  await n.settle();
  const found = smPolicyOf(pcf, ue.supi, psi);
  if (!found) throw new ControlError(409, `the PCF holds no SM policy association for PDU session ${psi} of ${ue.supi}`);
  // the visited (non-roaming) PCF's termination fails when its steps were out of order (termination-order.ts);
  // the H-PCF's is 4.3.4.3's, whose steps the H-SMF tags differently
  const judged = (run: () => Promise<void>) => (plmn === 'visited' ? inTerminationOrder(run) : run());
  await n.recorder.procedure(plmn === 'home' ? 'SM Policy Association Termination (H-PCF-initiated, home-routed)' : 'SM Policy Association Termination (PCF-initiated)', plmn === 'home' ? 'TS 23.502 4.3.4.3' : 'TS 23.502 4.16.6', ue.supi, () => judged(async () => {
    await requestSmPolicyTermination(pcf, found.id, cause);
    // the SMF runs the release after its 204 (steps 2-8 and 4.3.4.2 follow)
    await n.settle();
    await pollUntil(() => !pcf.smPolicies.has(found.id) && !ue.sessions.has(psi));
    if (pcf.smPolicies.has(found.id)) throw new Error(`the PCF still holds the SM policy association of PDU session ${psi} of ${ue.supi}`);
    if (ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the termination`);
  }));
  return { psi, outcome: 'terminated' };
}

/** `ctl pcf terminate` and the scenario step `pcf-terminate`. */
export function pcfTerminateOn(net: LiveNetwork, supi: string, psi: number, cause: SmPolicyReleaseCause = 'UNSPECIFIED', plmn: PlmnChoice = 'visited'): Promise<{ psi: number; outcome: string }> {
  return net.onUe(supi, 'pcf terminate', (n, ue) => checkPcfTerminate(n, ue, psi, plmn), (n, ue) => pcfTerminate(n, ue, psi, cause, plmn));
}

describeControlGroup('pcf', 'the PCF: SM Policy Association Termination (PCF-initiated)');

registerControlCommand({
  words: ['pcf', 'terminate', '<supi>', '<psi>'],
  options: {
    cause: { kind: 'choice', choices: SM_POLICY_RELEASE_CAUSES, default: 'UNSPECIFIED', help: 'SmPolicyAssociationReleaseCause of the TerminationNotification (TS 29.512 5.6.3)' },
    // --- issue 17 ---
    plmn: { kind: 'choice', choices: ['visited', 'home'], default: 'visited', help: 'home: the H-PCF of a roaming UE\'s home-routed session; the H-SMF releases it (TS 23.502 4.3.4.3 step 1e)' },
  },
  summary: 'SM Policy Association Termination by the PCF (TS 23.502 4.16.6 case A): the SMF releases the PDU session (4.3.4.2)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, 'pcf terminate needs <supi> and <psi>');
    return pcfTerminateOn(net, a.supi, a.psi, a.options.cause ?? 'UNSPECIFIED', a.options.plmn === 'home' ? 'home' : 'visited');
  },
});

/** `ctl af create`: the AF creates an app session for the UE's PDU session (Npcf_PolicyAuthorization_Create, found through the BSF). */
export function afCreateOn(net: LiveNetwork, supi: string, psi: number): Promise<{ psi: number; appSession: string }> {
  return net.onUe(supi, 'af create', (n, ue) => {
    const af = embedded(n.core?.af, 'af', 'af create');
    if (!ue.sessions.has(psi)) throw new ControlError(409, `${ue.supi} has no PDU session ${psi}`);
    if (af.hasAppSession(ue.supi, psi)) throw new ControlError(409, `the AF has an app session on PDU session ${psi} of ${ue.supi} already`);
  }, async (n, ue) => {
    const af = embedded(n.core?.af, 'af', 'af create');
    const s = ue.sessions.get(psi)!;
    const appSession = await n.recorder.procedure('AF application session (Npcf_PolicyAuthorization_Create)', 'TS 29.514 4.2.2', ue.supi, () => af.createAppSession(ue.supi, psi, s.address, s.dnn, s.snssai));
    return { psi, appSession };
  });
}

/**
 * `ctl af delete`: the AF ends its app session (Npcf_PolicyAuthorization_Delete); with
 * `pcf.terminateOnAfSessionEnd` the PCF then terminates the PDU session's SM policy association
 * (TS 23.502 4.16.6 case A, AF-triggered); resolves once that is over.
 */
export function afDeleteOn(net: LiveNetwork, supi: string, psi: number): Promise<{ psi: number; outcome: string }> {
  return net.onUe(supi, 'af delete', (n, ue) => {
    const af = embedded(n.core?.af, 'af', 'af delete');
    if (!af.hasAppSession(ue.supi, psi)) throw new ControlError(409, `the AF has no app session on PDU session ${psi} of ${ue.supi}`);
  }, async (n, ue) => {
    const af = embedded(n.core?.af, 'af', 'af delete');
    const pcf = embedded(n.core?.pcf, 'pcf', 'af delete');
    const policy = smPolicyOf(pcf, ue.supi, psi);
    let terminated = false;
    // a termination the AF's delete brings is judged for its order (termination-order.ts)
    await n.recorder.procedure('AF application session ends (Npcf_PolicyAuthorization_Delete)', 'TS 29.514 4.2.4', ue.supi, () => inTerminationOrder(async () => {
      await af.deleteAppSession(ue.supi, psi);
      await n.settle();
      if (!policy?.assoc.terminationRequested) return;
      // the PCF decided the PDU session has no reason to continue (4.16.6 case A)
      await pollUntil(() => !pcf.smPolicies.has(policy.id) && !ue.sessions.has(psi));
      if (pcf.smPolicies.has(policy.id) || ue.sessions.has(psi)) throw new Error(`PDU session ${psi} of ${ue.supi} was not released after the PCF's termination request`);
      terminated = true;
    }, { optional: true }));
    return { psi, outcome: terminated ? 'app session deleted; PDU session terminated by the PCF' : 'app session deleted' };
  });
}

describeControlGroup('af', 'the AF: an application session at the PCF for a UE\'s PDU session (Npcf_PolicyAuthorization)');

registerControlCommand({
  words: ['af', 'create', '<supi>', '<psi>'],
  options: {},
  summary: 'the AF finds the PCF of the PDU session at the BSF and creates an app session there (TS 29.514 Npcf_PolicyAuthorization_Create)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, 'af create needs <supi> and <psi>');
    return afCreateOn(net, a.supi, a.psi);
  },
});

registerControlCommand({
  words: ['af', 'delete', '<supi>', '<psi>'],
  options: {},
  summary: 'the AF ends its app session (Npcf_PolicyAuthorization_Delete); with pcf.terminateOnAfSessionEnd the PCF terminates the PDU session (TS 23.502 4.16.6 case A)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, 'af delete needs <supi> and <psi>');
    return afDeleteOn(net, a.supi, a.psi);
  },
});

/**
 * `ctl udr notify`: the subscriber's policy data changed in the UDR (`wire5g subscriber update`);
 * the UDR notifies the PCF (Nudr_DM_Notify), which terminates the PDU sessions on a DNN or S-NSSAI
 * no longer allowed (TS 23.502 4.16.6 case A). Resolves once they are released.
 */
export function udrNotifyOn(net: LiveNetwork, supi: string): Promise<{ notified: number; terminated: number[] }> {
  return net.onUe(supi, 'udr notify', (n) => {
    if (!embedded(n.core, 'udr', 'udr notify').store.get(supi)) throw new ControlError(404, `no subscriber ${supi} in the UDR`);
  }, (n, ue) => notifyAndWait(n, ue));
}

async function notifyAndWait(n: NetworkSide, ue: Ue): Promise<{ notified: number; terminated: number[] }> {
  const core = embedded(n.core, 'udr', 'udr notify');
  await n.settle();
  const before = new Set([...ue.sessions.keys()]);
  // the terminations the notification brings are judged for their order (termination-order.ts)
  const notified = await n.recorder.procedure('Policy data change notification (Nudr_DM_Notify)', 'TS 29.519', ue.supi, () => inTerminationOrder(async () => {
    const sent = await core.udr.notifyPolicyDataChange(ue.supi);
    await n.settle();
    // a termination the PCF requested runs to the end of the release
    await pollUntil(() => ![...core.pcf.smPolicies.values()].some((a) => a.supi === ue.supi && a.terminationRequested));
    return sent;
  }, { optional: true }));
  return { notified, terminated: [...before].filter((psi) => !ue.sessions.has(psi)) };
}

describeControlGroup('udr', 'the UDR: notifications of changed policy data (Nudr_DM_Notify)');

registerControlCommand({
  words: ['udr', 'notify', '<supi>'],
  options: {},
  summary: "the UDR notifies the PCF that the subscriber's policy data changed (wire5g subscriber update does it on a running network); PDU sessions no longer allowed are terminated (TS 23.502 4.16.6 case A)",
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined) throw new ControlError(400, 'udr notify needs <supi>');
    return udrNotifyOn(net, a.supi);
  },
});

/**
 * Scenario step `policy-update`: O&M changes the subscriber's policy data in the UDR (remaining
 * allowed usage, subscribed DNNs: what `wire5g subscriber update --usage/--dnn` writes), then the
 * UDR notifies the PCF as `ctl udr notify` does.
 */
export function policyUpdateOn(net: LiveNetwork, supi: string, o: { usage?: number; dnns?: string[]; monitoringKeys?: { key: string; octets: number }[] }): Promise<{ notified: number; terminated: number[] }> {
  return net.onUe(supi, 'policy update', (n) => {
    if (!embedded(n.core, 'udr', 'policy update').store.get(supi)) throw new ControlError(404, `no subscriber ${supi} in the UDR`);
  }, async (n, ue) => {
    const store = embedded(n.core, 'udr', 'policy update').store;
    const rec = store.get(supi)!;
    const usage = store.usageOf(supi);
    const keys = store.monitoringKeyUsageOf(supi);
    // the Monitoring Keys given replace the subscriber's; else they are kept, per DNN and S-NSSAI
    const monitoringKeys = o.monitoringKeys ?? [...new Map(keys.map((m) => [m.key, { key: m.key, octets: m.remainingOctets }])).values()];
    if (o.dnns || o.monitoringKeys) store.upsert({ supi, k: rec.k, opc: rec.opc, amf: rec.amf, sqn: rec.sqn, snssais: rec.snssais, dnns: o.dnns ?? rec.dnns, sessionQos: rec.sessionQos, ueAmbr: rec.ueAmbr, monitoringKeys });
    for (const u of store.usageOf(supi)) store.setUsage(supi, u.dnn, u.snssai, o.usage ?? usage.find((x) => x.dnn === u.dnn && x.snssai === u.snssai)?.remainingOctets ?? u.remainingOctets);
    if (!o.monitoringKeys) for (const m of keys) store.setMonitoringKeyUsage(supi, m.dnn, m.snssai, m.key, m.remainingOctets);
    return notifyAndWait(n, ue);
  });
}

/** Scenario step `await-release`: the UE's PDU session `psi` ends (e.g. its usage ran out) within `seconds`; fails otherwise. */
export function awaitReleaseOn(net: LiveNetwork, supi: string, psi: number, seconds: number): Promise<{ psi: number }> {
  return net.onUe(supi, 'await release', () => {}, async (n, ue) => {
    await n.recorder.procedure(`PDU session ${psi} released by the network`, 'TS 23.502 4.16.6', ue.supi, async () => {
      await pollUntil(() => !ue.sessions.has(psi), Math.ceil((seconds * 1000) / 25));
      await n.settle();
      if (ue.sessions.has(psi)) throw new Error(`PDU session ${psi} of ${ue.supi} still up after ${seconds} s`);
    });
    return { psi };
  });
}
