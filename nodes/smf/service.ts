// The SMF's Nsmf_PDUSession service (TS 29.502) for non-roaming PDU sessions: the routes, and the
// ledger read from the SMF's tables. The procedures are one file each:
//   - establishment, TS 23.502 4.3.2.2.1    procedures/establishment.ts
//   - release on UE deregistration, TS 23.502 4.2.2.3.2 steps 2-5 with 4.16.6 case B
//                                            procedures/release.ts
//   - UE-requested PDU Session Release, TS 23.502 4.3.4.2 (through UpdateSMContext)
//                                            procedures/pdu-session-release.ts
//   - network-requested PDU Session Release, TS 23.502 4.3.4.2 (SMF-initiated, step 1e)
//                                            procedures/network-requested-release.ts
//   - SM Policy Association Termination case A, TS 23.502 4.16.6 step 1 (the PCF's request)
//                                            procedures/policy-termination.ts
//   - N4 (PFCP, TS 29.244) towards the UPF   n4.ts
// Each SM context is a small state machine; everything it allocates is recorded on it, so a
// release that collides with an establishment still in flight waits for it and undoes exactly
// what exists.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { SbiProblem } from '../../transport/sbi/api.ts';
import { serve } from '../common/sbi/routes.ts';
import { SMF, CALLBACKS, N16 } from '../common/sbi/operations.ts';
import { hsmfCreate, hsmfRelease, hsmfUpdate } from './procedures/home-routed-hsmf.ts';
import { vsmfUpdateFromHsmf } from './procedures/home-routed-vsmf.ts';
import type { N4, SmN1, SmN2 } from './ports.ts';
import type { Clock } from '../../transport/clock.ts';
import { newSmf, type SmfConfig } from './context.ts';
import { createSmContext, updateSmContext } from './procedures/establishment.ts';
import { releaseSmContext } from './procedures/release.ts';
import { onN1N2TransferFailure } from './procedures/network-requested-release.ts';
import { smPolicyTerminateNotify } from './procedures/policy-termination.ts';
import { usageReported } from './procedures/usage-monitoring.ts';
import { upfRestarted } from './procedures/upf-restart.ts';
import { chargingNotify } from './procedures/charging.ts';
import { smPolicyUpdateNotify, smfSdmNotify } from './procedures/session-modification.ts';

export { FiveGsmCause, type SmfConfig } from './context.ts';

export function smfRoutes(cfg: SmfConfig, sbi: SbiClient, n4: N4, n1: SmN1, n2: SmN2, ledger = new ResourceLedger('SMF'), clock?: Clock) {
  const smf = newSmf(cfg, sbi, n4, n1, n2, clock);
  const { contexts } = smf;
  ledger
    .gauge('SM contexts', () => contexts.size)
    .gauge('SEIDs', () => smf.seids.inUse)
    .gauge('UE addresses', () => smf.addresses.inUse)
    .gauge('SM policy associations', () => [...contexts.values()].filter((c) => c.smPolicyUri).length)
    .gauge('UDM SMF registrations', () => [...contexts.values()].filter((c) => c.udmRegistered).length)
    .gauge('SDM subscriptions', () => smf.sdm.size)
    .gauge('charging sessions', () => [...contexts.values()].filter((c) => c.charging).length);

  // issue 16: usage the UPF reports on its own (usage monitoring) goes to the PCF
  n4.onUsageReport?.((cpSeid, report) => usageReported(smf, cpSeid, report));
  // issue 23: a restarted UPF's sessions are lost; they are released toward the UE (upf-restart.ts)
  n4.onPeerRestart?.((r) => void upfRestarted(smf, r, cfg.log ?? (() => {})));

  const routes: SbiRoute[] = [
    // TS 23.502 4.3.2.2.1 step 3 (request) and step 5 (response); TS 29.502 5.2.2.2
    serve(SMF.pduSession.createSmContext, (req) => createSmContext(smf, req)),
    // TS 23.502 4.3.2.2.1 steps 15-17: the gNB's tunnel arrives, N4 Session Modification
    // TS 29.502 Table 6.1.3.3.4.2.2-2 (the OpenAPI's 404 of /modify): "not found" is an
    // application/json SmContextUpdateError, not a bare ProblemDetails (400/403/500/503 may be either)
    serve(SMF.pduSession.updateSmContext, (req) => updateSmContext(smf, req).catch((e: unknown) => {
      if (e instanceof SbiProblem && e.problem.status === 404) return { status: 404 as const, body: { error: e.problem } };
      throw e;
    })),
    // TS 23.502 4.2.2.3.2 steps 2-5: Nsmf_PDUSession_ReleaseSMContext on deregistration
    serve(SMF.pduSession.releaseSmContext, (req) => releaseSmContext(smf, req)),
    // TS 23.502 4.16.6 step 1 (case A): the PCF requests the termination of the SM policy association
    serve(CALLBACKS.smPolicyTerminateNotify, (req) => smPolicyTerminateNotify(smf, req)),
    // TS 23.502 4.3.3.2 step 1b: the PCF's new decision and the UDM's changed SM subscription data (session-modification.ts)
    serve(CALLBACKS.smPolicyUpdateNotify, (req) => smPolicyUpdateNotify(smf, req)),
    serve(CALLBACKS.smfSdmModificationNotify, (req) => smfSdmNotify(smf, req)),
    // issue 16: the CHF's Nchf_ConvergedCharging_Notify (ABORT_CHARGING: the PDU session is released)
    serve(CALLBACKS.chargingNotify, (req) => chargingNotify(smf, req)),
    // TS 29.518 N1N2TransferFailureNotification (TS 23.502 4.2.3.3 step 5): the UE was not reached
    serve(CALLBACKS.n1n2TransferFailureNotify, (req) => onN1N2TransferFailure(smf, req)),
    // --- issue 17: home-routed roaming, the H-SMF's N16 (TS 29.502 5.2.2.7, 5.2.2.9) ---
    serve(N16.pduSession.create, (req) => hsmfCreate(smf, req)),
    serve(N16.pduSession.release, (req) => hsmfRelease(smf, req)),
    serve(N16.pduSession.update, (req) => hsmfUpdate(smf, req)),
    // the V-SMF's side of N16: the H-SMF's Nsmf_PDUSession_Update (TS 29.502 5.2.2.8.3, 4.3.4.3 step 3a)
    serve(CALLBACKS.vsmfUpdate, (req) => vsmfUpdateFromHsmf(smf, req)),
  ];
  return { routes, ledger, contexts, smf };
}
