// Service request, UE side (TS 24.501 5.6.1; TS 23.502 4.2.3.2 step 1): a UE in 5GMM-IDLE
// (CM-IDLE) that was paged (service type "mobile terminated services", 4.2.3.3 step 6) or has
// uplink data for a PDU session (service type "data", with the uplink data status) opens a new RRC
// connection (RRC establishment cause mt-Access / mo-Data) with a SERVICE REQUEST: the cleartext
// IEs (ngKSI, service type, 5G-S-TMSI) integrity protected with its current 5G NAS security
// context, and the whole message, with the PDU session status and the uplink data status, in the
// NAS message container, its value part ciphered (TS 24.501 4.4.6). T3517 (15 s) guards the answer:
//   SERVICE ACCEPT   5.6.1.4.1: the PDU sessions the network no longer has (PDU session status)
//                    are released locally; the user plane of those with uplink data is back
//   SERVICE REJECT   5.6.1.5: #9 / #10, the UE is deregistered (#9 also deletes its 5G-GUTI and
//                    ngKSI) and automatically registers again (initial registration)
//   T3517 expiry     5.6.1.7 a): the procedure is aborted and the connection released locally

import { nasMessage, encodeNasMessage, cipherNasMessageContainer, type NasMessage, type PsiBitmap } from '../../../codecs/nas/index.ts';
import { GmmState } from '../gmm-state.ts';
import { sendProtected } from '../n1.ts';
import type { Ue } from '../ue.ts';

/** TS 24.501 Table 10.2.1: T3517, 15 s. */
export const T3517_MS = 15_000;

/** A Service request the network rejected or left unanswered. */
export class ServiceRequestFailed extends Error {
  readonly fiveGmmCause: number | undefined;
  constructor(message: string, fiveGmmCause?: number) {
    super(message);
    this.name = 'ServiceRequestFailed';
    this.fiveGmmCause = fiveGmmCause;
  }
}

/**
 * Sends the SERVICE REQUEST; resolves on SERVICE ACCEPT. A Service request already under way is
 * shared (the UE runs one at a time, TS 23.502 4.2.3.1).
 */
export function serviceRequest(ue: Ue, type: 'signalling' | 'data' | 'mobile-terminated', uplinkPsis: number[] = []): Promise<void> {
  if (ue.serviceRequest) return ue.serviceRequest.promise;
  const sec = ue.security;
  const guti = ue.guti;
  if (ue.gmm !== GmmState.REGISTERED || !sec || !guti || !ue.cell) return Promise.reject(new ServiceRequestFailed(`a Service request needs 5GMM-REGISTERED with a 5G-GUTI and a security context, the UE is ${ue.gmm}`));
  if (ue.conn) return Promise.resolve(); // CM-CONNECTED: nothing to request from idle
  const cleartext = {
    ngKsi: { tsc: 0, ksi: sec.ngKsi },
    // TS 24.501 9.11.3.50: 0 signalling, 1 data, 2 mobile terminated services
    serviceType: type === 'signalling' ? 0 : type === 'data' ? 1 : 2,
    fiveGSTmsi: { type: '5g-s-tmsi' as const, amfSetId: guti.amfSetId, amfPointer: guti.amfPointer, tmsi: guti.tmsi },
  };
  const full = nasMessage('Service request', {
    ...cleartext,
    ...(uplinkPsis.length ? { uplinkDataStatus: { psis: [...uplinkPsis].sort((a, b) => a - b) } } : {}),
    pduSessionStatus: { psis: [...ue.sessions.keys()].sort((a, b) => a - b) },
  });
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  const timer = ue.clock.setTimeout(() => {
    ue.log(`[UE ${ue.supi}] T3517 expired: Service request aborted (TS 24.501 5.6.1.7 a)`);
    finish(ue, new ServiceRequestFailed('T3517 expired: no answer to the Service request (TS 24.501 5.6.1.7 a)'), 'service-aborted');
    ue.releaseConnectionLocally();
  }, T3517_MS);
  ue.serviceRequest = { promise, resolve, reject, timer };
  ue.transition('service-requested');
  const container = cipherNasMessageContainer(sec, sec.uplinkCount, 0, encodeNasMessage(full));
  const step = type === 'mobile-terminated' ? '4.2.3.3 step 6 (4.2.3.2 step 1)' : '4.2.3.2 step 1';
  sendProtected(ue, encodeNasMessage(nasMessage('Service request', { ...cleartext, nasMessageContainer: container })), 1, 'Service request', step, undefined, type === 'data' ? 'mo-Data' : type === 'signalling' ? 'mo-Signalling' : 'mt-Access');
  return promise;
}

function finish(ue: Ue, outcome: Error | undefined, event: 'service-accepted' | 'service-rejected' | 'service-aborted'): void {
  const r = ue.serviceRequest;
  if (!r) return;
  ue.serviceRequest = undefined;
  ue.clock.clearTimeout(r.timer);
  if (ue.gmm === GmmState.SERVICE_REQUEST_INITIATED) ue.transition(event);
  if (outcome) r.reject(outcome);
  else r.resolve();
}

/** TS 24.501 5.6.1.4.1: SERVICE ACCEPT. */
export function onServiceAccept(ue: Ue, m: NasMessage): void {
  if (!ue.serviceRequest) {
    ue.unexpected.push(m.name);
    return;
  }
  // the PDU sessions the network does not hold any more are released locally
  const status = m.ies.pduSessionStatus as PsiBitmap | undefined;
  if (status) for (const psi of [...ue.sessions.keys()]) if (!status.psis.includes(psi)) ue.sessions.delete(psi);
  const notReactivated = (m.ies.pduSessionReactivationResult as PsiBitmap | undefined)?.psis ?? [];
  if (notReactivated.length) ue.log(`[UE ${ue.supi}] Service accept: the user plane of PDU session(s) ${notReactivated.join(', ')} was not re-established`);
  finish(ue, undefined, 'service-accepted');
}

/** TS 24.501 5.6.1.5 causes the UE acts on (9.11.3.2). */
const UE_IDENTITY_CANNOT_BE_DERIVED = 9;
const IMPLICITLY_DEREGISTERED = 10;

/**
 * TS 24.501 5.6.1.5: SERVICE REJECT. #9 "UE identity cannot be derived by the network": the UE
 * deletes its 5G-GUTI, TAI list and ngKSI (its 5G NAS security context), enters 5GMM-DEREGISTERED
 * and then automatically initiates the initial registration procedure; #10 "implicitly
 * de-registered": 5GMM-DEREGISTERED and a new initial registration. The registration starts once
 * the network has released the NAS signalling connection (network-deregistration.ts
 * afterConnectionRelease), and the PDU sessions the UE had are established again after it, as
 * its applications would (the same choice as for "re-registration required", docs/decisions.md).
 */
export function onServiceReject(ue: Ue, m: NasMessage): void {
  if (!ue.serviceRequest) {
    ue.unexpected.push(m.name);
    return;
  }
  const cause = m.ies.fiveGmmCause as number | undefined;
  const sessions = [...ue.sessions.values()].map((s) => ({ psi: s.pduSessionId, dnn: s.dnn, snssai: s.snssai }));
  ue.releaseSessionsLocally();
  ue.registration = undefined;
  if (cause === UE_IDENTITY_CANNOT_BE_DERIVED) {
    ue.guti = undefined;
    ue.security = undefined;
  }
  if (cause === UE_IDENTITY_CANNOT_BE_DERIVED || cause === IMPLICITLY_DEREGISTERED) {
    ue.networkDeregistration.reRegistrationPending = true;
    ue.networkDeregistration.sessionsToRestore = sessions;
  }
  finish(ue, new ServiceRequestFailed(`Service reject, 5GMM cause #${String(cause)} (TS 24.501 5.6.1.5)`, cause), 'service-rejected');
}
