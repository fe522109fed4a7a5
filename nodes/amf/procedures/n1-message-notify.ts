// Registration with AMF re-allocation, TS 23.502 4.2.2.2.3 step 7(A) and step 8 at the target AMF:
// Namf_Communication_N1MessageNotify (TS 29.518 5.2.2.4.2) from the initial AMF, to the N1_MESSAGES
// notification URI this AMF registered at the NRF. The target AMF takes the UE on the NG connection
// the RegistrationContextContainer names (the gNB by its Global RAN Node ID, the RAN UE NGAP ID),
// allocates its own AMF UE NGAP ID, and takes the 5G NAS security context of the UE context
// (step 8: "continue using that one"); then the registration continues from step 4 of 4.2.2.2.2
// with the complete Registration Request (registration.ts). Its first NGAP message to the NG-RAN
// carries the initial AMF's name (Old AMF IE, TS 38.413 9.2.2.1 / 9.2.5.2), which moves the UE's
// N2 termination point at the gNB (nodes/gnb/reroute.ts).

import { decodeNasMessage, type NasMessage } from '../../../codecs/nas/index.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';
import { SbiProblem, objectBody, binaryPart } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { CALLBACKS } from '../../common/sbi/operations.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, GnbContext } from '../context.ts';
import type { UserLocation } from '../user-location.ts';
import { registration, undoRegistration } from './registration.ts';
import { releaseUeContext } from './ue-context-release.ts';
import { adoptUeContext } from './context-from-old-amf.ts';

/**
 * The AMF's name as TS 29.571 Fqdn (RegistrationContextContainer.initialAmfName): wire5g's AMF names
 * are single labels (NGAP AMFName, TS 38.413 9.3.3.21), given the 5GC home network domain of TS
 * 23.003 28.2; amfNameOfFqdn takes the label back for the NGAP Old AMF IE.
 */
export function amfFqdn(name: string, plmn: { mcc: string; mnc: string }): string {
  return `${name}.5gc.mnc${plmn.mnc.padStart(3, '0')}.mcc${plmn.mcc}.3gppnetwork.org`;
}

function amfNameOfFqdn(fqdn: string, plmn: { mcc: string; mnc: string }): string {
  const domain = amfFqdn('', plmn);
  return fqdn.endsWith(domain) ? fqdn.slice(0, -domain.length) : fqdn;
}

/** The initial AMF's name (Old AMF IE) for the first NGAP message to the NG-RAN, by UE (taken when sent). */
const oldAmfNames = new WeakMap<AmfUe, string>();

/** TS 38.413 9.2.2.1 / 9.2.5.2 Old AMF: the initial AMF's name on the target AMF's first message to the NG-RAN, once. */
export function takeOldAmf(ue: AmfUe): { OldAMF: string } | Record<string, never> {
  const name = oldAmfNames.get(ue);
  if (name === undefined) return {};
  oldAmfNames.delete(ue);
  return { OldAMF: name };
}

/** The gNB of a Global RAN Node ID (TS 29.571 GlobalRanNodeId: gNbId bitLength and hex value). */
function gnbOf(amf: Amf, id: CommC['schemas']['GlobalRanNodeId'] | undefined): GnbContext | undefined {
  const g = (id as { gNbId?: { bitLength: number; gNBValue: string } } | undefined)?.gNbId;
  if (!g || !/^[0-9A-Fa-f]{6,8}$/.test(g.gNBValue)) return undefined;
  const gnbId = parseInt(g.gNBValue, 16);
  return [...amf.gnbs].find((x) => x.setUp && x.gnbId === gnbId);
}

export async function n1MessageNotify(amf: Amf, req: RequestOf<typeof CALLBACKS.n1MessageNotify>): Promise<AnswerOf<typeof CALLBACKS.n1MessageNotify>> {
  const body = objectBody(req) as Partial<CommC['schemas']['N1MessageNotification']>;
  const container = body.n1MessageContainer;
  if (!container || container.n1MessageClass !== '5GMM') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'n1MessageContainer of class 5GMM is required (TS 29.518 6.1.6.2.13)');
  const rc = body.registrationCtxtContainer;
  if (!rc) throw new SbiProblem(403, 'UNSPECIFIED', 'this AMF serves N1MessageNotify for the Registration with AMF re-allocation only (registrationCtxtContainer)');
  const bytes = binaryPart(req, container.n1MessageContent);
  if (!bytes) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'the N1 message part named by n1MessageContent is missing');
  let request: NasMessage;
  try {
    request = decodeNasMessage(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `the N1 message does not decode: ${e.message}`);
    throw e;
  }
  if (request.name !== 'Registration request') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `the N1 message is a ${request.name}, not a Registration request`);
  const supi = rc.ueContext.supi ?? body.supi;
  if (!supi) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'ueContext.supi is required');
  const gnb = gnbOf(amf, rc.ranNodeId);
  if (!gnb) throw new SbiProblem(403, 'UNSPECIFIED', 'ranNodeId: this AMF has no NG association with that gNB');
  if (!Number.isInteger(rc.anN2ApId) || rc.anN2ApId < 0 || rc.anN2ApId >= 2 ** 32) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'anN2ApId must be a RAN UE NGAP ID');
  const streams = gnb.assoc.outboundStreams;
  const ue: AmfUe = {
    amfUeNgapId: 0, // allocated once the UE context is taken
    ranUeNgapId: rc.anN2ApId,
    gnb,
    stream: streams > 1 ? 1 + (rc.anN2ApId % (streams - 1)) : 0,
    state: '5GMM-DEREGISTERED',
    ...(rc.userLocation.nrLocation ? { location: rc.userLocation as UserLocation } : {}),
    sessions: new Map(),
    waiters: [],
    busy: Promise.resolve(),
    ngapWaiters: new Map(),
    released: false,
    received: [request.name],
    // no UE context requested: the NG-RAN has it (a CM-CONNECTED UE), so step 21 goes in Downlink NAS Transport
    ...(rc.ueContextRequest !== true ? { initialContextSetUp: true } : {}),
  };
  // the UE context with its 5G security context (TS 29.518 SeafData, MmContext; context-from-old-amf.ts)
  const older = amf.bySupi.get(supi);
  if (!adoptUeContext(amf, ue, { ...rc.ueContext, supi })) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'ueContext: seafData with KAMF and the 3GPP access MM context with its NAS security mode and COUNTs are required (TS 29.518 6.1.6.2.25)');
  oldAmfNames.set(ue, amfNameOfFqdn(rc.initialAmfName, amf.cfg.plmn));
  const existing = gnb.ues.get(rc.anN2ApId);
  if (existing) amf.dropUe(existing);
  ue.amfUeNgapId = amf.ngapIds.allocate();
  amf.ues.set(ue.amfUeNgapId, ue);
  gnb.ues.set(ue.ranUeNgapId, ue);
  amf.log(`UE ${supi}: Registration Request rerouted from AMF ${rc.initialAmfName} (TS 23.502 4.2.2.2.3 step 7(A)); RAN UE NGAP ID ${ue.ranUeNgapId}, AMF UE NGAP ID ${ue.amfUeNgapId}`);
  // step 8, after the answer: the registration from step 4 of 4.2.2.2.2 with the initial AMF's security context
  const run = ue.busy.then(async () => {
    if (older && older !== ue) {
      await undoRegistration(amf, older);
      if (!older.released) await releaseUeContext(amf, older, { nas: 'unspecified' }, '4.2.2.2.3 step 8');
      amf.forget(older);
    }
    amf.bySupi.set(supi, ue);
    await registration(amf, ue, { message: request, integrityVerified: true, securityFromInitialAmf: true });
  });
  ue.busy = run.catch(() => {});
  amf.track(run);
  return noContent();
}
