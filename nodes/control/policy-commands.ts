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

function checkPcfTerminate(n: NetworkSide, ue: Ue, psi: number): void {
  const pcf = embedded(n.core?.pcf, 'pcf', 'pcf terminate');
  const found = smPolicyOf(pcf, ue.supi, psi);
  if (!found) throw new ControlError(409, `the PCF holds no SM policy association for PDU session ${psi} of ${ue.supi}`);
  if (found.assoc.terminationRequested) throw new ControlError(409, `the PCF already requested the termination of PDU session ${psi} of ${ue.supi}`);
}

/**
 * SM Policy Association Termination, PCF-initiated (TS 23.502 4.16.6 case A): step 1 to the SMF,
 * which releases the PDU session (4.3.4.2) and deletes the association (steps 2-8); resolves once
 * the association and the UE's session are gone.
 */
async function pcfTerminate(n: NetworkSide, ue: Ue, psi: number, cause: SmPolicyReleaseCause): Promise<{ psi: number; outcome: string }> {
  const pcf = embedded(n.core?.pcf, 'pcf', 'pcf terminate');
  // an establishment's last steps (4.3.2.2.1 steps 13-17) may still be in flight
  await n.settle();
  const found = smPolicyOf(pcf, ue.supi, psi);
  if (!found) throw new ControlError(409, `the PCF holds no SM policy association for PDU session ${psi} of ${ue.supi}`);
  await n.recorder.procedure('SM Policy Association Termination (PCF-initiated)', 'TS 23.502 4.16.6', ue.supi, async () => {
    await requestSmPolicyTermination(pcf, found.id, cause);
    // the SMF runs the release after its 204 (steps 2-8 and 4.3.4.2 follow)
    await n.settle();
    await pollUntil(() => !pcf.smPolicies.has(found.id) && !ue.sessions.has(psi));
    if (pcf.smPolicies.has(found.id)) throw new Error(`the PCF still holds the SM policy association of PDU session ${psi} of ${ue.supi}`);
    if (ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the termination`);
  });
  return { psi, outcome: 'terminated' };
}

/** `ctl pcf terminate` and the scenario step `pcf-terminate`. */
export function pcfTerminateOn(net: LiveNetwork, supi: string, psi: number, cause: SmPolicyReleaseCause = 'UNSPECIFIED'): Promise<{ psi: number; outcome: string }> {
  return net.onUe(supi, 'pcf terminate', (n, ue) => checkPcfTerminate(n, ue, psi), (n, ue) => pcfTerminate(n, ue, psi, cause));
}

describeControlGroup('pcf', 'the PCF: SM Policy Association Termination (PCF-initiated)');

registerControlCommand({
  words: ['pcf', 'terminate', '<supi>', '<psi>'],
  options: {
    cause: { kind: 'choice', choices: SM_POLICY_RELEASE_CAUSES, default: 'UNSPECIFIED', help: 'SmPolicyAssociationReleaseCause of the TerminationNotification (TS 29.512 5.6.3)' },
  },
  summary: 'SM Policy Association Termination by the PCF (TS 23.502 4.16.6 case A): the SMF releases the PDU session (4.3.4.2)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, 'pcf terminate needs <supi> and <psi>');
    return pcfTerminateOn(net, a.supi, a.psi, a.options.cause ?? 'UNSPECIFIED');
  },
});
