// The SMF's UPF restarted (TS 29.244 6.2.2: detected by the SMF's periodic PFCP Heartbeat, whose
// response carries a Recovery Time Stamp other than the one the association had). The UPF lost
// every PFCP session; TS 29.244 6.2.6 has the association set up again (n4.ts), and the
// restoration of TS 23.527 has the SMF consider the PDU sessions of that UPF lost:
//   - each SM context forgets its N4 session (nothing is sent for it: the UPF no longer has it);
//   - each established non-roaming PDU session is released toward the UE and the AMF by the
//     network-requested release (TS 23.502 4.3.4.2, network-requested-release.ts) with 5GSM cause
//     #39 reactivation requested (TS 24.501 6.3.3.2: the UE may establish it again at once) and
//     the SM context status cause REL_DUE_TO_REACTIVATION (TS 29.502 6.1.6.3.2); its SM policy
//     association and UDM registration go as in any release (steps 11-13);
//   - a home-routed session (TS 23.502 4.3.4.3) is released across N16: at the V-SMF (the V-UPF
//     restarted) by asking the H-SMF for a network-requested release with REL_DUE_TO_REACTIVATION
//     (home-routed-vsmf.ts); at the H-SMF (the H-UPF restarted) by the HPLMN-initiated release
//     (step 1e) with #39 towards the V-SMF and the UE (home-routed-hsmf.ts). Neither sends an N4
//     message for the session the restarted UPF lost; the other PLMN's UPF session is released as
//     in any home-routed release;
//   - a session still being established fails at its own N4 step (establishment-failure.ts).
// Before, a restarted UPF refused every later session (no association) until the SMF restarted.

import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import type { ReleaseSteps } from './release.ts';
import { networkRequestedRelease } from './network-requested-release.ts';
import { vsmfUpfLost } from './home-routed-vsmf.ts';
import { hplmnInitiatedRelease } from './home-routed-hsmf.ts';

const STEP = 'TS 23.527 UPF restart, 4.3.4.2';

export const UPF_RESTART_RELEASE_STEPS: ReleaseSteps = {
  n4: `${STEP} step 2a`,
  policy: `${STEP} step 12`,
  sdmUnsubscribe: `${STEP} step 13`,
  uecmDeregistration: `${STEP} step 13`,
};

/** The SM contexts whose N4 session the restart took; resolves when their releases have run (failures are logged). */
export async function upfRestarted(smf: Smf, r: { reassociated: boolean; error?: string }, log: (line: string) => void): Promise<SmContext[]> {
  log(`[SMF] the UPF restarted (new PFCP Recovery Time Stamp, TS 29.244 6.2.2): its PFCP sessions are lost; association ${r.reassociated ? 'set up again' : `not set up again: ${r.error ?? ''}`}`);
  const lost = [...smf.contexts.values()].filter((c) => c.n4 !== undefined && c.state !== 'released');
  await Promise.all(lost.map(async (c) => {
    if (c.state !== 'active') {
      log(`[SMF] PDU session ${c.pduSessionId} of ${c.supi} (${c.state}) lost its N4 session; not released here`);
      return;
    }
    c.n4 = undefined;
    const failed = (e: unknown) => log(`[SMF] release of PDU session ${c.pduSessionId} of ${c.supi} after the UPF restart: ${e instanceof Error ? e.message : String(e)}`);
    if (c.homeRouted?.role === 'V-SMF') return vsmfUpfLost(smf, c, 'TS 23.527 V-UPF restart, 4.3.4.3 step 1f').catch(failed);
    if (c.homeRouted?.role === 'H-SMF') return hplmnInitiatedRelease(smf, c, { fiveGsmCause: FiveGsmCause.ReactivationRequested }).catch(failed);
    await networkRequestedRelease(smf, c, { fiveGsmCause: FiveGsmCause.ReactivationRequested, statusCause: 'REL_DUE_TO_REACTIVATION', steps: UPF_RESTART_RELEASE_STEPS }).catch(failed);
  }));
  return lost;
}
