// The live network's side of an onboarding SNPN (issue 19; config `snpn`, TS 23.502 4.2.2.2.4):
// which UEs of a run have Default UE Credentials, the UE provisioning over the user plane (TS
// 23.501 5.30.2.10.4), the wait for the AMF's onboarding deregistration timer (4.2.2.3.3), and the
// UE that registers with the SO-SNPN credentials it obtained.
//
// A UE of the run whose SUPI is a NAI (nai-<username>@<realm>, TS 23.003 2.2A) has Default UE
// Credentials: it selects the SNPN (PLMN ID + snpn.nid) for onboarding, its S-NSSAI and DNN the
// onboarding ones. A subscriber the PVS hands out (snpn.pvs.credentials[].supi) is seeded in the
// UDR but is no UE of its own: it is what an onboarded UE becomes.

import { isIPv4 } from 'node:net';
import type { NetworkConfig, SubscriberConfig } from '../common/config.ts';
import { subscribersFor } from '../scenario.ts';
import { Ue, type UeConfig, type UePduSession } from '../ue/ue.ts';
import { GmmState } from '../ue/gmm-state.ts';
import { obtainSoSnpnCredentials } from '../ue/procedures/provisioning.ts';
import type { SoSnpnCredentials } from '../pvs/pvs.ts';
import { ControlError } from './control-error.ts';
import { pollUntil, type NetworkSide } from './network-commands.ts';

/** The subscribers a run seeds: its UEs (subscribersFor) and the SO-SNPN subscriptions the PVS provisions. */
export function runSubscribers(cfg: NetworkConfig): SubscriberConfig[] {
  const ues = subscribersFor(cfg);
  const provisioned = new Set(cfg.snpn?.pvs?.credentials.map((c) => c.supi) ?? []);
  return [...ues, ...cfg.subscribers.filter((s) => provisioned.has(s.supi) && !ues.some((u) => u.supi === s.supi))];
}

/** A UE with Default UE Credentials selects the SNPN for onboarding with the onboarding S-NSSAI and DNN (TS 23.501 5.30.2.10.2). */
export function snpnUeOptions(cfg: NetworkConfig, supi: string): Partial<UeConfig> {
  if (!cfg.snpn || !supi.startsWith('nai-')) return {};
  return { snpn: { nid: cfg.snpn.nid, onboarding: true }, snssai: cfg.snpn.onboarding.snssai, dnn: cfg.snpn.onboarding.dnn };
}

/** Whether the UE registers (or is registered) for SNPN onboarding. */
export function isOnboardingUe(ue: Ue): boolean {
  return ue.cfg.snpn?.onboarding === true;
}

/** The UE's PDU session on the onboarding DNN, if it has one. */
function onboardingSession(cfg: NetworkConfig, ue: Ue): UePduSession | undefined {
  return [...ue.sessions.values()].find((s) => s.dnn === cfg.snpn?.onboarding.dnn);
}

export function checkProvision(cfg: NetworkConfig, ue: Ue): void {
  if (!cfg.snpn?.pvs) throw new ControlError(409, 'the network has no PVS (config snpn.pvs)');
  if (!isOnboardingUe(ue)) throw new ControlError(409, `${ue.supi} has no Default UE Credentials: nothing to provision`);
  if (ue.state !== GmmState.REGISTERED) throw new ControlError(409, `${ue.supi} is ${ue.state}: provisioning needs it registered for onboarding`);
  if (onboardingSession(cfg, ue) === undefined) throw new ControlError(409, `${ue.supi} has no PDU session on the onboarding DNN ${cfg.snpn.onboarding.dnn} to reach the PVS over`);
}

/**
 * UE provisioning over the user plane (TS 23.501 5.30.2.10.4): the SO-SNPN credentials from the
 * PVS, CoAP over the onboarding PDU session. The UE reaches the PVS at the first address the SMF
 * gave it in the accept's ePCO, else at the one pre-configured in it (snpn.pvs.dnAddress).
 */
export function provision(side: NetworkSide, cfg: NetworkConfig, ue: Ue): Promise<SoSnpnCredentials> {
  const s = onboardingSession(cfg, ue)!;
  return side.recorder.procedure('UE provisioning (SO-SNPN credentials from the PVS)', 'TS 23.501 5.30.2.10.4', ue.supi, () => obtainSoSnpnCredentials(ue, s.pvsAddresses?.find((a) => isIPv4(a)) ?? cfg.snpn!.pvs!.dnAddress, { psi: s.pduSessionId }));
}

export function checkAwaitDeregistration(cfg: NetworkConfig, ue: Ue): void {
  if (!cfg.snpn) throw new ControlError(409, 'the network is no onboarding SNPN (config snpn)');
  if (!isOnboardingUe(ue) || ue.state !== GmmState.REGISTERED) throw new ControlError(409, `${ue.supi} is not registered for onboarding: no onboarding deregistration timer runs for it`);
}

/**
 * Waits up to `seconds` for the AMF's onboarding deregistration timer (TS 23.502 4.2.2.2.4 step 8)
 * to end in a network-initiated deregistration (4.2.2.3.3) and the UE's N2 context to be released.
 */
export function awaitOnboardingDeregistration(side: NetworkSide, ue: Ue, seconds: number): Promise<void> {
  return side.recorder.procedure('Network-initiated Deregistration (onboarding deregistration timer)', 'TS 23.502 4.2.2.3.3', ue.supi, async () => {
    const deadline = Date.now() + seconds * 1000;
    while (ue.state !== GmmState.DEREGISTERED || ue.connected) {
      if (Date.now() > deadline) throw new Error(`${ue.supi} still ${ue.state}${ue.connected ? ', CM-CONNECTED' : ''} after ${seconds} s: the onboarding deregistration timer did not deregister it`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await side.settle();
    await pollUntil(() => !ue.connected);
  });
}

/** The UE after provisioning: the same device (IMEISV), the SO-SNPN credentials, the SNPN's S-NSSAI and DNN (an initial registration). */
export function ueWithCredentials(cfg: NetworkConfig, ue: Ue, c: SoSnpnCredentials): Ue {
  return new Ue({ ...ue.cfg, supi: c.supi, k: c.k, opc: c.opc, amf: c.amf, sqn: c.sqn, snssai: cfg.snssai, dnn: cfg.dnn, snpn: { nid: c.nid } });
}
