// The live network's O&M trigger of the home PLMN (issue 17): `wire5g ctl smf release <supi> <psi>
// --plmn home [--replace-sst N [--replace-sd HEX6]]`, the H-SMF's release of a roaming UE's
// home-routed session (TS 23.502 4.3.4.3 step 1e, with network slice replacement).

import type { Ue } from '../ue/ue.ts';
import type { Snssai } from '../common/config.ts';
import { hsmfReleaseBySupi } from '../smf/procedures/home-routed-hsmf.ts';
import { ControlError } from './control-error.ts';
import { embedded, type NetworkSide } from './network-commands.ts';

function homeSmf(n: NetworkSide) {
  const core = embedded(n.core, 'smf', 'smf release --plmn home', 'home');
  if (!core.home) throw new ControlError(409, 'this network has one PLMN (roaming.enabled is false): --plmn home needs the home PLMN');
  return core.home.smf;
}

export function checkHsmfRelease(n: NetworkSide, ue: Ue, psi: number): void {
  const smf = homeSmf(n);
  const ctx = [...smf.contexts.values()].find((c) => c.supi === ue.supi && c.pduSessionId === psi && c.homeRouted?.role === 'H-SMF');
  if (!ctx) throw new ControlError(409, `the H-SMF has no home-routed PDU session ${psi} of ${ue.supi}`);
  if (ctx.state !== 'active') throw new ControlError(409, `PDU session ${psi} of ${ue.supi} is ${ctx.state} at the H-SMF`);
  if (!ue.sessions.has(psi)) throw new ControlError(409, `${ue.supi} has no PDU session ${psi}`);
}

/** Runs the release as a procedure of the run; resolves once the UE no longer holds the session. */
export async function hsmfRelease(n: NetworkSide, ue: Ue, psi: number, o: { fiveGsmCause?: number; altHplmnSnssai?: Snssai }): Promise<{ psi: number; outcome: string }> {
  const smf = homeSmf(n);
  await n.settle();
  await n.recorder.procedure(o.altHplmnSnssai ? 'HPLMN-initiated PDU Session Release, slice replacement (H-SMF)' : 'HPLMN-initiated PDU Session Release (H-SMF)', 'TS 23.502 4.3.4.3', ue.supi, async () => {
    await hsmfReleaseBySupi(smf, ue.supi, psi, o);
    if (ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the release`);
  });
  return { psi, outcome: 'released' };
}
