// Home-routed PDU sessions at the H-SMF (TS 23.502 4.3.2.2.2, 4.3.4.3; Nsmf_PDUSession on N16,
// TS 29.502 5.2.2.7-5.2.2.9): the V-SMF's Nsmf_PDUSession_Create (steps 6-13: UDM, SM policy with
// the H-PCF, N4 with the H-UPF whose downlink goes over N9 to the V-UPF, the N1 SM accept built
// here and handed back for the UE), and its Nsmf_PDUSession_Release in a serving-network-initiated
// release (4.3.4.3 step 1c: steps 2, 6 and 3b), its Nsmf_PDUSession_Update (steps 1a and 1f) and the
// HPLMN's own release (step 1e). The V-SMF side is home-routed-vsmf.ts.

import { SbiProblem, SbiMultipart, objectBody, requireString, binaryPart, N1_CONTENT_TYPE } from '../../common/sbi.ts';
import type { SbiRequest } from '../../common/sbi.ts';
import type { AnswerOf, RequestOf } from '../../common/sbi/routes.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { Ipv4Pool } from '../../common/pools.ts';
import { apiUri } from '../../common/sbi/client.ts';
import { N16 } from '../../common/sbi/operations.ts';
import type { PduSessionEstablishmentRequestInfo } from '../ports.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { registerWithUdm, policyAndN4 } from './establishment.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { releaseCommandCause } from './amf-requested-release.ts';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** The PDU session an N16 request names (`{pduSessionRef}`), or 404 (TS 29.502 5.2.2.8.2.1). */
export function hsmfSessionOf(smf: Smf, req: SbiRequest): SmContext & { homeRouted: { role: 'H-SMF' } } {
  const ctx = smf.contexts.get(req.params.pduSessionRef);
  if (!ctx || ctx.state === 'released' || ctx.homeRouted?.role !== 'H-SMF') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
  return ctx as SmContext & { homeRouted: { role: 'H-SMF' } };
}

/** TS 23.502 4.3.2.2.2 steps 6-13: Nsmf_PDUSession_Create (TS 29.502 5.2.2.7.1) at the H-SMF. */
export async function hsmfCreate(smf: Smf, req: RequestOf<typeof N16.pduSession.create>): Promise<AnswerOf<typeof N16.pduSession.create>> {
  const body = objectBody(req);
  const data = body as SmfC['schemas']['PduSessionCreateData'];
  const supi = requireString(body, 'supi');
  const dnn = requireString(body, 'dnn');
  const vsmfPduSessionUri = requireString(body, 'vsmfPduSessionUri');
  const vcn = data.vcnTunnelInfo;
  if (typeof data.pduSessionId !== 'number' || !vcn?.ipv4Addr || typeof vcn.gtpTeid !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId and vcnTunnelInfo (ipv4Addr, gtpTeid) are required');
  const snssai = data.hplmnSnssai ?? data.sNssai;
  if (typeof snssai?.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'hplmnSnssai or sNssai is required');
  const n1bytes = binaryPart(req, data.n1SmInfoFromUe);
  if (!n1bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'the n1SmInfoFromUe part is required');
  let request: PduSessionEstablishmentRequestInfo;
  try {
    request = smf.n1.decodeEstablishmentRequest(n1bytes);
  } catch (e) {
    throw new SbiProblem(400, 'N1_SM_ERROR', (e as Error).message);
  }
  // TS 29.502 6.1.3.5.3.1 (PduSessionCreateError with the N1 SM reject, 403)
  const reject = (cause: number, problem: string) => ({
    status: 403 as const,
    body: new SbiMultipart<SmfC['schemas']['PduSessionCreateError']>({ error: { status: 403, cause: problem }, n1smCause: cause.toString(16).padStart(2, '0'), n1SmInfoToUe: { contentId: 'n1msg' } }, { n1msg: { contentType: N1_CONTENT_TYPE, data: smf.n1.establishmentReject(request.pduSessionId, request.pti, cause) } }),
  });
  if (!smf.cfg.dnns.includes(dnn)) return reject(FiveGsmCause.MissingOrUnknownDnn, 'DNN_DENIED');
  const ref = smf.nextRef();
  const ctx: SmContext = {
    ref, state: 'creating', supi, pduSessionId: data.pduSessionId, dnn,
    snssai: typeof snssai.sd === 'string' ? { sst: snssai.sst, sd: snssai.sd } : { sst: snssai.sst },
    // no AMF of this PLMN serves the UE: the V-SMF is the H-SMF's peer (vsmfPduSessionUri)
    amfCallback: '', amfUeContextUri: '', request,
    homeRouted: { role: 'H-SMF', vsmfPduSessionUri, vcnTunnel: { teid: parseInt(vcn.gtpTeid, 16), address: vcn.ipv4Addr } },
    ...(data.servingNetwork ? { servingNetwork: { mcc: data.servingNetwork.mcc, mnc: data.servingNetwork.mnc } } : {}),
  };
  smf.contexts.set(ref, ctx);
  try {
    // step 7: UDM registration, SM subscription data, SDM subscription
    await registerWithUdm(smf, ctx, '4.3.2.2.2 step 7');
    ctx.ueAddress = smf.addresses.allocate();
    // steps 9b and 12a-b: SM policy with the H-PCF, N4 with the H-UPF
    if (!(await policyAndN4(smf, ctx, { policy: '4.3.2.2.2 step 9b', n4: '4.3.2.2.2 step 12a' })) || !ctx.n4 || !ctx.qos) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'released during its establishment');
    // the H-UPF's downlink goes over N9 to the V-UPF (the vcnTunnelInfo of step 6)
    await smf.n4.modify(ctx.n4.upSeid, { gnbTeid: parseInt(vcn.gtpTeid, 16), gnbAddress: vcn.ipv4Addr, downlink: 'forward' }, '4.3.2.2.2 step 12a');
  } catch (e) {
    ctx.state = 'releasing';
    const { after } = await releaseResources(smf, ctx, HSMF_RELEASE_STEPS);
    await after().catch(() => {});
    if (e instanceof SbiProblem && e.problem.cause === 'DNN_DENIED') return reject(FiveGsmCause.MissingOrUnknownDnn, 'DNN_DENIED');
    if (e instanceof SbiProblem && e.problem.status === 404) return reject(FiveGsmCause.UserAuthenticationFailed, 'SUBSCRIPTION_DENIED');
    throw e;
  }
  ctx.state = 'active';
  const q = ctx.qos;
  const accept = smf.n1.establishmentAccept({ pduSessionId: ctx.pduSessionId, pti: request.pti, ueAddress: Ipv4Pool.format(ctx.ueAddress), qos: q, sst: ctx.snssai.sst, ...(ctx.snssai.sd ? { sd: ctx.snssai.sd } : {}), dnn });
  const created: SmfC['schemas']['PduSessionCreatedData'] = {
    pduSessionType: 'IPV4',
    sscMode: '1',
    hcnTunnelInfo: { ipv4Addr: ctx.n4.upfN3Address, gtpTeid: hex8(ctx.n4.upfN3Teid) },
    sessionAmbr: { uplink: bitRate(q.ambrUplinkBps), downlink: bitRate(q.ambrDownlinkBps) },
    qosFlowsSetupList: [{
      qfi: q.qfi,
      qosRules: Buffer.from(smf.n1.defaultQosRules(q.qfi)).toString('base64'),
      defaultQosRuleInd: true,
      qosFlowProfile: { '5qi': q.fiveQi, arp: q.arp },
    }],
    hSmfInstanceId: smf.cfg.instanceId,
    pduSessionId: ctx.pduSessionId,
    sNssai: ctx.snssai,
    ueIpv4Address: Ipv4Pool.format(ctx.ueAddress),
    n1SmInfoToUe: { contentId: 'n1msg' },
  };
  // step 13: the answer, Location being the PDU session resource (TS 29.502 5.2.2.7.1)
  return {
    status: 201,
    headers: { location: apiUri(smf.cfg.baseUri, N16.pduSession.create, '/pdu-sessions/{pduSessionRef}', { pduSessionRef: ref }) },
    body: new SbiMultipart(created, { n1msg: { contentType: N1_CONTENT_TYPE, data: accept } }),
    // the V-SMF that never got the 201 never releases it
    undelivered: async () => {
      ctx.state = 'releasing';
      const { after } = await releaseResources(smf, ctx, HSMF_RELEASE_STEPS);
      await after();
    },
  };
}

/** TS 29.571 BitRate in whole Kbps. */
function bitRate(bps: number): string {
  return `${Math.ceil(bps / 1000)} Kbps`;
}

/**
 * 4.3.4.3 step 2 (4.3.4.2 steps 2a-2b at the H-UPF) and step 6 (4.16.6 with the H-PCF), then the UDM
 * clean-up. The H-UPF's N4 Session Deletion Response carries no Small Data Rate Control Status
 * (Small Data Rate Control, a CIoT feature, is not supported), so step 3b/4 has none to pass on.
 */
export const HSMF_RELEASE_STEPS: ReleaseSteps = { n4: '4.3.4.3 step 2', policy: '4.3.4.3 step 6', sdmUnsubscribe: '4.3.4.3 step 6', uecmDeregistration: '4.3.4.3 step 6' };

/**
 * TS 23.502 4.3.4.3 step 1c at the H-SMF: Nsmf_PDUSession_Release (TS 29.502 5.2.2.9) from the
 * V-SMF; step 2 (the H-UPF's N4 session released), step 6 (SM Policy Association Termination,
 * "between step 1b and step 3b" in the serving-network case), then step 3b, the answer.
 */
export async function hsmfRelease(smf: Smf, req: RequestOf<typeof N16.pduSession.release>): Promise<AnswerOf<typeof N16.pduSession.release>> {
  const ctx = hsmfSessionOf(smf, req);
  if (ctx.state === 'releasing') throw new SbiProblem(409, 'CONTEXT_NOT_FOUND', 'release already in progress');
  ctx.state = 'releasing';
  const { after } = await releaseResources(smf, ctx, HSMF_RELEASE_STEPS);
  await after();
  return { status: 204 };
}

/** TS 24.501 9.11.4.2 #36 regular deactivation. */
const REGULAR_DEACTIVATION = 36;
/** TS 24.501 6.3.3.2: no procedure transaction identity assigned (a network-requested release). */
const NO_PTI = 0;

/**
 * TS 23.502 4.3.4.3 steps 1a and 1f at the H-SMF: the V-SMF's Nsmf_PDUSession_Update, answered at
 * once. 1a: "Trigger PDU Session Release" (UE_REQ_PDU_SES_REL) with the UE's PDU Session Release
 * Request (its PCO and PTI), ULI, time zone. 1f: the serving network's AMF asked the V-SMF to
 * release (NW_REQ_PDU_SES_REL with the AMF's cause, TS 29.502 6.1.6.3.2), ULI, time zone; the
 * Release Command then carries PTI 0 and the 5GSM cause for that cause. The release towards the UE
 * follows (steps 2, 3a, 5, 6).
 */
export async function hsmfUpdate(smf: Smf, req: RequestOf<typeof N16.pduSession.update>): Promise<AnswerOf<typeof N16.pduSession.update>> {
  const ctx = hsmfSessionOf(smf, req);
  const data = objectBody(req) as SmfC['schemas']['HsmfUpdateData'];
  const ri = data.requestIndication;
  if (ri !== 'UE_REQ_PDU_SES_REL' && ri !== 'NW_REQ_PDU_SES_REL') throw new SbiProblem(403, 'MANDATORY_IE_INCORRECT', `requestIndication ${String(ri)}: this H-SMF handles a release (UE_REQ_PDU_SES_REL, NW_REQ_PDU_SES_REL) only (TS 29.502 5.2.2.8.2)`);
  if (ctx.state !== 'active') throw new SbiProblem(409, 'PDU_SESSION_NOT_ACTIVE', `PDU session ${ctx.pduSessionId} is ${ctx.state}`);
  let pti = NO_PTI;
  let cause = REGULAR_DEACTIVATION;
  if (ri === 'UE_REQ_PDU_SES_REL') {
    const n1 = binaryPart(req, data.n1SmInfoFromUe);
    if (n1) {
      try {
        pti = smf.n1.decodeSmMessage(n1).pti;
      } catch (e) {
        throw new SbiProblem(400, 'N1_SM_ERROR', (e as Error).message);
      }
    }
  } else cause = releaseCommandCause(typeof data.cause === 'string' ? data.cause : undefined);
  ctx.state = 'releasing';
  // "The H-SMF responds to the request immediately"; steps 2, 3a, 5 and 6 follow
  return { status: 204, after: () => releaseTowardsUe(smf, ctx, { pti, cause, n4Step: '4.3.4.3 step 2', requestIndication: ri }) };
}

export interface HplmnRelease {
  /** TS 24.501 9.11.4.2 cause of the PDU SESSION RELEASE COMMAND (default #36). */
  fiveGsmCause?: number;
  /** Network slice replacement (TS 23.501 5.15.19): the Alternative HPLMN S-NSSAI the UE re-establishes on. */
  altHplmnSnssai?: { sst: number; sd?: string };
  /** Who decided (for the SM policy step: the H-PCF's termination is 4.16.6 case A, its step 2). */
  trigger?: 'operator' | 'PCF' | 'CHF';
}

/**
 * TS 23.502 4.3.4.3 step 1e at the H-SMF (operator command or the H-PCF's termination): the H-UPF
 * stops forwarding downlink (N4 Session Modification), then step 7 (the H-UPF's session released,
 * as step 2), 3a (Nsmf_PDUSession_Update to the V-SMF with the Release Command, and for slice
 * replacement the Alternative HPLMN S-NSSAI and its cause), 5 (the V-SMF's answer) and 6.
 */
export async function hplmnInitiatedRelease(smf: Smf, ctx: SmContext, o: HplmnRelease = {}): Promise<void> {
  if (ctx.homeRouted?.role !== 'H-SMF') throw new SbiProblem(400, 'CONTEXT_NOT_FOUND', `PDU session ${ctx.pduSessionId} of ${ctx.supi} is not a home-routed session of this H-SMF`);
  if (ctx.state !== 'active') throw new SbiProblem(409, 'PDU_SESSION_NOT_ACTIVE', `PDU session ${ctx.pduSessionId} of ${ctx.supi} is ${ctx.state}, not active`);
  ctx.state = 'releasing';
  if (ctx.n4) await smf.n4.modify(ctx.n4.upSeid, { downlink: 'drop' }, '4.3.4.3 step 1e');
  await releaseTowardsUe(smf, ctx, { pti: NO_PTI, cause: o.fiveGsmCause ?? REGULAR_DEACTIVATION, n4Step: '4.3.4.3 step 7', requestIndication: 'NW_REQ_PDU_SES_REL', ...(o.altHplmnSnssai ? { altHplmnSnssai: o.altHplmnSnssai } : {}), ...(o.trigger === 'PCF' ? { policyStep: '4.3.4.3 step 6 (4.16.6 step 2)' } : {}) });
}

async function releaseTowardsUe(smf: Smf, ctx: SmContext, o: { pti: number; cause: number; n4Step: string; requestIndication: 'UE_REQ_PDU_SES_REL' | 'NW_REQ_PDU_SES_REL'; altHplmnSnssai?: { sst: number; sd?: string }; policyStep?: string }): Promise<void> {
  if (ctx.homeRouted?.role !== 'H-SMF') return;
  const vsmf = ctx.homeRouted.vsmfPduSessionUri;
  // step 2 (UE-initiated) / step 7 (HPLMN-initiated): the H-UPF's session released (4.3.4.2 steps 2a-2b)
  const { after } = await releaseResources(smf, ctx, { ...HSMF_RELEASE_STEPS, n4: o.n4Step, ...(o.policyStep ? { policy: o.policyStep } : {}) });
  let failure: unknown;
  try {
    // step 3a: what the V-SMF needs to build the Release Command: the command itself (TS 29.502
    // VsmfUpdateData n1SmInfoToUe), the 5GSM cause; for slice replacement the Alternative HPLMN S-NSSAI
    const command = smf.n1.releaseCommand(ctx.pduSessionId, o.pti, o.cause);
    await smf.notify.vsmfUpdate(vsmf, new SbiMultipart<SmfC['schemas']['VsmfUpdateData']>({
      requestIndication: o.requestIndication,
      n1SmInfoToUe: { contentId: 'n1msg' },
      n1smCause: o.cause.toString(16).padStart(2, '0').toUpperCase(),
      ...(o.altHplmnSnssai ? { altHplmnSnssai: o.altHplmnSnssai } : {}),
    }, { n1msg: { contentType: N1_CONTENT_TYPE, data: command } }), { step: '4.3.4.3 step 3a' });
    // step 5 is the V-SMF's answer, after the UE's Release Complete (4.3.4.2 steps 3-10 on its side)
  } catch (e) {
    failure = e;
  }
  // step 6: SM Policy Association Termination with the H-PCF (4.16.6), the UDM clean-up
  await after();
  if (failure !== undefined) throw failure;
}

/** TS 24.501 9.11.4.2 #39 reactivation requested: the UE re-establishes the session (on the Alternative S-NSSAI for a slice replacement). */
const REACTIVATION_REQUESTED = 39;

/** `wire5g ctl smf release <supi> <psi> --plmn home [--replace-slice SST[:SD]]`: the H-SMF's release of a home-routed session (4.3.4.3 step 1e). */
export async function hsmfReleaseBySupi(smf: Smf, supi: string, psi: number, o: { fiveGsmCause?: number; altHplmnSnssai?: { sst: number; sd?: string } } = {}): Promise<void> {
  const ctx = [...smf.contexts.values()].find((c) => c.supi === supi && c.pduSessionId === psi && c.state !== 'released' && c.homeRouted?.role === 'H-SMF');
  if (!ctx) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `the H-SMF has no home-routed PDU session ${psi} of ${supi}`);
  // slice replacement (TS 23.501 5.15.19): the release asks the UE to re-establish on the Alternative HPLMN S-NSSAI
  await hplmnInitiatedRelease(smf, ctx, { fiveGsmCause: o.fiveGsmCause ?? (o.altHplmnSnssai ? REACTIVATION_REQUESTED : REGULAR_DEACTIVATION), ...(o.altHplmnSnssai ? { altHplmnSnssai: o.altHplmnSnssai } : {}), trigger: 'operator' });
}
