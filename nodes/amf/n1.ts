// The AMF's N1 side (NAS-5GS 5GMM, TS 24.501) carried in NGAP NAS transport: the security checks
// on reception (TS 24.501 4.4.4.3), NAS protection on sending, the request/answer exchange with
// its retransmission timers, and the dispatch of a new UE message to its procedure.

import { ngapPdu } from '../../codecs/ngap/index.ts';
import {
  decodeNas, decodeNasMessage, encodeNasMessage, nasMessage, protectNas, unprotectNas, NasMacFailure, NasReplay,
  type NasMessage,
} from '../../codecs/nas/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import type { Clock } from '../../transport/clock.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { Amf } from './amf.ts';
import type { AmfUe, ReceivedNas } from './context.ts';
import { FiveGmmCause, NAS_RETRANSMISSIONS, ProcedureAborted } from './gmm.ts';
import { sendNgap } from './n2.ts';
import { registration } from './procedures/registration.ts';
import { ulNasTransport } from './procedures/pdu-session-relay.ts';
import { deregistrationUeOriginating } from './procedures/deregistration-ue.ts';
import { releaseIfIdle } from './procedures/ue-context-release.ts';
import { serviceRequest } from './procedures/service-request.ts';
import { takeOldAmf } from './procedures/n1-message-notify.ts';

/**
 * TS 24.501 4.4.4.3: the messages the AMF processes even when their integrity is not verified
 * (the rest are discarded).
 */
const ALLOWED_WITHOUT_INTEGRITY = new Set(['Registration request', 'Identity response', 'Authentication response', 'Authentication failure', 'Security mode reject', 'Deregistration request (UE originating)', 'Deregistration accept (UE terminated)', 'Service request']);

/** Receives one NAS PDU of a UE: security (TS 24.501 4.4.4.3), then an awaiting procedure or a new one. */
export function onUplinkNas(amf: Amf, ue: AmfUe, bytes: Uint8Array): void {
  let received: ReceivedNas;
  try {
    received = unwrapNas(amf, ue, bytes);
  } catch (e) {
    if (e instanceof NasMacFailure || e instanceof NasReplay) {
      amf.stats.nasIntegrityFailures++;
      amf.log(`UE ${ue.amfUeNgapId}: ${e.message}; message discarded (TS 24.501 4.4.4.3)`);
      releaseIfIdle(amf, ue);
      return;
    }
    if (e instanceof DecodeError) {
      amf.stats.nasDecodeErrors++;
      amf.log(`UE ${ue.amfUeNgapId}: undecodable NAS: ${e.message}`);
      // TS 24.501 7.5: a message with invalid mandatory information is answered with 5GMM STATUS #96
      if (ue.sec) sendNas(amf, ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.InvalidMandatoryInformation }), 'TS 24.501 7.5.1');
      releaseIfIdle(amf, ue);
      return;
    }
    throw e;
  }
  const { message } = received;
  ue.received.push(message.name);
  const waiter = ue.waiters.find((w) => w.names.includes(message.name));
  if (waiter) {
    ue.waiters.splice(ue.waiters.indexOf(waiter), 1);
    amf.clock.clearTimeout(waiter.timer);
    waiter.resolve(received);
    return;
  }
  // a new procedure, after the one in progress
  const run = ue.busy.then(() => dispatch(amf, ue, received));
  ue.busy = run.catch(() => {}); // the chain only orders procedures: track() logs the failure
  amf.track(run);
}

export function unwrapNas(amf: Amf, ue: AmfUe, bytes: Uint8Array): ReceivedNas {
  // With a security context the protected message is verified and decoded once; the unverified
  // inner message is read only when the MAC fails (TS 24.501 4.4.4.3 allowed list).
  const protectedHeader = bytes.length > 1 && bytes[0] === 0x7e && (bytes[1] & 0x0f) !== 0;
  if (ue.sec && protectedHeader) {
    try {
      const u = unprotectNas(bytes, ue.sec, 0);
      return { message: decodeNasMessage(u.plain), integrityVerified: true };
    } catch (e) {
      if (!(e instanceof NasMacFailure || e instanceof NasReplay)) throw e;
      const pdu = decodeNas(bytes);
      if (pdu.kind === 'protected' && pdu.inner && ALLOWED_WITHOUT_INTEGRITY.has(pdu.inner.name)) return { message: pdu.inner, integrityVerified: false };
      throw e;
    }
  }
  const pdu = decodeNas(bytes);
  if (pdu.kind === 'plain') return { message: pdu.message, integrityVerified: false };
  // no security context: only a plain inner message of the allowed list is processed; the PDU is
  // kept so that the registration procedure can check it with a stored context (5.5.1.3.2)
  if (!pdu.inner) throw new DecodeError({ protocol: 'nas-5gs', code: 'BAD_VALUE', offset: 1, path: 'SecurityHeaderType', reason: 'ciphered message without a security context' });
  return { message: pdu.inner, integrityVerified: false, protectedPdu: new Uint8Array(bytes) };
}

/** Encodes, protects (once a security context exists) and traces a NAS message to the UE. */
export function nasBytes(amf: Amf, ue: AmfUe, msg: NasMessage, step: string, sht: 0 | 1 | 2 | 3 | 4 = ue.sec ? 2 : 0): Uint8Array {
  // the event is built only when someone listens (a run's recorder; the benchmarks do not)
  if (traceChannel.hasSubscribers) trace({ from: amf.nf, to: 'UE', interface: 'N1', protocol: 'NAS-5GS', message: msg.name, step, ue: ue.supi });
  const plain = encodeNasMessage(msg);
  return sht === 0 || !ue.sec ? plain : protectNas(plain, ue.sec, 1, sht);
}

/** DownlinkNASTransport (TS 38.413 8.6.2) with a NAS message. */
export function sendNas(amf: Amf, ue: AmfUe, msg: NasMessage, step: string, sht?: 0 | 1 | 2 | 3 | 4): void {
  const nas = nasBytes(amf, ue, msg, step, sht);
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': ue.amfUeNgapId, 'RAN-UE-NGAP-ID': ue.ranUeNgapId, ...takeOldAmf(ue), 'NAS-PDU': nas }), step, ue);
}

/**
 * Sends `send()` and waits for one of `names` from the UE, retransmitting on each expiry of the
 * timer (T3560/T3550) up to NAS_RETRANSMISSIONS times (TS 24.501 5.4.1.3.7 f, 5.4.2.7 b).
 */
export function exchange(amf: Amf, ue: AmfUe, names: readonly string[], timerMs: number, send: () => void): Promise<ReceivedNas> {
  return new Promise<ReceivedNas>((resolve, reject) => {
    // a procedure that reaches this point after the UE's connection went ends here, or it
    // would wait forever and never undo what it holds
    if (ue.released) {
      reject(new ProcedureAborted('UE context released'));
      return;
    }
    let attempts = 0;
    const waiter = { names, resolve, reject, timer: undefined as ReturnType<Clock['setTimeout']> | undefined };
    const arm = () => {
      waiter.timer = amf.clock.setTimeout(() => {
        if (ue.released) {
          reject(new ProcedureAborted('UE context released'));
          return;
        }
        if (attempts++ < NAS_RETRANSMISSIONS) {
          send();
          arm();
          return;
        }
        ue.waiters.splice(ue.waiters.indexOf(waiter), 1);
        reject(new ProcedureAborted(`no ${names.join(' / ')} after ${NAS_RETRANSMISSIONS + 1} attempts`));
      }, timerMs);
    };
    ue.waiters.push(waiter);
    send();
    arm();
  });
}

/** A UE message no procedure awaits starts one (after the one in progress: see onUplinkNas). */
export async function dispatch(amf: Amf, ue: AmfUe, r: ReceivedNas): Promise<void> {
  if (ue.released) return;
  const m = r.message;
  if (!r.integrityVerified && ue.sec && !ALLOWED_WITHOUT_INTEGRITY.has(m.name)) {
    amf.log(`UE ${ue.amfUeNgapId}: ${m.name} without verified integrity discarded (TS 24.501 4.4.4.3)`);
    return;
  }
  switch (m.name) {
    case 'Registration request':
      return registration(amf, ue, r);
    case 'UL NAS transport':
      return ulNasTransport(amf, ue, m);
    case 'Deregistration request (UE originating)':
      // paced (amf.ts deregistrationSlots): a burst of switch-offs waits here, not at the SMF and PCF
      return amf.deregistrationSlots.run(() => deregistrationUeOriginating(amf, ue, m, r.integrityVerified, r.protectedPdu));
    case 'Service request':
      return serviceRequest(amf, ue, r);
    case '5GMM status':
      amf.log(`UE ${ue.amfUeNgapId} sent 5GMM STATUS cause ${String(m.ies.fiveGmmCause)}`);
      return;
    default:
      // TS 24.501 7.4: message type not compatible with the protocol state
      if (m.epd === 0x7e) sendNas(amf, ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.MessageTypeNotCompatibleWithProtocolState }), 'TS 24.501 7.4');
      releaseIfIdle(amf, ue);
  }
}
