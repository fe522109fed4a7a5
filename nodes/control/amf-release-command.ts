// The live network's AMF O&M release: `wire5g ctl amf release <supi> <psi> [--cause C]`, the AMF
// asks the SMF to release a PDU session that needs N1 and N2 SM signalling (TS 23.502 4.3.4.2 step
// 1f; for a roaming UE's home-routed session 4.3.4.3 step 1f, V-SMF -> N16 -> H-SMF). Like the
// other network-side commands (network-commands.ts) it reaches into the embedded core: 3GPP defines
// no SBI operation for "the operator asks the AMF to act".

import type { Ue } from '../ue/ue.ts';
import { ControlError } from './control-error.ts';
import { registerControlCommand } from './commands.ts';
import type { LiveNetwork } from './live-network.ts';
import { embedded, pollUntil, type NetworkSide } from './network-commands.ts';
import { amfRequestedRelease, amfReleaseRefusal, AMF_RELEASE_CAUSES, type AmfReleaseCause, type AmfReleaseOutcome } from '../amf/procedures/amf-requested-release.ts';

function checkAmfRelease(n: NetworkSide, ue: Ue, psi: number): void {
  const amf = embedded(n.core?.amf, 'amf', 'amf release');
  const refusal = amfReleaseRefusal(amf.bySupi.get(ue.supi), psi);
  if (refusal) throw new ControlError(409, `${ue.supi}: ${refusal}`);
  if (!ue.sessions.has(psi)) throw new ControlError(409, `${ue.supi} has no PDU session ${psi}`);
}

/**
 * Runs step 1f as a procedure of the run; resolves once the AMF no longer holds the session and,
 * when the Release Command reached it, neither does the UE. A CM-IDLE UE is paged first; one that
 * answers no paging keeps its session until it signals again (released without N1 and N2).
 */
async function amfRelease(n: NetworkSide, ue: Ue, psi: number, cause: AmfReleaseCause): Promise<{ psi: number; outcome: string }> {
  const amf = embedded(n.core?.amf, 'amf', 'amf release');
  // an establishment's last steps (4.3.2.2.1 steps 13-17) may still be in flight
  await n.settle();
  checkAmfRelease(n, ue, psi);
  const roaming = n.core?.home !== undefined && amf.homeSmfOf(ue.supi, amf.bySupi.get(ue.supi)?.sessions.get(psi)?.dnn) !== undefined;
  const idle = amf.bySupi.get(ue.supi)?.released === true;
  let outcome: AmfReleaseOutcome = 'released';
  await n.recorder.procedure(`AMF-initiated PDU Session Release (${cause})${idle ? ', the UE paged from CM-IDLE' : ''}`, roaming ? 'TS 23.502 4.3.4.3' : 'TS 23.502 4.3.4.2', ue.supi, async () => {
    outcome = await amfRequestedRelease(amf, amf.bySupi.get(ue.supi)!, psi, cause);
    // steps 4-11: the gNB, the UE's Release Complete, the SMF's status notification
    await n.settle();
    const gone = () => !amf.bySupi.get(ue.supi)?.sessions.has(psi);
    await pollUntil(() => gone() && (outcome !== 'released' || !ue.sessions.has(psi)));
    if (outcome === 'released' && ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the release`);
    if (!gone()) throw new Error(`the AMF still holds PDU session ${psi} of ${ue.supi} (no SM context status notification, TS 23.502 4.3.4.2 step 11)`);
  });
  return { psi, outcome: outcome === 'released' ? 'released' : 'released without N1/N2 SM signalling (the UE did not answer paging)' };
}

export function amfReleaseOn(net: LiveNetwork, supi: string, psi: number, cause: AmfReleaseCause = 'REL_DUE_TO_UNSPECIFIED_REASON'): Promise<{ psi: number; outcome: string }> {
  return net.onUe(supi, 'amf release', (n, ue) => checkAmfRelease(n, ue, psi), (n, ue) => amfRelease(n, ue, psi, cause));
}

registerControlCommand({
  words: ['amf', 'release', '<supi>', '<psi>'],
  options: {
    cause: { kind: 'choice', choices: AMF_RELEASE_CAUSES, default: 'REL_DUE_TO_UNSPECIFIED_REASON', help: 'cause of the release indication (TS 29.502 6.1.6.3.2); REL_DUE_TO_REACTIVATION makes the command #39, REL_DUE_TO_SLICE_NOT_AUTHORIZED #29, the others #36' },
  },
  summary: 'AMF-initiated PDU Session Release with N1/N2 signalling (TS 23.502 4.3.4.2 step 1f; home-routed: 4.3.4.3 step 1f through the V-SMF to the H-SMF); a CM-IDLE UE is paged first (4.2.3.3), one that does not answer has the session released without N1/N2 (step 1c)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, '<supi> and <psi> are required');
    return amfReleaseOn(net, a.supi, a.psi, a.options.cause ?? 'REL_DUE_TO_UNSPECIFIED_REASON');
  },
});
