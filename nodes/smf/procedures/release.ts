// PDU session release by the SMF, TS 23.502 4.2.2.3.2 steps 2-5 (on UE deregistration, with the
// SM Policy Association Termination of 4.16.6 case B), also used to undo an establishment that
// failed: N4 release with the final usage report, the answer to the AMF, then the PCF and UDM
// clean-up. Each step undoes exactly what the SM context records.

import { SbiProblem } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { UrrUsageReport } from '../ports.ts';
import { finalUsageReports } from './usage-monitoring.ts';
import { contextOf, udmOf, type Smf, type SmContext } from '../context.ts';
import { vsmfReleaseOnDeregistration } from './home-routed-vsmf.ts';
import { stopCharging } from './charging.ts';

/** The steps of a release, for the resources the SMF gives back (4.2.2.3.2 here, 4.3.4.2 in pdu-session-release.ts). */
export interface ReleaseSteps {
  n4: string;
  policy: string;
  sdmUnsubscribe: string;
  uecmDeregistration: string;
}

const DEREGISTRATION_RELEASE_STEPS: ReleaseSteps = { n4: '4.2.2.3.2 step 3a', policy: '4.2.2.3.2 step 5a', sdmUnsubscribe: '4.2.2.3.2 step 5b', uecmDeregistration: '4.2.2.3.2 step 5c' };

/**
 * TS 23.502 4.2.2.3.2 steps 3-5 (and 4.3.4.2 for other releases): N4 release, then after the
 * answer to the AMF the SM policy termination and the UDM clean-up. Undoes what `ctx` holds.
 */
export async function releaseResources(smf: Smf, ctx: SmContext, steps: ReleaseSteps = DEREGISTRATION_RELEASE_STEPS): Promise<{ reports?: UrrUsageReport[]; after: () => Promise<void> }> {
  // steps 3a-3b: N4 Session Release with the final usage report; step 3: the UE address goes
  // back to the pool once the UPF no longer holds it (a new session given it before the
  // deletion completes would be refused by the UPF: TS 29.244 cause 75 "rule creation failure")
  let reports: UrrUsageReport[] | undefined;
  // a UPF that did not answer the deletion (N1 x T1) does not keep the SM context alive: the
  // failure is reported once the rest of the release has been done (issue 21)
  let n4Failure: unknown;
  try {
    if (ctx.n4) reports = await smf.n4.delete(ctx.n4.upSeid, steps.n4);
  } catch (e) {
    n4Failure = e;
  } finally {
    if (ctx.ueAddress !== undefined) smf.addresses.release(ctx.ueAddress);
    if (ctx.cpSeid !== undefined) smf.seids.release(ctx.cpSeid);
    ctx.ueAddress = undefined;
    ctx.cpSeid = undefined;
  }
  const after = async () => {
    // Each step is attempted even if an earlier one failed (a peer that did not answer in time),
    // and the SM context goes in any case: the session is released, and a context kept for a
    // clean-up nobody will retry would only leak (issue 21). The first failure is reported after.
    const failures: unknown[] = n4Failure === undefined ? [] : [n4Failure];
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    };
    // step 5a: SM Policy Association Termination (4.16.6 case B) with the accumulated usage
    const smPolicyUri = ctx.smPolicyUri;
    if (smPolicyUri) {
      ctx.smPolicyUri = undefined;
      // TS 29.512 SmPolicyDeleteData.accuUsageReports (at least one report when present): one per
      // URR, at session level and per Monitoring Key (usage-monitoring.ts)
      const accuUsageReports = finalUsageReports(ctx, reports ?? []);
      await attempt(() => smf.npcf.smPolicyControl.delete(smPolicyUri, accuUsageReports.length ? { accuUsageReports } : {}, { step: steps.policy }));
    }
    // the charging session ends with the PDU session (TS 32.255 Charging Data Request [Termination])
    if (ctx.charging) await attempt(() => stopCharging(smf, ctx, 'TS 32.255 Termination'));
    // step 5b: Nudm_SDM_Unsubscribe if this was the last session for the (DNN, S-NSSAI)
    const sdmKey = ctx.sdmKey;
    if (sdmKey) {
      ctx.sdmKey = undefined;
      await attempt(async () => {
        const uri = await smf.sdm.release(sdmKey);
        if (uri) await udmOf(smf, ctx.supi).nudm.sdm.unsubscribe(uri, { step: steps.sdmUnsubscribe });
      });
    }
    // step 5c: Nudm_UECM_Deregistration of the SMF registration for this PDU session
    if (ctx.udmRegistered) {
      ctx.udmRegistered = false;
      await attempt(() => udmOf(smf, ctx.supi).nudm.uecm.deregisterSmf(ctx.supi, ctx.pduSessionId, { step: steps.uecmDeregistration }));
    }
    ctx.state = 'released';
    smf.contexts.delete(ctx.ref);
    if (failures.length) throw failures[0];
  };
  return { ...(reports?.length ? { reports } : {}), after };
}

/** TS 23.502 4.2.2.3.2 steps 2-5: Nsmf_PDUSession_ReleaseSMContext on deregistration. */
export async function releaseSmContext(smf: Smf, req: RequestOf<typeof SMF.pduSession.releaseSmContext>): Promise<AnswerOf<typeof SMF.pduSession.releaseSmContext>> {
  const ctx = contextOf(smf, req);
  if (ctx.state === 'releasing') throw new SbiProblem(409, 'CONTEXT_NOT_FOUND', 'release already in progress');
  const wasCreating = ctx.state === 'creating';
  ctx.state = 'releasing';
  // A colliding establishment (steps 7-11) is let finish the step it is in; if it has not
  // started, it starts and stops at once, so nothing it would allocate is missed.
  if (wasCreating) {
    ctx.startEstablishment?.();
    await ctx.establishment;
  }
  // a home-routed session: TS 23.502 4.3.4.3 step 1c (home-routed-vsmf.ts)
  if (ctx.homeRouted?.role === 'V-SMF') return vsmfReleaseOnDeregistration(smf, ctx, (req.body ?? {}) as Parameters<typeof vsmfReleaseOnDeregistration>[2]);
  const { after } = await releaseResources(smf, ctx);
  return noContent(after); // step 4 answers the AMF; 5a-5c follow
}
