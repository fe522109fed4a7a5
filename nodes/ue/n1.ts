// The UE's N1 side (NAS-5GS, TS 24.501): every downlink NAS message is checked as 4.4.4 says
// (integrity with the current 5G NAS security context; which messages may arrive plain) before
// it reaches a procedure; uplink NAS is protected with the current context and handed to the
// cell, opening an RRC connection for an initial NAS message (TS 38.331 5.3.3).

import {
  decodeNasMessage, encodeNasMessage, protectNas, unprotectNas, NasMacFailure, NasReplay, type NasMessage,
} from '../../codecs/nas/index.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { RrcEstablishmentCause } from '../gnb/uu.ts';
import type { Ue } from './ue.ts';
import { stopT3512 } from './procedures/periodic-registration.ts';
import { onIdentityRequest, onRegistrationAccept, onRegistrationReject, onConfigurationUpdateCommand } from './procedures/registration.ts';
import { onAuthenticationRequest, onAuthenticationReject } from './procedures/authentication.ts';
import { onSecurityModeCommand } from './procedures/security-mode.ts';
import { onAuthenticationResult } from './procedures/eap-aka-prime.ts';
import { onDlNasTransport } from './procedures/pdu-session-establishment.ts';
import { onServiceAccept, onServiceReject } from './procedures/service-request.ts';

/** NAS messages a UE accepts without integrity protection (TS 24.501 4.4.4.2). */
const PLAIN_ALLOWED = new Set([
  'Identity request',
  'Authentication request',
  'Authentication result',
  'Authentication reject',
  'Registration reject',
  'Deregistration accept (UE originating)',
  'Service reject',
]);

export function onDownlinkNas(ue: Ue, bytes: Uint8Array): void {
  try {
    receiveNas(ue, bytes);
  } catch (e) {
    ue.log(`[UE ${ue.cfg.supi}] DL NAS handling failed: ${(e as Error).stack ?? String(e)}`);
  }
}

export function receiveNas(ue: Ue, bytes: Uint8Array): void {
  if (bytes.length < 3) {
    discard(ue, 'NAS PDU shorter than a header');
    return;
  }
  const sht = bytes[0] === 0x7e ? bytes[1] & 0x0f : 0;
  if (sht === 3 || sht === 4) {
    // A new 5G NAS security context: only the Security mode command may establish one.
    onSecurityModeCommand(ue, bytes);
    return;
  }
  let m: NasMessage;
  if (sht === 0) {
    try {
      m = decodeNasMessage(bytes);
    } catch (e) {
      discard(ue, `undecodable: ${(e as Error).message}`);
      return;
    }
    // 4.4.4.2: with a current context, only a few messages may arrive without integrity protection.
    if (ue.security && !PLAIN_ALLOWED.has(m.name)) {
      discard(ue, 'not integrity protected while a 5G NAS security context is in use (TS 24.501 4.4.4.2)', m.name);
      return;
    }
  } else {
    if (!ue.security) {
      discard(ue, 'protected NAS message without a 5G NAS security context (TS 24.501 4.4.4.2)');
      return;
    }
    try {
      const u = unprotectNas(bytes, ue.security, 1);
      m = decodeNasMessage(u.plain);
    } catch (e) {
      if (e instanceof NasMacFailure) {
        ue.stats.macFailures++;
        discard(ue, `${e.message}: discarded (TS 24.501 4.4.4.2)`);
        return;
      }
      if (e instanceof NasReplay) {
        ue.stats.replays++;
        discard(ue, `${e.message}: discarded (TS 24.501 4.4.3.2)`);
        return;
      }
      discard(ue, `undecodable: ${(e as Error).message}`);
      return;
    }
  }
  accept(ue, m.name);
  dispatch(ue, m);
}

export function dispatch(ue: Ue, m: NasMessage): void {
  switch (m.name) {
    case 'Identity request':
      return onIdentityRequest(ue, m);
    case 'Authentication request':
      return onAuthenticationRequest(ue, m);
    case 'Authentication reject':
      return onAuthenticationReject(ue);
    case 'Authentication result':
      return onAuthenticationResult(ue, m);
    case 'Registration accept':
      return onRegistrationAccept(ue, m);
    case 'Registration reject':
      return onRegistrationReject(ue, m);
    case 'DL NAS transport':
      return onDlNasTransport(ue, m);
    case 'Deregistration accept (UE originating)':
      return ue.onDeregistrationAccept(m.name);
    case 'Deregistration request (UE terminated)':
      return ue.onNetworkDeregistration(m);
    case 'Configuration update command':
      return onConfigurationUpdateCommand(ue, m);
    case 'Service accept':
      return onServiceAccept(ue, m);
    case 'Service reject':
      return onServiceReject(ue, m);
    case '5GMM status':
      ue.log(`[UE ${ue.cfg.supi}] 5GMM status, cause #${String(m.ies.fiveGmmCause)}`);
      return;
    default:
      ue.unexpected.push(m.name);
  }
}

export function accept(ue: Ue, name: string): void {
  ue.received.push(name);
  ue.emit('nas', name);
}

export function discard(ue: Ue, reason: string, name?: string): void {
  ue.discarded.push({ reason, ...(name ? { name } : {}) });
  ue.log(`[UE ${ue.cfg.supi}] discarded DL NAS${name ? ` ${name}` : ''}: ${reason}`);
}

/** Sends a 5GMM message: protected with the current context (SHT 2), plain before one exists. */
export function sendNas(ue: Ue, m: NasMessage, name: string, step: string, inner?: string): void {
  const plain = encodeNasMessage(m);
  if (!ue.security) {
    sendPlain(ue, plain, name, step, inner);
    return;
  }
  // 4.4.6: an initial NAS message (no RRC connection yet) is integrity protected, not ciphered.
  sendProtected(ue, plain, ue.conn ? 2 : 1, name, step, inner);
}

export function sendProtected(ue: Ue, plain: Uint8Array, sht: 1 | 2 | 3 | 4, name: string, step: string, inner?: string, cause?: RrcEstablishmentCause): void {
  const bytes = protectNas(plain, ue.security!, 0, sht);
  transmit(ue, bytes, name, step, inner, cause);
}

export function sendPlain(ue: Ue, plain: Uint8Array, name: string, step: string, inner?: string): void {
  transmit(ue, plain, name, step, inner);
}

export function transmit(ue: Ue, bytes: Uint8Array, name: string, step: string, inner?: string, rrcCause: RrcEstablishmentCause = 'mo-Signalling'): void {
  ue.sent.push(inner ? `${name}: ${inner}` : name);
  if (traceChannel.hasSubscribers) trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: inner ? `${name} (${inner})` : name, step, ue: ue.cfg.supi, bytes: bytes.length });
  const about = { message: inner ? `${name}, ${inner}` : name, step };
  if (ue.connecting) {
    ue.heldDuringConnect.push({ bytes, about });
    return;
  }
  if (ue.conn) {
    ue.conn.uplinkNas(bytes, about);
    return;
  }
  if (!ue.cell) throw new Error('the UE has not camped on a cell');
  // No RRC connection: this NAS message is the initial one of a new connection (TS 38.331 5.3.3);
  // the UE enters 5GMM-CONNECTED, where T3512 does not run (TS 24.501 5.3.7)
  stopT3512(ue);
  ue.connecting = true;
  try {
    // AN parameters: the selected SNPN and the onboarding indication (TS 23.502 4.2.2.2.4 step 1);
    // the InitialUEMessage names the message and its step when it is not a registration's
    // and, with a 5G-GUTI, its GUAMI and 5G-S-TMSI, by which the gNB selects the AMF (TS 38.331
    // 5.3.3.3 ng-5G-S-TMSI, 5.3.3.4 registeredAMF; TS 23.501 6.3.5)
    const snpn = ue.cfg.snpn;
    const g = ue.guti;
    const an = {
      ...(snpn ? { selectedNid: snpn.nid, ...(snpn.onboarding ? { onboarding: true } : {}) } : {}),
      ...(ue.cfg.nssaiInAnParameters ? { requestedNssai: [ue.cfg.snssai] } : {}),
      ...(g ? { guami: { plmn: g.plmn, regionId: g.amfRegionId, setId: g.amfSetId, pointer: g.amfPointer }, fiveGSTmsi: { amfSetId: g.amfSetId, amfPointer: g.amfPointer, tmsi: g.tmsi } } : {}),
    };
    ue.conn = ue.cell.connect(ue.side, bytes, rrcCause, an, name === 'Registration request' ? undefined : about);
  } finally {
    ue.connecting = false;
  }
  // Anything the UE answered while the cell was still setting the connection up goes now.
  for (const h of ue.heldDuringConnect.splice(0)) ue.conn?.uplinkNas(h.bytes, h.about);
}
