// Home-routed PDU sessions at the V-SMF (TS 23.502 4.3.2.2.2, 4.3.4.3): the AMF's CreateSMContext
// names the H-SMF (hSmfUri); the V-SMF answers it (step 3b), sets up the V-UPF's intermediate
// session (steps 5a-5b: N3 in from the gNB, N9 out to the H-UPF and back), creates the session at
// the H-SMF over N16 through the SEPPs (step 6, Nsmf_PDUSession_Create), points the V-UPF's uplink
// at the H-UPF's N9 tunnel once the H-SMF answered (step 13), and sends the UE the H-SMF's
// accept with its own N2 SM information (step 14). The gNB's tunnel arrives as in the non-roaming
// case (UpdateSMContext, establishment.ts). Releases: serving-network-initiated (4.3.4.3 step 1c,
// on deregistration) here; the H-SMF side is home-routed-hsmf.ts.

import { endLateCreation } from '../../common/sbi/late-answer.ts';
import { SbiMultipart, SbiProblem, binaryPart, objectBody, N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiRequest } from '../../common/sbi.ts';
import { noContent, ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { callbackUri, n16Client } from '../../common/sbi/client.ts';
import { CALLBACKS, type SMF } from '../../common/sbi/operations.ts';
import type { VsmfN4 } from '../n4-home-routed.ts';
import { contextOf, type Smf, type SmContext } from '../context.ts';
import type { Arp } from '../policy-decision.ts';
import type { TimerHandle } from '../../../transport/clock.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { createdThenEstablished, n1n2Transfer } from './establishment.ts';
import { smMessageTransfer } from './n1n2-message.ts';

/** The default QoS flow's QFI: the H-SMF allocates QFIs per session from 1 (TS 23.501 5.7.1.1), as this SMF does. */
const DEFAULT_QFI = 1;
const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const BIT_RATE_UNITS: Record<string, number> = { bps: 1, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
function bps(rate: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?) (bps|Kbps|Mbps|Gbps|Tbps)$/.exec(rate ?? '');
  if (!m) throw new SbiProblem(502, 'INVALID_MSG_FORMAT', `H-SMF sessionAmbr '${String(rate)}' is not a TS 29.571 BitRate`);
  return Number(m[1]) * BIT_RATE_UNITS[m[2]];
}

/** The H-SMF's ARP of the QoS flow (TS 29.571 Arp), which the N2 SM information carries. */
function arpOf(a: SmfC['schemas']['Arp'] | undefined): Arp {
  if (!a || typeof a.priorityLevel !== 'number') throw new SbiProblem(502, 'INVALID_MSG_FORMAT', 'H-SMF QoS flow profile without an ARP priority level');
  return { priorityLevel: a.priorityLevel, preemptCap: a.preemptCap === 'MAY_PREEMPT' ? 'MAY_PREEMPT' : 'NOT_PREEMPT', preemptVuln: a.preemptVuln === 'PREEMPTABLE' ? 'PREEMPTABLE' : 'NOT_PREEMPTABLE' };
}

function vsmfN4(smf: Smf): VsmfN4 {
  const n4 = smf.n4 as Partial<VsmfN4>;
  if (!n4.establishIntermediate || !n4.modifyUplink) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'this SMF\'s N4 cannot set up a V-UPF session');
  return n4 as VsmfN4;
}

/** TS 23.502 4.3.2.2.2 step 3b: the 201 to the AMF; steps 5-14 follow it. */
export function vsmfCreateSmContext(smf: Smf, ctx: SmContext, hSmfUri: string, n1FromUe: Uint8Array, ueLocation?: SmfC['schemas']['UserLocation']): AnswerOf<typeof SMF.pduSession.createSmContext> {
  ctx.homeRouted = { role: 'V-SMF' };
  return createdThenEstablished(smf, ctx, () => vsmfEstablish(smf, ctx, hSmfUri, n1FromUe, ueLocation), async () => {
    await vsmfReleaseAll(smf, ctx, VSMF_DEREGISTRATION_STEPS);
  });
}

async function vsmfEstablish(smf: Smf, ctx: SmContext, hSmfUri: string, n1FromUe: Uint8Array, ueLocation: SmfC['schemas']['UserLocation'] | undefined): Promise<void> {
  if (ctx.state !== 'creating' || ctx.homeRouted?.role !== 'V-SMF') return;
  const hr = ctx.homeRouted;
  const n4 = vsmfN4(smf);
  // steps 5a-5b: the V-UPF's session, its N3 and N9 F-TEIDs chosen by the V-UPF
  ctx.cpSeid = smf.seids.allocate();
  const vupf = await n4.establishIntermediate({ cpSeid: BigInt(ctx.cpSeid), qfi: DEFAULT_QFI, step: '4.3.2.2.2 step 5a' });
  ctx.n4 = { upSeid: vupf.upSeid, upfN3Teid: vupf.n3.teid, upfN3Address: vupf.n3.address };
  hr.n9 = vupf.n9;
  if (ctx.state !== 'creating') return;
  // step 6: Nsmf_PDUSession_Create at the H-SMF (N16, through vSEPP and hSEPP)
  const create: SmfC['schemas']['PduSessionCreateData'] = {
    supi: ctx.supi,
    pduSessionId: ctx.pduSessionId,
    dnn: ctx.dnn,
    sNssai: ctx.snssai,
    hplmnSnssai: ctx.snssai,
    vsmfId: smf.cfg.instanceId,
    servingNetwork: smf.cfg.plmn,
    requestType: 'INITIAL_REQUEST',
    vsmfPduSessionUri: callbackUri(smf.cfg.baseUri, CALLBACKS.vsmfUpdate, { smContextRef: ctx.ref }),
    vcnTunnelInfo: { ipv4Addr: vupf.n9.address, gtpTeid: hex8(vupf.n9.teid) },
    anType: '3GPP_ACCESS',
    ratType: 'NR',
    // where the AMF last saw the UE, and the time zone (as Open5GS's V-SMF sends them, src/smf/nsmf-build.c)
    ...(ueLocation ? { ueLocation } : {}),
    ueTimeZone: ueTimeZone(),
    n1SmInfoFromUe: { contentId: 'n1msg' },
  };
  const r = await n16Client(smf.sbi, hSmfUri).pduSession.create(new SbiMultipart(create, { n1msg: { contentType: N1_CONTENT_TYPE, data: n1FromUe } }), {
    step: '4.3.2.2.2 step 6',
    // a 201 after the time-out (the session failed here): the H-SMF's session, with its H-UPF
    // session and H-PCF association, is released at its Location, Nsmf_PDUSession_Release
    // (TS 29.502 5.2.2.9, TS 23.502 4.3.4.3 step 1c)
    lateAnswer: endLateCreation(`[SMF] ${ctx.supi} PDU session ${ctx.pduSessionId} at the H-SMF`, (uri) => n16Client(smf.sbi, '').pduSession.release(uri, { ueTimeZone: ueTimeZone() }, { step: '4.3.4.3 step 1c' }), smf.cfg.log),
  });
  hr.hsmfPduSessionUri = r.headers.location;
  const body = r.body as unknown;
  const created = (body instanceof SbiMultipart ? body.json : body) as SmfC['schemas']['PduSessionCreatedData'];
  const accept = body instanceof SbiMultipart ? binaryPart({ body }, created.n1SmInfoToUe) : undefined;
  const flow = created.qosFlowsSetupList?.[0];
  const h = created.hcnTunnelInfo;
  if (!hr.hsmfPduSessionUri || !accept || !flow?.qosFlowProfile || !h?.ipv4Addr || !created.sessionAmbr) throw new SbiProblem(502, 'INVALID_MSG_FORMAT', 'H-SMF PduSessionCreatedData without Location, n1SmInfoToUe, QoS flow, hcnTunnelInfo or sessionAmbr');
  ctx.qos = { qfi: flow.qfi, fiveQi: flow.qosFlowProfile['5qi'], arp: arpOf(flow.qosFlowProfile.arp), ambrUplinkBps: bps(created.sessionAmbr.uplink), ambrDownlinkBps: bps(created.sessionAmbr.downlink) };
  if (ctx.state !== 'creating') return;
  // step 13 (the H-SMF's answer): the V-UPF's uplink goes over N9 to the H-UPF
  await n4.modifyUplink(vupf.upSeid, { action: 'forward', teid: parseInt(h.gtpTeid, 16), address: h.ipv4Addr }, '4.3.2.2.2 step 13');
  if (ctx.state !== 'creating') return;
  // step 14: N1N2MessageTransfer: the H-SMF's accept, the V-UPF's N3 tunnel
  await n1n2Transfer(smf, ctx, accept, '4.3.2.2.2 step 14');
}

export const VSMF_DEREGISTRATION_STEPS: ReleaseSteps = { n4: '4.3.4.3 step 4', policy: '4.3.4.3 step 4', sdmUnsubscribe: '4.3.4.3 step 4', uecmDeregistration: '4.3.4.3 step 4' };

/**
 * Undoes a V-SMF session: the H-SMF's session (Nsmf_PDUSession_Release) if it was created, then the
 * V-UPF's. Also the tail of the serving-network-initiated release (4.3.4.3 step 1c).
 */
async function vsmfReleaseAll(smf: Smf, ctx: SmContext, steps: ReleaseSteps, releaseData: SmfC['schemas']['ReleaseData'] = {}): Promise<void> {
  const hr = ctx.homeRouted?.role === 'V-SMF' ? ctx.homeRouted : undefined;
  const failures: unknown[] = [];
  if (hr?.hsmfPduSessionUri) {
    const uri = hr.hsmfPduSessionUri;
    hr.hsmfPduSessionUri = undefined;
    // step 1c: Nsmf_PDUSession_Release at the H-SMF (N16); its answer is step 3b
    await n16Client(smf.sbi, '').pduSession.release(uri, releaseData, { step: '4.3.4.3 step 1c' }).catch((e: unknown) => failures.push(e));
  }
  const { after } = await releaseResources(smf, ctx, steps);
  await after();
  if (failures.length) throw failures[0];
}

/**
 * TS 23.502 4.3.4.3 step 1c during deregistration (the AMF's ReleaseSMContext): the V-SMF stops
 * the V-UPF's uplink (no NAS SM message), releases the session at the H-SMF (which does steps 2
 * and 6 before its answer, step 3b), releases the V-UPF's session and answers the AMF.
 */
export async function vsmfReleaseOnDeregistration(smf: Smf, ctx: SmContext, fromAmf: SmfC['schemas']['SmContextReleaseData']): Promise<AnswerOf<typeof SMF.pduSession.releaseSmContext>> {
  if (ctx.n4) await vsmfN4(smf).modifyUplink(ctx.n4.upSeid, { action: 'drop' }, '4.3.4.3 step 1c');
  // TS 29.502 ReleaseData: the AMF's cause (REL_DUE_TO_SLICE_NOT_AVAILABLE: the slice is no longer
  // available, 4.3.4.3 step 1c), NGAP cause, 5GMM cause and location passed on to the H-SMF
  const data: SmfC['schemas']['ReleaseData'] = { ueTimeZone: ueTimeZone(), ...(fromAmf.cause ? { cause: fromAmf.cause } : {}), ...(fromAmf.ngApCause ? { ngApCause: fromAmf.ngApCause } : {}), ...(fromAmf['5gMmCauseValue'] !== undefined ? { '5gMmCauseValue': fromAmf['5gMmCauseValue'] } : {}), ...(fromAmf.ueLocation ? { ueLocation: fromAmf.ueLocation } : {}) };
  await vsmfReleaseAll(smf, ctx, { ...VSMF_DEREGISTRATION_STEPS, n4: '4.3.4.3 step 4 (4.2.2.3.2 step 3a)' }, data);
  return noContent();
}

/** A home-routed release at the V-SMF waiting for the H-SMF's Release Command and the UE's and gNB's acknowledgements. */
interface HrRelease {
  /** 1a, 1f: the AMF's UpdateSMContext waits for the H-SMF's command (step 3a) to answer with it (4.3.4.2 step 3a). */
  commandArrived?: (command: Uint8Array) => void;
  n2Acknowledged: boolean;
  /** The UE's PDU SESSION RELEASE COMPLETE (its PCO go to the H-SMF in step 5). */
  complete?: Uint8Array;
  /** The User Location Information of the AMF's last UpdateSMContext (4.3.4.2 steps 7, 10), for step 5. */
  ueLocation?: SmfC['schemas']['UserLocation'];
  /** Secondary RAT usage the NG-RAN reported in its release response (4.3.4.2 step 7), for step 5. */
  secondaryRatUsageInfo?: SmfC['schemas']['SecondaryRatUsageInfo'][];
  acknowledged?: () => void;
}
const hrReleases = new WeakMap<SmContext, HrRelease>();

/** How long the V-SMF waits for the H-SMF's step 3a after its step 1a or 1f was answered (SmfConfig.hrReleaseCommandWaitMs). */
const COMMAND_WAIT_MS = 5000;

/** What starts a V-SMF's release towards the H-SMF: the UE's request (1a) or the AMF's release indication (1f). */
export type VsmfReleaseTrigger =
  | { step: '4.3.4.3 step 1a'; request: Uint8Array }
  | { step: '4.3.4.3 step 1f'; cause: string };

/**
 * TS 23.502 4.3.4.3 steps 1a and 1f at the V-SMF, in the AMF's UpdateSMContext: the V-UPF stops
 * forwarding uplink (and counting it), the H-SMF gets Nsmf_PDUSession_Update (1a: "Trigger PDU
 * Session Release" with the UE's message and its PCO; 1f: a network-requested release with the
 * AMF's cause), with the User Location Information and the time zone, and answers at once. Its
 * Release Command (step 3a) is what this UpdateSMContext answers with (4.3.4.2 step 3a). If it does
 * not come in time (on the SMF's clock), the V-SMF releases what it holds and says so.
 */
export async function vsmfReleaseTowardsHsmf(smf: Smf, ctx: SmContext, trigger: VsmfReleaseTrigger, location: SmfC['schemas']['SmContextUpdateData']['ueLocation']): Promise<AnswerOf<typeof SMF.pduSession.updateSmContext>> {
  const hr = ctx.homeRouted?.role === 'V-SMF' ? ctx.homeRouted : undefined;
  if (!hr?.hsmfPduSessionUri || ctx.state !== 'active') throw new SbiProblem(409, 'PDU_SESSION_NOT_ACTIVE', `PDU session ${ctx.pduSessionId} is ${ctx.state}`);
  ctx.state = 'releasing';
  if (ctx.n4) await vsmfN4(smf).modifyUplink(ctx.n4.upSeid, { action: 'drop' }, trigger.step);
  const r: HrRelease = { n2Acknowledged: false };
  const waitMs = smf.cfg.hrReleaseCommandWaitMs ?? COMMAND_WAIT_MS;
  let timer: TimerHandle | undefined;
  const command = new Promise<Uint8Array>((resolve, reject) => {
    r.commandArrived = resolve;
    timer = smf.clock.setTimeout(() => reject(new SbiProblem(504, 'NETWORK_FAILURE', `the H-SMF sent no Release Command within ${waitMs} ms (TS 23.502 4.3.4.3 step 3a)`)), waitMs);
  });
  hrReleases.set(ctx, r);
  const update: SmfC['schemas']['HsmfUpdateData'] = {
    ...(trigger.step === '4.3.4.3 step 1a' ? { requestIndication: 'UE_REQ_PDU_SES_REL', n1SmInfoFromUe: { contentId: 'n1msg' } } : { requestIndication: 'NW_REQ_PDU_SES_REL', cause: trigger.cause }),
    ...(location ? { ueLocation: location } : {}),
    ueTimeZone: ueTimeZone(),
  };
  let cmd: Uint8Array;
  try {
    await n16Client(smf.sbi, '').pduSession.update(hr.hsmfPduSessionUri, trigger.step === '4.3.4.3 step 1a' ? new SbiMultipart<SmfC['schemas']['HsmfUpdateData']>(update, { n1msg: { contentType: N1_CONTENT_TYPE, data: trigger.request } }) : update, { step: trigger.step });
    cmd = await command;
  } catch (e) {
    // no command will come: what the V-SMF holds goes, and the AMF learns it (4.3.4.3 step 8)
    smf.clock.clearTimeout(timer);
    hrReleases.delete(ctx);
    hr.hsmfPduSessionUri = undefined;
    const { after } = await releaseResources(smf, ctx, { ...VSMF_DEREGISTRATION_STEPS, n4: '4.3.4.3 step 4' });
    await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED', cause: 'REL_DUE_TO_PEER_NOT_RESPONDING' } }, { step: '4.3.4.3 step 8' }).catch(() => {});
    await after().catch(() => {});
    throw e;
  }
  smf.clock.clearTimeout(timer);
  r.commandArrived = undefined;
  // 4.3.4.2 step 3a (as 4.3.4.3 step 4): the Release Command and the N2 resource release request for
  // the AMF (always both: Control Plane CIoT 5GS Optimisation, which would skip 4a-4b, is not supported)
  return ok(new SbiMultipart<SmfC['schemas']['SmContextUpdatedData']>(
    { upCnxState: 'DEACTIVATED', n1SmMsg: { contentId: 'n1SmMsg' }, n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_REL_CMD' },
    { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: cmd }, n2SmInfo: { contentType: N2_CONTENT_TYPE, data: smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' }) } },
  ));
}

/**
 * TS 23.527 (restoration after a UPF restart, TS 29.244 6.2.6) at the V-SMF: the V-UPF lost the
 * home-routed session, so the V-SMF has the H-SMF release it as a network-requested release
 * (Nsmf_PDUSession_Update, NW_REQ_PDU_SES_REL with REL_DUE_TO_REACTIVATION, as in 4.3.4.3 step 1f:
 * the H-SMF's Release Command carries #39 reactivation requested). The H-SMF answers at once and
 * releases towards the UE through this V-SMF (steps 2, 3a, 4 by N1N2MessageTransfer, 5, 6, 8);
 * no N4 message goes to the V-UPF for the session it no longer has (the caller, upf-restart.ts,
 * has already dropped `ctx.n4`).
 */
export async function vsmfUpfLost(smf: Smf, ctx: SmContext, step: string): Promise<void> {
  const hr = ctx.homeRouted?.role === 'V-SMF' ? ctx.homeRouted : undefined;
  if (!hr?.hsmfPduSessionUri || ctx.state !== 'active') return;
  await n16Client(smf.sbi, '').pduSession.update(hr.hsmfPduSessionUri, { requestIndication: 'NW_REQ_PDU_SES_REL', cause: 'REL_DUE_TO_REACTIVATION', ueTimeZone: ueTimeZone() }, { step });
}

/** TS 29.571 TimeZone ('+01:00') of this host. */
function ueTimeZone(): string {
  const m = -new Date().getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * TS 23.502 4.3.4.3 step 3a at the V-SMF: the H-SMF's Nsmf_PDUSession_Update with the Release
 * Command. Step 4 (4.3.4.2 steps 3-10): to the UE in the answer to the AMF's waiting UpdateSMContext
 * (UE-initiated) or by N1N2MessageTransfer (HPLMN-initiated; Control Plane CIoT 5GS Optimisation is
 * not supported, so steps 4a-4b are never skipped); once the gNB and the UE acknowledged, step 5
 * (this answer, with the UE's Release Complete: its PCO, the location, the time zone), then the
 * V-UPF's session is released and step 8, SMContextStatusNotify (RELEASED) to the AMF.
 */
export async function vsmfUpdateFromHsmf(smf: Smf, req: RequestOf<typeof CALLBACKS.vsmfUpdate>): Promise<AnswerOf<typeof CALLBACKS.vsmfUpdate>> {
  const ctx = contextOf(smf, req);
  if (ctx.homeRouted?.role !== 'V-SMF') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
  const data = objectBody(req) as SmfC['schemas']['VsmfUpdateData'];
  const fromHsmf = binaryPart(req, data.n1SmInfoToUe);
  if (!fromHsmf || (data.requestIndication !== 'UE_REQ_PDU_SES_REL' && data.requestIndication !== 'NW_REQ_PDU_SES_REL')) throw new SbiProblem(403, 'MANDATORY_IE_INCORRECT', 'this V-SMF handles the H-SMF\'s release (requestIndication UE_REQ_PDU_SES_REL or NW_REQ_PDU_SES_REL with n1SmInfoToUe) only');
  const command = withAlternative(smf, fromHsmf, data);
  let r = hrReleases.get(ctx);
  const acknowledged = new Promise<void>((resolve) => {
    if (r) r.acknowledged = resolve;
    else hrReleases.set(ctx, (r = { n2Acknowledged: false, acknowledged: resolve }));
  });
  if (r?.commandArrived) r.commandArrived(command);
  else {
    // HPLMN-initiated: 4.3.4.2 step 3b. Control Plane CIoT 5GS Optimisation is not supported (no
    // session is ever set up for it), so steps 4a-4b of 4.3.4.3 are never the ones skipped. Small
    // Data Rate Control (a CIoT feature, TS 23.501 5.31.14) is not supported either: no UPF reports
    // a Small Data Rate Control Status, and no smallDataRateStatus goes to the AMF (none is invented).
    ctx.state = 'releasing';
    const transfer = smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' });
    await smf.namf.communication.n1n2MessageTransfer(ctx.amfUeContextUri, smMessageTransfer(ctx, command, { ngapIeType: 'PDU_RES_REL_CMD', data: transfer }), { step: '4.3.4.3 step 4 (4.3.4.2 step 3b)' });
  }
  await acknowledged;
  hrReleases.delete(ctx);
  const complete = r?.complete;
  // step 5: VsmfUpdatedData with the UE's Release Complete (its PCO), the location and the time zone
  return {
    status: 200,
    body: new SbiMultipart<SmfC['schemas']['VsmfUpdatedData']>({ ueTimeZone: ueTimeZone(), ...(r?.ueLocation ? { ueLocation: r.ueLocation } : {}), ...(complete ? { n1SmInfoFromUe: { contentId: 'n1msg' } } : {}), ...(r?.secondaryRatUsageInfo ? { secondaryRatUsageInfo: r.secondaryRatUsageInfo } : {}) }, complete ? { n1msg: { contentType: N1_CONTENT_TYPE, data: complete } } : {}),
    after: async () => {
      const { after } = await releaseResources(smf, ctx, { ...VSMF_DEREGISTRATION_STEPS, n4: '4.3.4.3 step 4' });
      // step 8: the AMF releases the association between the SMF ID and the PDU session (without
      // smallDataRateStatus: Small Data Rate Control is not supported, see step 4 above)
      await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED' } }, { step: '4.3.4.3 step 8' });
      await after();
    },
  };
}

/**
 * TS 23.502 4.3.4.3 step 4 (4.3.4.2 step 5c) for network slice replacement: the H-SMF's command gets
 * the Alternative S-NSSAI IE (TS 24.501 8.3.14), from VsmfUpdateData altHplmnSnssai (TS 29.502
 * Rel-18 has no Alternative VPLMN S-NSSAI there). Its SST/SD are the serving PLMN's alternative
 * S-NSSAI, which is the HPLMN one: wire5g's visited PLMN serves a roamer's S-NSSAIs under their
 * HPLMN values, as the session's own S-NSSAI in Nsmf_PDUSession_Create shows (sNssai =
 * hplmnSnssai); its mapped HPLMN SST/SD are the Alternative HPLMN S-NSSAI.
 */
function withAlternative(smf: Smf, command: Uint8Array, data: SmfC['schemas']['VsmfUpdateData']): Uint8Array {
  const h = data.altHplmnSnssai;
  if (!h) return command;
  try {
    return smf.n1.withAlternativeSnssai(command, { sst: h.sst, ...(h.sd ? { sd: h.sd } : {}), mappedSst: h.sst, ...(h.sd ? { mappedSd: h.sd } : {}) });
  } catch (e) {
    throw new SbiProblem(400, 'N1_SM_ERROR', `n1SmInfoToUe with altHplmnSnssai: ${(e as Error).message}`);
  }
}

/** 4.3.4.2 steps 7 and 10 of a home-routed release (the gNB's N2 ack, the UE's Release Complete); undefined when `req` is neither. */
export function vsmfReleaseAck(smf: Smf, ctx: SmContext, req: SbiRequest, body: SmfC['schemas']['SmContextUpdateData']): AnswerOf<typeof SMF.pduSession.updateSmContext> | undefined {
  const r = hrReleases.get(ctx);
  if (!r) return undefined;
  if (body.ueLocation) r.ueLocation = body.ueLocation;
  const n1 = binaryPart(req, body.n1SmMsg);
  if (n1) {
    if (smf.n1.decodeSmMessage(n1).name !== 'PDU session release complete') return undefined;
    r.complete = n1;
  } else if (body.n2SmInfoType === 'PDU_RES_REL_RSP') {
    r.n2Acknowledged = true;
    const n2 = binaryPart(req, body.n2SmInfo);
    if (n2) {
      // step 5's Secondary RAT usage, when the NG-RAN reported some (wire5g's gNB has no secondary node: never)
      try {
        const usage = smf.n2.decodeReleaseResponseTransfer(n2).secondaryRatUsageInfo;
        if (usage) r.secondaryRatUsageInfo = usage;
      } catch (e) {
        // the transfer is the NG-RAN's acknowledgement whatever it holds: the release goes on without it
        smf.cfg.log?.(`[SMF] PDU Session Resource Release Response Transfer of PDU session ${ctx.pduSessionId} not decoded: ${(e as Error).message}`);
      }
    }
  } else return undefined;
  if (r.complete && r.n2Acknowledged) r.acknowledged?.();
  return ok({});
}
