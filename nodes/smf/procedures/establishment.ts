// UE-requested PDU Session Establishment, TS 23.502 4.3.2.2.1 (non-roaming, SMF side): step 3
// CreateSMContext; step 4 UDM registration, SM subscription data and SDM subscription; step 5
// the 201; after it steps 7b (SM policy, 4.16.4), 10a-b (N4 establishment) and 11
// (N1N2MessageTransfer); steps 15-17 the gNB's tunnel and the N4 modification.

import { endLateCreation } from '../../common/sbi/late-answer.ts';
import { SbiProblem, SbiMultipart, objectBody, requireString, binaryPart, N1_CONTENT_TYPE } from '../../common/sbi.ts';
import { created, ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { Ipv4Pool } from '../../common/pools.ts';
import { callbackUri, operationUri, resourceUri } from '../../common/sbi/client.ts';
import { UDM, SMF, CALLBACKS } from '../../common/sbi/operations.ts';
import type { PduSessionEstablishmentRequestInfo } from '../ports.ts';
import { contextOf, udmOf, snssaiKey, FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources } from './release.ts';
import { subscribedQosOf, sessionQosOf } from '../policy-decision.ts';
import { usageMonitoringOf, n4UsageMonitoring } from './usage-monitoring.ts';
import { startCharging } from './charging.ts';
import { policyTriggersOf, reportResourceAllocation } from './policy-triggers.ts';
import { pduSessionReleaseUpdate } from './pdu-session-release.ts';
import { upCnxStateUpdate } from './user-plane.ts';
import { vsmfCreateSmContext, vsmfReleaseAck, vsmfReleaseTowardsHsmf } from './home-routed-vsmf.ts';
import { amfRequestedRelease } from './amf-requested-release.ts';
import { failureCauses, reportEstablishmentFailure } from './establishment-failure.ts';
import { onSetupFailure } from './setup-failure.ts';
import { n4ModificationFailed } from './n4-modification-failure.ts';
import { isEmergencyRequest, emergencyQos } from './emergency.ts';
import { servingAmfChange } from './serving-amf-change.ts';
import { pvsAddressesOf } from '../../common/pvs-info.ts';
import { smMessageTransfer } from './n1n2-message.ts';
import { modificationN2Answer } from './session-modification.ts';

type CreateSmContext = typeof SMF.pduSession.createSmContext;

/** The SMF's local configuration for onboarding PDU sessions: 5QI 9, ARP 8, 10 Mbps each way (no UDM data). */
const ONBOARDING_QOS: NonNullable<SmContext['subscribed']> = {
  subsDefQos: { '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'PREEMPTABLE' }, priorityLevel: 8 },
  subsSessAmbr: { uplink: '10 Mbps', downlink: '10 Mbps' },
};
type UpdateSmContext = typeof SMF.pduSession.updateSmContext;

/** Step 4: SMF registration in the UDM, SM subscription data, SDM subscription. */
export async function registerWithUdm(smf: Smf, ctx: SmContext, step = '4.3.2.2.1 step 4'): Promise<void> {
  // a roamer's session in local breakout: the home UDM, through the SEPPs (udmOf)
  const { nudm, udmUri } = udmOf(smf, ctx.supi);
  await nudm.uecm.registerSmf(ctx.supi, ctx.pduSessionId, {
    smfInstanceId: smf.cfg.instanceId,
    pduSessionId: ctx.pduSessionId,
    singleNssai: ctx.snssai,
    dnn: ctx.dnn,
    plmnId: smf.cfg.plmn,
  }, { step, lateAnswer: (r) => deregisterUnkeptUecm(smf, ctx.supi, ctx.pduSessionId, r.status) });
  ctx.udmRegistered = true;
  const sm = (await nudm.sdm.getSmData(ctx.supi, { query: { 'single-nssai': JSON.stringify(ctx.snssai), dnn: ctx.dnn }, step })).body;
  if (!Array.isArray(sm) || sm.length === 0) throw new SbiProblem(403, 'DNN_DENIED', `${ctx.supi} has no subscription for ${ctx.dnn} on S-NSSAI ${snssaiKey(ctx.snssai)}`);
  ctx.subscribed = subscribedQosOf(sm, ctx.dnn);
  const key = `${ctx.supi}|${ctx.dnn}|${snssaiKey(ctx.snssai)}`;
  await smf.sdm.acquire(key, async () => {
    const r = await nudm.sdm.subscribe(ctx.supi, {
      nfInstanceId: smf.cfg.instanceId,
      callbackReference: callbackUri(smf.cfg.baseUri, CALLBACKS.smfSdmModificationNotify),
      monitoredResourceUris: [operationUri(udmUri, UDM.sdm.getSmData, { supi: ctx.supi })],
      singleNssai: ctx.snssai,
      dnn: ctx.dnn,
    }, {
      step,
      // a 201 after the time-out: the acquire failed and forgot the key, so the subscription is
      // nobody's; Nudm_SDM_Unsubscribe at its Location (TS 29.503 5.2.2.4.2; TS 23.502 4.3.4.2 step 13)
      lateAnswer: endLateCreation(`[SMF] ${ctx.supi} SDM subscription`, (uri) => nudm.sdm.unsubscribe(uri, { step: '4.3.4.2 step 13' }), smf.cfg.log),
    });
    const loc = r.headers.location;
    if (!loc) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'UDM answered 201 without Location');
    return loc;
  });
  ctx.sdmKey = key;
}

/**
 * Nudm_UECM_Registration of the SMF (step 4) is a PUT of the session's smf-registrations/{pduSessionId}
 * resource: any 2xx leaves the SMF registered for it (TS 29.503 5.3.2.2.3). One that came after the
 * time-out (the session failed) is deregistered, Nudm_UECM_Deregistration (TS 23.502 4.3.4.2 step
 * 13), unless an SM context of this SMF for the same SUPI and PDU session ID holds the registration
 * now (a later establishment that succeeded owns the same resource).
 */
async function deregisterUnkeptUecm(smf: Smf, supi: string, pduSessionId: number, status: number): Promise<void> {
  if (status < 200 || status > 299) return;
  for (const c of smf.contexts.values()) if (c.supi === supi && c.pduSessionId === pduSessionId && c.udmRegistered) return;
  smf.cfg.log?.(`[SMF] ${supi} PDU session ${pduSessionId}: the UDM's ${status} for the SMF registration came after the time-out; deregistering`);
  await udmOf(smf, supi).nudm.uecm.deregisterSmf(supi, pduSessionId, { step: '4.3.4.2 step 13' });
}

/**
 * The SM policy (step 7b, 4.16.4) and the N4 session (step 10a) of a session anchored here: the
 * non-roaming SMF's, and the H-SMF's of a home-routed session (4.3.2.2.2 steps 9b, 12a). False
 * when the context was released meanwhile.
 */
export async function policyAndN4(smf: Smf, ctx: SmContext, steps: { policy: string; n4: string }): Promise<boolean> {
  // an emergency PDU session: the SMF's local QoS, no PCF (emergency.ts)
  if (ctx.emergency) ctx.qos = emergencyQos(smf, 1);
  else await smPolicy(smf, ctx, steps.policy);
  if (ctx.state !== 'creating') return false;
  // step 10a-b: N4 Session Establishment
  ctx.cpSeid = smf.seids.allocate();
  ctx.n4 = await smf.n4.establish({ cpSeid: BigInt(ctx.cpSeid), ueAddress: Ipv4Pool.format(ctx.ueAddress!), qfi: ctx.qos!.qfi, ambrUplinkKbps: Math.ceil(ctx.qos!.ambrUplinkBps / 1000), ambrDownlinkKbps: Math.ceil(ctx.qos!.ambrDownlinkBps / 1000), dnn: ctx.dnn, ...n4UsageMonitoring(ctx.usageMonitoring), step: steps.n4 });
  if (ctx.state !== 'creating') return false;
  // issue 16: the session's charging at the CHF, when the network charges (charging.ts)
  await startCharging(smf, ctx, 'TS 32.255 Initial');
  return ctx.state === 'creating';
}

/** Step 7b: SM Policy Association Establishment (4.16.4); the authorized QoS and usage monitoring. */
async function smPolicy(smf: Smf, ctx: SmContext, step: string): Promise<void> {
  const pol = await smf.npcf.smPolicyControl.create({
    supi: ctx.supi,
    pduSessionId: ctx.pduSessionId,
    pduSessionType: 'IPV4',
    dnn: ctx.dnn,
    sliceInfo: ctx.snssai,
    notificationUri: callbackUri(smf.cfg.baseUri, CALLBACKS.smPolicyUpdateNotify, { smContextRef: ctx.ref }),
    ipv4Address: Ipv4Pool.format(ctx.ueAddress!),
    // the V-SMF's PLMN for a home-routed session at the H-SMF (TS 29.512: where the UE is), else ours
    servingNetwork: ctx.servingNetwork ?? smf.cfg.plmn,
    accessType: '3GPP_ACCESS',
    ratType: 'NR',
    // TS 29.512 SmPolicyContextData: the subscribed QoS the UDM gave (step 4)
    ...(ctx.subscribed ?? {}),
    ...(ctx.onboarding ? { onboardInd: true } : {}),
    // TS 29.512 pcfUeInfo: the PCF for the UE that asked to be told of this session (TS 23.502 4.16.14.2)
    ...(ctx.pcfUeInfo ? { pcfUeInfo: ctx.pcfUeInfo } : {}),
  }, {
    step,
    // a 201 after the SMF had given up on it (the session failed with the time-out): the PCF keeps
    // an association the session never had, and TS 29.512 gives the SMF no other way to find it.
    // The SMF terminates it by its Location (4.16.6 step 2, Npcf_SMPolicyControl_Delete), as it
    // would at the session's release (issue 21: a 100,000-UE run left such associations at the PCF).
    lateAnswer: endLateCreation(`[SMF] ${ctx.supi} PDU session ${ctx.pduSessionId} SM policy`, (uri) => smf.npcf.smPolicyControl.delete(uri, {}, { step: '4.16.6 step 2' }), smf.cfg.log),
  });
  ctx.smPolicyUri = pol.headers.location;
  // the default QoS flow is the session's first (TS 23.501 5.7.1.1: the SMF allocates QFIs per session)
  ctx.qos = sessionQosOf(pol.body, 1);
  // issue 16: usage monitoring the PCF installed becomes the URR's volume threshold (usage-monitoring.ts)
  const um = usageMonitoringOf(pol.body);
  if (um.length) ctx.usageMonitoring = um;
  // the policy control request triggers to report (policy-triggers.ts)
  ctx.policyTriggers = policyTriggersOf(pol.body);
}

/** 4.3.2.2.1 steps 7-11, after the CreateSMContext response. */
export async function establish(smf: Smf, ctx: SmContext): Promise<void> {
  if (ctx.state !== 'creating') return; // released before the steps began
  if (!(await policyAndN4(smf, ctx, { policy: '4.3.2.2.1 step 7b', n4: '4.3.2.2.1 step 10a' })) || !ctx.n4 || !ctx.qos) return;
  // step 11: Namf_Communication_N1N2MessageTransfer with the Accept and the N2 SM information
  const accept = smf.n1.establishmentAccept({
    pduSessionId: ctx.pduSessionId,
    pti: ctx.request.pti,
    ueAddress: Ipv4Pool.format(ctx.ueAddress!),
    qos: ctx.qos,
    sst: ctx.snssai.sst,
    ...(ctx.snssai.sd ? { sd: ctx.snssai.sd } : {}),
    dnn: ctx.dnn,
    ...pvsForUe(smf, ctx),
  });
  await n1n2Transfer(smf, ctx, accept, '4.3.2.2.1 step 11');
}

/**
 * An onboarding PDU session whose request asked for the PVS information (ePCO 0036H): the PVS
 * addresses the AMF passed from the DCS, else the SMF's own (TS 23.501 5.30.2.10.4).
 */
function pvsForUe(smf: Smf, ctx: SmContext): { pvsAddresses?: string[] } {
  if (!ctx.onboarding || !ctx.request.pvsInformationRequested) return {};
  const addresses = ctx.pvsAddresses?.length ? ctx.pvsAddresses : smf.cfg.pvsAddresses ?? [];
  return addresses.length ? { pvsAddresses: addresses } : {};
}

/** Namf_Communication_N1N2MessageTransfer with the Accept and the N2 SM information (the UPF's N3 tunnel, the QoS). */
export async function n1n2Transfer(smf: Smf, ctx: SmContext, accept: Uint8Array, step: string): Promise<void> {
  if (!ctx.n4 || !ctx.qos) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'no N4 session or QoS for the N2 SM information');
  const transfer = smf.n2.setupRequestTransfer({ upfN3Teid: ctx.n4.upfN3Teid, upfN3Address: ctx.n4.upfN3Address, qos: ctx.qos });
  await smf.namf.communication.n1n2MessageTransfer(ctx.amfUeContextUri, smMessageTransfer(ctx, accept, { ngapIeType: 'PDU_RES_SETUP_REQ', data: transfer }), { step });
}

/** Steps 3 (request) and 5 (response): Nsmf_PDUSession_CreateSMContext (TS 29.502 5.2.2.2); steps 7-11 follow the 201. */
export async function createSmContext(smf: Smf, req: RequestOf<CreateSmContext>): Promise<AnswerOf<CreateSmContext>> {
  const body = objectBody(req);
  // TS 29.502 6.1.6.2.2 SmContextCreateData, read once the members this SMF needs are checked
  const data = body as SmfC['schemas']['SmContextCreateData'];
  const supi = requireString(body, 'supi');
  const dnn = requireString(body, 'dnn');
  const amfCallback = requireString(body, 'smContextStatusUri');
  const amfUeContextUri = requireString(body, 'ueContextUri');
  if (typeof data.pduSessionId !== 'number' || typeof data.sNssai?.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId and sNssai are required');
  const n1bytes = binaryPart(req, data.n1SmMsg);
  if (!n1bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n1SmMsg part is required');
  let request: PduSessionEstablishmentRequestInfo;
  try {
    request = smf.n1.decodeEstablishmentRequest(n1bytes);
  } catch (e) {
    throw new SbiProblem(400, 'N1_SM_ERROR', (e as Error).message);
  }
  const snssai = typeof data.sNssai.sd === 'string' ? { sst: data.sNssai.sst, sd: data.sNssai.sd } : { sst: data.sNssai.sst };
  // TS 29.502 6.1.3.2.3.1: 403 with SmContextCreateError and the N1 SM reject (TS 24.501 8.3.3)
  const reject = (cause: number, problem: string) => ({
    status: 403 as const,
    body: new SbiMultipart<SmfC['schemas']['SmContextCreateError']>({ error: { status: 403, cause: problem }, n1SmMsg: { contentId: 'n1msg' } }, { n1msg: { contentType: N1_CONTENT_TYPE, data: smf.n1.establishmentReject(request.pduSessionId, request.pti, cause) } }),
  });
  // TS 23.502 4.3.2.2.1 with request type "initial emergency request": the emergency DNN (emergency.ts)
  const emergency = isEmergencyRequest(smf, data, dnn);
  if (!emergency && !smf.cfg.dnns.includes(dnn)) return reject(FiveGsmCause.MissingOrUnknownDnn, 'DNN_DENIED');
  if (request.pduSessionType !== undefined && request.pduSessionType !== 1) return reject(FiveGsmCause.UnknownPduSessionType, 'PDUTYPE_DENIED');
  const ref = smf.nextRef();
  const ctx: SmContext = { ref, state: 'creating', supi, pduSessionId: data.pduSessionId, dnn, snssai, amfCallback, amfUeContextUri, request, ...(emergency ? { emergency } : {}) };
  smf.contexts.set(ref, ctx);
  // a roaming UE's session, home-routed through the H-SMF the AMF named (4.3.2.2.2; home-routed-vsmf.ts)
  if (typeof data.hSmfUri === 'string') return vsmfCreateSmContext(smf, ctx, data.hSmfUri, n1bytes, data.ueLocation);
  try {
    // TS 29.502 SmContextCreateData onboardingInd (TS 23.502 4.2.2.2.4): an onboarding PDU session
    // takes its subscribed QoS from the SMF's local onboarding configuration, not from a UDM
    if (data.onboardingInd === true) ctx.subscribed = ONBOARDING_QOS;
    else if (!emergency) await registerWithUdm(smf, ctx);
    ctx.onboarding = data.onboardingInd === true;
    if (typeof data.pcfUeCallbackInfo?.callbackUri === 'string') ctx.pcfUeInfo = { callbackUri: data.pcfUeCallbackInfo.callbackUri };
    // pvsInfo (TS 29.571 ServerAddressingInfo[]): IPv4, IPv6 addresses and FQDNs; the body came from another NF, so read with care
    if (ctx.onboarding && Array.isArray(data.pvsInfo)) ctx.pvsAddresses = pvsAddressesOf(data.pvsInfo);
    ctx.ueAddress = smf.addresses.allocate();
  } catch (e) {
    const { after } = await releaseResources(smf, ctx);
    await after();
    if (e instanceof SbiProblem && e.problem.cause === 'DNN_DENIED') return reject(FiveGsmCause.MissingOrUnknownDnn, 'DNN_DENIED');
    if (e instanceof SbiProblem && e.problem.status === 404) return reject(FiveGsmCause.UserAuthenticationFailed, 'SUBSCRIPTION_DENIED');
    throw e;
  }
  return createdThenEstablished(smf, ctx, () => establish(smf, ctx), async () => {
    const { after } = await releaseResources(smf, ctx);
    await after();
  });
}

/**
 * The 201 of CreateSMContext, with the establishment steps that follow it (`run`) started once it
 * is sent (or by a colliding release), and `undo` if they fail or the AMF never got the 201.
 */
export function createdThenEstablished(smf: Smf, ctx: SmContext, run: () => Promise<void>, undo: () => Promise<void>): AnswerOf<CreateSmContext> {
  const started = new Promise<void>((resolve) => (ctx.startEstablishment = resolve));
  let failure: unknown;
  ctx.establishment = started
    .then(run)
    .catch(async (e: unknown) => {
      failure = e;
      if (ctx.state !== 'creating') return; // a colliding release cleans up
      ctx.state = 'releasing';
      const causes = failureCauses(ctx);
      await undo().catch((f: unknown) => void (failure = f));
      // the UE gets its PDU Session Establishment Reject and the AMF forgets the session (establishment-failure.ts)
      await reportEstablishmentFailure(smf, ctx, causes);
    });
  return {
    ...created(resourceUri(smf.cfg.baseUri, SMF.pduSession.updateSmContext, { smContextRef: ctx.ref }), { pduSessionId: ctx.pduSessionId, sNssai: ctx.snssai, upCnxState: 'ACTIVATING' }),
    // the steps after the 201 run after the response, as the clause orders them
    after: async () => {
      ctx.startEstablishment?.();
      await ctx.establishment;
      if (failure !== undefined) throw failure;
    },
    // An AMF that never got the 201 (its request timed out) knows no SM context to release: the
    // SMF undoes it, as a colliding release would (the establishment starts and stops at once).
    undelivered: async () => {
      if (ctx.state !== 'creating') return;
      ctx.state = 'releasing';
      ctx.startEstablishment?.();
      await ctx.establishment;
      await undo();
    },
  };
}

/** Steps 15-17: the gNB's tunnel arrives (Nsmf_PDUSession_UpdateSMContext), N4 Session Modification. */
export async function updateSmContext(smf: Smf, req: RequestOf<UpdateSmContext>): Promise<AnswerOf<UpdateSmContext>> {
  const ctx = contextOf(smf, req);
  // TS 29.502 6.1.6.2.3 SmContextUpdateData: no member is mandatory
  const body = objectBody(req) as SmfC['schemas']['SmContextUpdateData'];
  await ctx.establishment?.catch(() => {});
  // TS 23.502 4.3.4.2 / 4.3.4.3 step 1f: the AMF's release indication (amf-requested-release.ts)
  if (body.release === true) return amfRequestedRelease(smf, ctx, body);
  // a home-routed session: TS 23.502 4.3.4.3 step 1a and 4.3.4.2 steps 7, 10 (home-routed-vsmf.ts)
  if (ctx.homeRouted?.role === 'V-SMF') {
    const ack = vsmfReleaseAck(smf, ctx, req, body);
    if (ack) return ack;
    const n1 = binaryPart(req, body.n1SmMsg);
    if (n1 && smf.n1.decodeSmMessage(n1).name === 'PDU session release request') return vsmfReleaseTowardsHsmf(smf, ctx, { step: '4.3.4.3 step 1a', request: n1 }, body.ueLocation);
  }
  // TS 23.502 4.3.4.2 steps 1a, 7 and 10 (pdu-session-release.ts)
  const release = await pduSessionReleaseUpdate(smf, ctx, req, body);
  if (release) return release;
  // TS 23.502 4.2.2.2.2 step 17: the serving AMF changed (serving-amf-change.ts)
  const moved = servingAmfChange(smf, ctx, body);
  if (moved) return moved;
  // TS 23.502 4.2.6 step 5, 4.2.3.2 step 4: the user plane deactivated or activated (user-plane.ts)
  const up = await upCnxStateUpdate(smf, ctx, body);
  if (up) return up;
  if (ctx.state !== 'creating' && ctx.state !== 'active') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
  // step 15 with the NG-RAN's failure (setup-failure.ts)
  if (body.n2SmInfoType === 'PDU_RES_SETUP_FAIL') return onSetupFailure(smf, ctx, req, body);
  // TS 23.502 4.3.3.2 step 7: the NG-RAN's answer to a modification (session-modification.ts)
  const modified = modificationN2Answer(smf, ctx, req, body);
  if (modified) return modified;
  if (body.n2SmInfoType !== 'PDU_RES_SETUP_RSP') throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported n2SmInfoType ${String(body.n2SmInfoType)}`);
  const n2bytes = binaryPart(req, body.n2SmInfo);
  if (!n2bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n2SmInfo part is required');
  let dl: { gnbTeid: number; gnbAddress: string };
  try {
    dl = smf.n2.decodeSetupResponseTransfer(n2bytes);
  } catch (e) {
    throw new SbiProblem(400, 'N2_SM_ERROR', (e as Error).message);
  }
  if (!ctx.n4) throw new SbiProblem(409, 'UPF_NOT_RESPONDING', 'no N4 session');
  // an established session's user plane activated again by a Service Request is 4.2.3.2 step 17
  const n4Step = ctx.state === 'active' ? '4.2.3.2 step 17' : '4.3.2.2.1 step 16a';
  try {
    await smf.n4.modify(ctx.n4.upSeid, { gnbTeid: dl.gnbTeid, gnbAddress: dl.gnbAddress, downlink: 'forward' }, n4Step);
  } catch (e) {
    // the UPF refused (or did not answer): the session is released toward the UE and the AMF (n4-modification-failure.ts)
    return n4ModificationFailed(smf, ctx, e, n4Step);
  }
  ctx.state = 'active';
  // SUCC_RES_ALLO to the PCF when it subscribed (policy-triggers.ts), after the answer
  return { ...ok({ upCnxState: 'ACTIVATED' as const }), after: () => reportResourceAllocation(smf, ctx) };
}
