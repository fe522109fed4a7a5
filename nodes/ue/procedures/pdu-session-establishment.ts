// UE-requested PDU session establishment, UE side: TS 24.501 6.4.1 (TS 23.502 4.3.2.2.1 step 1 and
// step 12's accept or reject), with T3580 (6.4.1.6), the 5GSM messages in DL NAS transport
// (5.4.5.3) and the network-requested release of a session (6.3.3).

import { serviceRequest } from './service-request.ts';
import { nasMessage, encodeNasMessage, decodeNasMessage, encodePco, decodePco, pvsInformation, PcoContainerId, type NasMessage, type PduAddress, type QosRule, type SNssai } from '../../../codecs/nas/index.ts';
import { GmmState } from '../gmm-state.ts';
import { T3580_MS, T3580_MAX_RETRANSMISSIONS, PduSessionRejected, type Ue, type PendingPduSession } from '../ue.ts';
import { sendNas, accept, discard } from '../n1.ts';
import type { Snssai } from '../../common/config.ts';

/**
 * UE-requested PDU session establishment; resolves with the IPv4 address of the session. An
 * emergency one (request type "initial emergency request", TS 24.501 6.4.1.2) names no DNN nor
 * S-NSSAI and needs the network's support of emergency services (EMC of the Registration accept).
 */
export function pduSessionEstablishment(ue: Ue, psi: number, o: { dnn?: string; snssai?: Snssai; emergency?: boolean } = {}): Promise<{ address: string }> {
  if (ue.gmm !== GmmState.REGISTERED) return Promise.reject(new Error(`PDU session establishment needs 5GMM-REGISTERED, the UE is ${ue.gmm}`));
  if (o.emergency && !ue.registration?.emergencyServicesSupported) return Promise.reject(new Error('the network does not support emergency services (TS 24.501 9.11.3.5 EMC of the Registration accept)'));
  if (!o.emergency && ue.registration?.emergencyRegistered) return Promise.reject(new Error('the UE is registered for emergency services: only an emergency PDU session (TS 23.501 5.16.4.1)'));
  if (o.emergency && (o.dnn !== undefined || o.snssai !== undefined)) return Promise.reject(new Error('an emergency PDU session names no DNN nor S-NSSAI (TS 24.501 6.4.1.2)'));
  if (psi < 1 || psi > 15) return Promise.reject(new RangeError(`PDU session identity ${psi} is not 1..15`));
  if (ue.sessions.has(psi) || ue.pending.has(psi)) return Promise.reject(new Error(`PDU session ${psi} already exists or is being established`));
  // TS 24.501 5.6.1.1: in 5GMM-IDLE, uplink signalling first needs a Service request (type "signalling")
  if (!ue.conn && ue.cell && ue.guti) return serviceRequest(ue, 'signalling').then(() => pduSessionEstablishment(ue, psi, o));
  const pti = allocatePti(ue);
  const request = encodeNasMessage(nasMessage('PDU session establishment request', {
    integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff),
    pduSessionType: 1,
    sscMode: 1,
    // SNPN onboarding: the UE asks for the PVS addresses (ePCO container 0036H, TS 24.008 10.5.6.3; TS 23.501 5.30.2.10.4)
    ...(ue.cfg.snpn?.onboarding ? { extendedProtocolConfigurationOptions: encodePco([{ id: PcoContainerId.PVS_INFORMATION_REQUEST, contents: new Uint8Array(0) }]) } : {}),
  }, { pduSessionId: psi, pti }));
  return new Promise((resolve, reject) => {
    const p: PendingPduSession = { psi, pti, request, dnn: o.dnn ?? ue.cfg.dnn, snssai: o.snssai ?? ue.cfg.snssai, timer: undefined, retransmissions: 0, resolve, reject, ...(o.emergency ? { emergency: true } : {}) };
    ue.pending.set(psi, p);
    sendPduSessionRequest(ue, p);
  });
}

export function sendPduSessionRequest(ue: Ue, p: PendingPduSession): void {
  const ul = nasMessage('UL NAS transport', {
    payloadContainerType: 1,
    payloadContainer: p.request,
    pduSessionId: p.psi,
    // TS 24.501 9.11.3.47: 1 initial request, 3 initial emergency request (no S-NSSAI, no DNN)
    ...(p.emergency ? { requestType: 3 } : { requestType: 1, sNssai: ue.nasSnssai(p.snssai), dnn: p.dnn }),
  });
  sendNas(ue, ul, 'UL NAS transport', '4.3.2.2.1 step 1', 'PDU session establishment request');
  // 6.4.1.6 a): T3580 expiry retransmits the request, four times, then aborts.
  p.timer = ue.clock.setTimeout(() => {
    p.timer = undefined;
    ue.stats.t3580Expiries++;
    if (ue.pending.get(p.psi) !== p) return;
    if (p.retransmissions < T3580_MAX_RETRANSMISSIONS) {
      p.retransmissions++;
      sendPduSessionRequest(ue, p);
      return;
    }
    ue.pending.delete(p.psi);
    p.reject(new PduSessionRejected(`T3580 expired ${T3580_MAX_RETRANSMISSIONS + 1} times: PDU session ${p.psi} establishment aborted (TS 24.501 6.4.1.6 a)`));
  }, T3580_MS);
}

export function allocatePti(ue: Ue): number {
  const pti = ue.nextPti;
  ue.nextPti = ue.nextPti >= 254 ? 1 : ue.nextPti + 1;
  return pti;
}

/** DL NAS transport (5.4.5.3): a 5GSM message for a PDU session, or the 5GMM cause of one not forwarded. */
export function onDlNasTransport(ue: Ue, m: NasMessage): void {
  const type = Number(m.ies.payloadContainerType);
  const container = m.ies.payloadContainer as Uint8Array;
  const psi = m.ies.pduSessionId as number | undefined;
  const gmmCause = m.ies.fiveGmmCause as number | undefined;
  if (type !== 1) {
    ue.log(`[UE ${ue.cfg.supi}] DL NAS transport with payload container type ${type} ignored`);
    return;
  }
  let sm: NasMessage;
  try {
    sm = decodeNasMessage(container);
  } catch (e) {
    discard(ue, `5GSM message does not decode: ${(e as Error).message}`, 'DL NAS transport');
    return;
  }
  if (gmmCause !== undefined) {
    // 5.4.5.3.3: the network could not forward the 5GSM message it returns; the procedure fails.
    accept(ue, `${sm.name} (returned)`);
    const p = ue.pending.get(psi ?? sm.pduSessionId ?? -1);
    if (p) finishPending(ue, p, new PduSessionRejected(`5GSM message not forwarded, 5GMM cause #${gmmCause} (TS 24.501 5.4.5.3.3)`, { fiveGmmCause: gmmCause }));
    return;
  }
  accept(ue, sm.name);
  on5gsm(ue, sm);
}

/** The PVS addresses and names of an accept's ePCO (0036H IPv4, 0037H IPv6, 0038H names, in that order); a malformed ePCO gives none and is logged. */
function pvsOf(ue: Ue, epco: Uint8Array | undefined): string[] {
  if (!epco) return [];
  try {
    const i = pvsInformation(decodePco(epco));
    return [...i.ipv4Addresses, ...i.ipv6Addresses, ...i.names];
  } catch (e) {
    ue.cfg.log?.(`[UE ${ue.supi}] ePCO of the PDU session establishment accept ignored: ${(e as Error).message}`);
    return [];
  }
}

export function on5gsm(ue: Ue, sm: NasMessage): void {
  const psi = sm.pduSessionId ?? 0;
  const p = ue.pending.get(psi);
  switch (sm.name) {
    case 'PDU session establishment accept': {
      if (!p || p.pti !== sm.pti) {
        ue.unexpected.push(sm.name);
        return;
      }
      const addr = sm.ies.pduAddress as PduAddress | undefined;
      if (!addr?.ipv4) {
        finishPending(ue, p, new PduSessionRejected('PDU session establishment accept without an IPv4 PDU address'));
        return;
      }
      // the DNN the network chose (an emergency session named none)
      const dnn = (sm.ies.dnn as string | undefined) ?? p.dnn;
      const pvsAddresses = pvsOf(ue, sm.ies.extendedProtocolConfigurationOptions as Uint8Array | undefined);
      ue.sessions.set(psi, { pduSessionId: psi, address: addr.ipv4, qosRules: (sm.ies.authorizedQosRules as QosRule[]) ?? [], sessionAmbr: sm.ies.sessionAmbr, dnn, snssai: p.snssai, ...(p.emergency ? { emergency: true } : {}), ...(pvsAddresses.length ? { pvsAddresses } : {}) });
      finishPending(ue, p, undefined, { address: addr.ipv4 });
      return;
    }
    case 'PDU session establishment reject': {
      const cause = Number(sm.ies.fiveGsmCause);
      if (p && p.pti === sm.pti) finishPending(ue, p, new PduSessionRejected(`PDU session establishment reject, 5GSM cause #${cause} (TS 24.501 6.4.1.4)`, { fiveGsmCause: cause }));
      else ue.unexpected.push(sm.name);
      return;
    }
    case 'PDU session release command': {
      // 8.3.14 Alternative S-NSSAI (network slice replacement, TS 23.502 4.3.4.2 step 5c): where to re-establish
      const alt = sm.ies.alternativeSnssai as SNssai | undefined;
      if (alt) {
        ue.alternativeSnssais.set(psi, { fiveGsmCause: Number(sm.ies.fiveGsmCause), snssai: alt });
        ue.log(`[UE ${ue.cfg.supi}] PDU session ${psi} released with 5GSM cause #${Number(sm.ies.fiveGsmCause)} and Alternative S-NSSAI SST ${alt.sst}${alt.sd !== undefined ? ` SD ${alt.sd.toString(16).padStart(6, '0')}` : ''}`);
      }
      // 6.4.3.3: the answer to this UE's own release request (same PTI), pdu-session-release.ts
      if (ue.releases.onReleaseCommand(psi, sm.pti ?? 0)) return;
      // 6.3.3.3 network-requested release (TS 23.502 4.3.4.2 step 8): release locally and complete.
      ue.sessions.delete(psi);
      const complete = encodeNasMessage(nasMessage('PDU session release complete', {}, { pduSessionId: psi, pti: sm.pti ?? 0 }));
      sendNas(ue, nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: complete, pduSessionId: psi }), 'UL NAS transport', '4.3.4.2 step 8', 'PDU session release complete');
      return;
    }
    case 'PDU session modification command': {
      // TS 24.501 6.3.2.3 (TS 23.502 4.3.3.2 step 9): the new Session-AMBR is kept, then COMPLETE
      const s = ue.sessions.get(psi);
      if (!s) {
        ue.unexpected.push(sm.name);
        return;
      }
      if (sm.ies.sessionAmbr !== undefined) s.sessionAmbr = sm.ies.sessionAmbr;
      const complete = encodeNasMessage(nasMessage('PDU session modification complete', {}, { pduSessionId: psi, pti: sm.pti ?? 0 }));
      sendNas(ue, nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: complete, pduSessionId: psi }), 'UL NAS transport', '4.3.3.2 step 9', 'PDU session modification complete');
      return;
    }
    case '5GSM status':
      // TS 24.501 6.5.3: the network could not handle a 5GSM message of ours (its cause says why);
      // #97 (message type not implemented) changes no state
      ue.log(`[UE ${ue.cfg.supi}] 5GSM STATUS for PDU session ${psi}, 5GSM cause #${Number(sm.ies.fiveGsmCause)}`);
      return;
    case 'PDU session release reject':
      if (!ue.releases.onReleaseReject(psi, sm.pti ?? 0, Number(sm.ies.fiveGsmCause))) ue.unexpected.push(sm.name);
      return;
    default:
      ue.unexpected.push(sm.name);
  }
}

export function finishPending(ue: Ue, p: PendingPduSession, err: Error | undefined, ok?: { address: string }): void {
  ue.clock.clearTimeout(p.timer);
  p.timer = undefined;
  if (ue.pending.get(p.psi) === p) ue.pending.delete(p.psi);
  if (err) p.reject(err);
  else p.resolve(ok!);
}
