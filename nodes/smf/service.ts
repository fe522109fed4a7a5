// The SMF's Nsmf_PDUSession service (TS 29.502) for non-roaming PDU sessions:
//   - establishment, TS 23.502 4.3.2.2.1 (CreateSMContext, then UpdateSMContext with the gNB's tunnel)
//   - release on UE deregistration, TS 23.502 4.2.2.3.2 steps 2-5 (ReleaseSMContext), with the SM
//     Policy Association Termination of 4.16.6 case B.
// Each SM context is a small state machine; everything it allocates is recorded on it, so a
// release that collides with an establishment still in flight waits for it and undoes exactly
// what exists.

import {
  SbiProblem, SbiMultipart, created, ok, noContent, objectBody, requireString, expectStatus, binaryPart,
  N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiRoute, type SbiClient, type SbiRequest,
} from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { DenseIdPool, Ipv4Pool } from '../common/pools.ts';
import { SharedSubscriptions } from '../common/concurrency.ts';
import type { N4, SmN1, SmN2, PduSessionEstablishmentRequestInfo } from './ports.ts';
import type { UsageReport } from '../upf/datapath.ts';

export interface SmfConfig {
  baseUri: string;
  instanceId: string;
  udmUri: string;
  pcfUri: string;
  uePool: string;
  plmn: { mcc: string; mnc: string };
  /** DNNs and S-NSSAIs this SMF serves. */
  dnns: string[];
  qfi: number;
}

/** TS 24.501 9.11.4.2 5GSM causes the SMF uses. */
export const FiveGsmCause = {
  InsufficientResources: 26,
  MissingOrUnknownDnn: 27,
  UnknownPduSessionType: 28,
  UserAuthenticationFailed: 29,
  RequestRejectedUnspecified: 31,
  RegularDeactivation: 36,
  ProtocolErrorUnspecified: 111,
} as const;

type SmState = 'creating' | 'active' | 'releasing' | 'released';

interface SmContext {
  ref: string;
  state: SmState;
  supi: string;
  pduSessionId: number;
  dnn: string;
  snssai: { sst: number; sd?: string };
  amfCallback: string;
  /** Namf_Communication ue-context URI for N1N2MessageTransfer. */
  amfUeContextUri: string;
  request: PduSessionEstablishmentRequestInfo;
  // What has been allocated, in order; release undoes what is set.
  cpSeid?: number;
  ueAddress?: number;
  udmRegistered?: boolean;
  sdmKey?: string;
  smPolicyUri?: string;
  n4?: { upSeid: bigint; upfN3Teid: number; upfN3Address: string };
  /**
   * Settles when the establishment steps after the 201 (7-11) have finished or failed. It exists
   * from the moment the 201 is built; `startEstablishment` lets it run (the server's `after`, or
   * a colliding release, whichever comes first).
   */
  establishment?: Promise<void>;
  startEstablishment?: () => void;
}

const snssaiKey = (s: { sst: number; sd?: string }) => (s.sd ? `${s.sst}-${s.sd}` : String(s.sst));

export function smfRoutes(cfg: SmfConfig, sbi: SbiClient, n4: N4, n1: SmN1, n2: SmN2, ledger = new ResourceLedger('SMF')) {
  const contexts = new Map<string, SmContext>();
  const seids = new DenseIdPool('SMF CP SEID', 1 << 24);
  const addresses = new Ipv4Pool(cfg.uePool);
  /** SDM subscriptions per (SUPI, DNN, S-NSSAI), shared by that couple's sessions. */
  const sdm = new SharedSubscriptions();
  let next = 1;

  ledger
    .gauge('SM contexts', () => contexts.size)
    .gauge('SEIDs', () => seids.inUse)
    .gauge('UE addresses', () => addresses.inUse)
    .gauge('SM policy associations', () => [...contexts.values()].filter((c) => c.smPolicyUri).length)
    .gauge('UDM SMF registrations', () => [...contexts.values()].filter((c) => c.udmRegistered).length)
    .gauge('SDM subscriptions', () => sdm.size);

  const udmApi = (supi: string) => `${cfg.udmUri}`.concat(`/nudm-uecm/v1/${supi}`);

  /** 4.3.2.2.1 step 4: SMF registration in the UDM, SM subscription data, SDM subscription. */
  async function registerWithUdm(ctx: SmContext): Promise<void> {
    const reg = await sbi.call('PUT', `${udmApi(ctx.supi)}/registrations/smf-registrations/${ctx.pduSessionId}`, {
      smfInstanceId: cfg.instanceId,
      pduSessionId: ctx.pduSessionId,
      singleNssai: ctx.snssai,
      dnn: ctx.dnn,
      plmnId: cfg.plmn,
    }, { operation: 'Nudm_UECM_Registration', step: '4.3.2.2.1 step 4' });
    expectStatus(reg, 201, 200);
    ctx.udmRegistered = true;
    const data = await sbi.call<unknown[]>('GET', `${cfg.udmUri}/nudm-sdm/v2/${ctx.supi}/sm-data?single-nssai=${encodeURIComponent(JSON.stringify(ctx.snssai))}&dnn=${encodeURIComponent(ctx.dnn)}`, undefined, { operation: 'Nudm_SDM_Get', step: '4.3.2.2.1 step 4' });
    const sm = expectStatus(data, 200);
    if (!Array.isArray(sm) || sm.length === 0) throw new SbiProblem(403, 'DNN_DENIED', `${ctx.supi} has no subscription for ${ctx.dnn} on S-NSSAI ${snssaiKey(ctx.snssai)}`);
    const key = `${ctx.supi}|${ctx.dnn}|${snssaiKey(ctx.snssai)}`;
    await sdm.acquire(key, async () => {
      const r = await sbi.call('POST', `${cfg.udmUri}/nudm-sdm/v2/${ctx.supi}/sdm-subscriptions`, { nfInstanceId: cfg.instanceId, callbackReference: `${cfg.baseUri}/nsmf-callback/v1/sdm-notify`, monitoredResourceUris: [`${cfg.udmUri}/nudm-sdm/v2/${ctx.supi}/sm-data`], singleNssai: ctx.snssai, dnn: ctx.dnn }, { operation: 'Nudm_SDM_Subscribe', step: '4.3.2.2.1 step 4' });
      expectStatus(r, 201);
      const loc = r.headers.location;
      if (!loc) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'UDM answered 201 without Location');
      return loc;
    });
    ctx.sdmKey = key;
  }

  /** 4.3.2.2.1 steps 7-11, after the CreateSMContext response. */
  async function establish(ctx: SmContext): Promise<void> {
    if (ctx.state !== 'creating') return; // released before the steps began
    // step 7b: SM Policy Association Establishment (4.16.4)
    const pol = await sbi.call('POST', `${cfg.pcfUri}/npcf-smpolicycontrol/v1/sm-policies`, {
      supi: ctx.supi,
      pduSessionId: ctx.pduSessionId,
      pduSessionType: 'IPV4',
      dnn: ctx.dnn,
      sliceInfo: ctx.snssai,
      notificationUri: `${cfg.baseUri}/nsmf-callback/v1/sm-policy-notify/${ctx.ref}`,
      ipv4Address: Ipv4Pool.format(ctx.ueAddress!),
      servingNetwork: cfg.plmn,
      ratType: 'NR',
    }, { operation: 'Npcf_SMPolicyControl_Create', step: '4.3.2.2.1 step 7b' });
    expectStatus(pol, 201);
    ctx.smPolicyUri = pol.headers.location;
    if (ctx.state !== 'creating') return;
    // step 10a-b: N4 Session Establishment
    ctx.cpSeid = seids.allocate();
    ctx.n4 = await n4.establish({ cpSeid: BigInt(ctx.cpSeid), ueAddress: Ipv4Pool.format(ctx.ueAddress!), qfi: cfg.qfi, dnn: ctx.dnn, step: '4.3.2.2.1 step 10a' });
    if (ctx.state !== 'creating') return;
    // step 11: Namf_Communication_N1N2MessageTransfer with the Accept and the N2 SM information
    const accept = n1.establishmentAccept({
      pduSessionId: ctx.pduSessionId,
      pti: ctx.request.pti,
      ueAddress: Ipv4Pool.format(ctx.ueAddress!),
      qfi: cfg.qfi,
      ambrUplinkKbps: 1_000_000,
      ambrDownlinkKbps: 1_000_000,
      sst: ctx.snssai.sst,
      ...(ctx.snssai.sd ? { sd: ctx.snssai.sd } : {}),
      dnn: ctx.dnn,
    });
    const transfer = n2.setupRequestTransfer({ upfN3Teid: ctx.n4.upfN3Teid, upfN3Address: ctx.n4.upfN3Address, qfi: cfg.qfi, ambrUplinkBps: 1_000_000_000, ambrDownlinkBps: 1_000_000_000 });
    const r = await sbi.call('POST', `${ctx.amfUeContextUri}/n1-n2-messages`, new SbiMultipart(
      {
        n1MessageContainer: { n1MessageClass: 'SM', n1MessageContent: { contentId: 'n1msg' } },
        n2InfoContainer: { n2InformationClass: 'SM', smInfo: { pduSessionId: ctx.pduSessionId, n2InfoContent: { ngapIeType: 'PDU_RES_SETUP_REQ', ngapData: { contentId: 'n2msg' } }, sNssai: ctx.snssai } },
        pduSessionId: ctx.pduSessionId,
      },
      { n1msg: { contentType: N1_CONTENT_TYPE, data: accept }, n2msg: { contentType: N2_CONTENT_TYPE, data: transfer } },
    ), { operation: 'Namf_Communication_N1N2MessageTransfer', step: '4.3.2.2.1 step 11' });
    expectStatus(r, 200, 202);
  }

  /**
   * TS 23.502 4.2.2.3.2 steps 3-5 (and 4.3.4.2 for other releases): N4 release, then after the
   * answer to the AMF the SM policy termination and the UDM clean-up. Undoes what `ctx` holds.
   */
  async function releaseResources(ctx: SmContext): Promise<{ report?: UsageReport; after: () => Promise<void> }> {
    // steps 3a-3b: N4 Session Release with the final usage report; step 3: the UE address goes
    // back to the pool once the UPF no longer holds it (a new session given it before the
    // deletion completes would be refused by the UPF: TS 29.244 cause 75 "rule creation failure")
    let report: UsageReport | undefined;
    try {
      if (ctx.n4) report = await n4.delete(ctx.n4.upSeid, '4.2.2.3.2 step 3a');
    } finally {
      if (ctx.ueAddress !== undefined) addresses.release(ctx.ueAddress);
      if (ctx.cpSeid !== undefined) seids.release(ctx.cpSeid);
      ctx.ueAddress = undefined;
      ctx.cpSeid = undefined;
    }
    const after = async () => {
      // step 5a: SM Policy Association Termination (4.16.6 case B) with the accumulated usage
      if (ctx.smPolicyUri) {
        const used = report ? report.uplinkOctets + report.downlinkOctets : 0;
        const accuUsageReports = report ? [{ refUmIds: `${ctx.dnn}:${snssaiKey(ctx.snssai)}`, volUsage: used, volUsageUplink: report.uplinkOctets, volUsageDownlink: report.downlinkOctets, timeUsage: report.durationSeconds }] : [];
        expectStatus(await sbi.call('POST', `${ctx.smPolicyUri}/delete`, { accuUsageReports }, { operation: 'Npcf_SMPolicyControl_Delete', step: '4.2.2.3.2 step 5a' }), 204);
        ctx.smPolicyUri = undefined;
      }
      // step 5b: Nudm_SDM_Unsubscribe if this was the last session for the (DNN, S-NSSAI)
      if (ctx.sdmKey) {
        const uri = await sdm.release(ctx.sdmKey);
        if (uri) expectStatus(await sbi.call('DELETE', uri, undefined, { operation: 'Nudm_SDM_Unsubscribe', step: '4.2.2.3.2 step 5b' }), 204);
        ctx.sdmKey = undefined;
      }
      // step 5c: Nudm_UECM_Deregistration of the SMF registration for this PDU session
      if (ctx.udmRegistered) {
        expectStatus(await sbi.call('DELETE', `${udmApi(ctx.supi)}/registrations/smf-registrations/${ctx.pduSessionId}`, undefined, { operation: 'Nudm_UECM_Deregistration', step: '4.2.2.3.2 step 5c' }), 204);
        ctx.udmRegistered = false;
      }
      ctx.state = 'released';
      contexts.delete(ctx.ref);
    };
    return { ...(report ? { report } : {}), after };
  }

  function contextOf(req: SbiRequest): SmContext {
    const ctx = contexts.get(req.params.smContextRef);
    if (!ctx || ctx.state === 'released') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
    return ctx;
  }

  const routes: SbiRoute[] = [
    {
      // TS 23.502 4.3.2.2.1 step 3 (request) and step 5 (response); TS 29.502 5.2.2.2
      method: 'POST',
      path: '/nsmf-pdusession/v1/sm-contexts',
      operation: 'Nsmf_PDUSession_CreateSMContext',
      handler: async (req) => {
        const body = objectBody(req);
        const data = body as { supi?: unknown; pduSessionId?: unknown; dnn?: unknown; sNssai?: { sst?: unknown; sd?: unknown }; smContextStatusUri?: unknown; servingNfId?: unknown; n1SmMsg?: unknown; ueContextUri?: unknown };
        const supi = requireString(body, 'supi');
        const dnn = requireString(body, 'dnn');
        const amfCallback = requireString(body, 'smContextStatusUri');
        const amfUeContextUri = requireString(body, 'ueContextUri');
        if (typeof data.pduSessionId !== 'number' || typeof data.sNssai?.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId and sNssai are required');
        const n1bytes = binaryPart(req, data.n1SmMsg);
        if (!n1bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n1SmMsg part is required');
        let request: PduSessionEstablishmentRequestInfo;
        try {
          request = n1.decodeEstablishmentRequest(n1bytes);
        } catch (e) {
          throw new SbiProblem(400, 'N1_SM_ERROR', (e as Error).message);
        }
        const snssai = typeof data.sNssai.sd === 'string' ? { sst: data.sNssai.sst, sd: data.sNssai.sd } : { sst: data.sNssai.sst };
        const reject = (cause: number, status: number, problem: string) => ({
          status,
          body: new SbiMultipart({ error: { status, cause: problem }, n1SmMsg: { contentId: 'n1msg' } }, { n1msg: { contentType: N1_CONTENT_TYPE, data: n1.establishmentReject(request.pduSessionId, request.pti, cause) } }),
        });
        if (!cfg.dnns.includes(dnn)) return reject(FiveGsmCause.MissingOrUnknownDnn, 403, 'DNN_DENIED');
        if (request.pduSessionType !== undefined && request.pduSessionType !== 1) return reject(FiveGsmCause.UnknownPduSessionType, 403, 'PDUTYPE_DENIED');
        const ref = String(next++);
        const ctx: SmContext = { ref, state: 'creating', supi, pduSessionId: data.pduSessionId, dnn, snssai, amfCallback, amfUeContextUri, request };
        contexts.set(ref, ctx);
        try {
          await registerWithUdm(ctx);
          ctx.ueAddress = addresses.allocate();
        } catch (e) {
          const { after } = await releaseResources(ctx);
          await after();
          if (e instanceof SbiProblem && e.problem.cause === 'DNN_DENIED') return reject(FiveGsmCause.MissingOrUnknownDnn, 403, 'DNN_DENIED');
          if (e instanceof SbiProblem && e.problem.status === 404) return reject(FiveGsmCause.UserAuthenticationFailed, 403, 'SUBSCRIPTION_DENIED');
          throw e;
        }
        const started = new Promise<void>((resolve) => (ctx.startEstablishment = resolve));
        let failure: unknown;
        ctx.establishment = started
          .then(() => establish(ctx))
          .catch(async (e: unknown) => {
            failure = e;
            if (ctx.state !== 'creating') return; // a colliding release cleans up
            ctx.state = 'releasing';
            const { after } = await releaseResources(ctx);
            await after();
          });
        return {
          ...created(`${cfg.baseUri}/nsmf-pdusession/v1/sm-contexts/${ref}`, { pduSessionId: ctx.pduSessionId, sNssai: snssai, upCnxState: 'ACTIVATING' }),
          // steps 7-11 run after the response, as the clause orders them
          after: async () => {
            ctx.startEstablishment?.();
            await ctx.establishment;
            if (failure !== undefined) throw failure;
          },
        };
      },
    },
    {
      // TS 23.502 4.3.2.2.1 steps 15-17: the gNB's tunnel arrives, N4 Session Modification
      method: 'POST',
      path: '/nsmf-pdusession/v1/sm-contexts/{smContextRef}/modify',
      operation: 'Nsmf_PDUSession_UpdateSMContext',
      handler: async (req) => {
        const ctx = contextOf(req);
        const body = objectBody(req) as { n2SmInfo?: unknown; n2SmInfoType?: unknown };
        await ctx.establishment?.catch(() => {});
        if (ctx.state !== 'creating' && ctx.state !== 'active') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        if (body.n2SmInfoType !== 'PDU_RES_SETUP_RSP') throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported n2SmInfoType ${String(body.n2SmInfoType)}`);
        const n2bytes = binaryPart(req, body.n2SmInfo);
        if (!n2bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n2SmInfo part is required');
        let dl: { gnbTeid: number; gnbAddress: string };
        try {
          dl = n2.decodeSetupResponseTransfer(n2bytes);
        } catch (e) {
          throw new SbiProblem(400, 'N2_SM_ERROR', (e as Error).message);
        }
        if (!ctx.n4) throw new SbiProblem(409, 'UPF_NOT_RESPONDING', 'no N4 session');
        await n4.modify(ctx.n4.upSeid, { gnbTeid: dl.gnbTeid, gnbAddress: dl.gnbAddress, downlink: 'forward' }, '4.3.2.2.1 step 16a');
        ctx.state = 'active';
        return ok({ upCnxState: 'ACTIVATED' });
      },
    },
    {
      // TS 23.502 4.2.2.3.2 steps 2-5: Nsmf_PDUSession_ReleaseSMContext on deregistration
      method: 'POST',
      path: '/nsmf-pdusession/v1/sm-contexts/{smContextRef}/release',
      operation: 'Nsmf_PDUSession_ReleaseSMContext',
      handler: async (req) => {
        const ctx = contextOf(req);
        if (ctx.state === 'releasing') throw new SbiProblem(409, 'CONTEXT_NOT_FOUND', 'release already in progress');
        const wasCreating = ctx.state === 'creating';
        ctx.state = 'releasing';
        // A colliding establishment (steps 7-11) is let finish the step it is in; if it has not
        // started, it starts and stops at once, so nothing it would allocate is missed.
        if (wasCreating) {
          ctx.startEstablishment?.();
          await ctx.establishment;
        }
        const { after } = await releaseResources(ctx);
        return { ...noContent, after }; // step 4 answers the AMF; 5a-5c follow
      },
    },
  ];
  return { routes, ledger, contexts };
}
