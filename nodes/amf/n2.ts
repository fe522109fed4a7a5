// The AMF's N2 side (NGAP over SCTP, TS 38.413): the gNBs' associations, the NGAP messages in and
// out, and the routing of UE-associated messages to the UE's context and its procedures.

import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import {
  decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, errorIndicationFor, ngapErrorContext, type NgapPdu, type Ngap,
} from '../../codecs/ngap/index.ts';
import { DecodeError, type DecodeWarning } from '../../codecs/bytes/errors.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { Amf } from './amf.ts';
import type { AmfUe, GnbContext } from './context.ts';
import { ProcedureAborted } from './gmm.ts';
import { onUplinkNas } from './n1.ts';
import { userLocationOf } from './user-location.ts';
import { nidOfUserLocation } from './snpn.ts';
import { onNgSetupRequest } from './procedures/ng-setup.ts';
import { onPduSessionResourceSetupResponse } from './procedures/pdu-session-relay.ts';
import { onPduSessionResourceReleaseResponse } from './procedures/pdu-session-release.ts';
import { onPduSessionResourceModifyResponse } from './procedures/pdu-session-modification.ts';
import { anRelease } from './procedures/an-release.ts';

export function onAssociation(amf: Amf, assoc: SctpAssociation): void {
  const gnb: GnbContext = { assoc, ues: new Map(), setUp: false };
  amf.gnbs.add(gnb);
  assoc.on('message', (stream, ppid, payload) => {
    try {
      onNgap(amf, gnb, stream, payload);
    } catch (e) {
      amf.log(`NGAP handling failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  });
  assoc.on('lost', (reason) => amf.log(`N2 association lost: ${reason}`));
  assoc.on('close', () => {
    amf.gnbs.delete(gnb);
    // TS 23.502 4.2.6 (AN release) is not signalled over a dead association: the UE contexts on
    // it are released locally (their N1 and SBI state stays until the UE deregisters).
    for (const ue of gnb.ues.values()) amf.dropUe(ue);
  });
}

export function sendNgap(amf: Amf, gnb: GnbContext, stream: number, pdu: NgapPdu, step?: string, ue?: AmfUe): void {
  // the message's name only for a trace or a capture's comment
  const commented = gnb.assoc.commented;
  const name = traceChannel.hasSubscribers || commented ? ngapMessage(pdu).name : '';
  if (traceChannel.hasSubscribers) trace({ from: amf.nf, to: 'gNB', interface: 'N2', protocol: 'NGAP', message: name, step, ue: ue?.supi });
  if (!gnb.assoc.established) return;
  gnb.assoc.send(stream, 60, encodeNgap(pdu), !commented ? undefined : step ? `${name} [${step.startsWith('TS ') ? step : `TS 23.502 ${step}`}]` : name);
}

export function onNgap(amf: Amf, gnb: GnbContext, stream: number, payload: Uint8Array): void {
  let pdu: NgapPdu;
  const warnings: DecodeWarning[] = [];
  try {
    pdu = decodeNgap(payload, warnings);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // TS 38.413 10.2/10.3: answer with ERROR INDICATION, keep serving
    amf.stats.ngapDecodeErrors++;
    amf.log(`undecodable NGAP from the gNB: ${e.message}`);
    const ctx = ngapErrorContext(payload);
    amf.stats.errorIndicationsSent++;
    sendNgap(amf, gnb, stream, errorIndicationFor(e, ctx), 'TS 38.413 10');
    return;
  }
  const { procedure, name } = ngapMessage(pdu);
  // accepted as asn1c and Wireshark accept it (zero padding after the PDU), counted and logged
  for (const w of warnings) {
    amf.stats.ngapTolerated++;
    amf.log(`${name} from the gNB accepted with ${w.code} at offset ${w.offset}: ${w.reason}`);
  }
  const ies = iesByName(procedure.value, name);
  if (name === 'NGSetupRequest') return onNgSetupRequest(amf, gnb, stream, ies);
  if (!gnb.setUp) {
    sendNgap(amf, gnb, stream, ngapPdu('ErrorIndication', { Cause: { protocol: 'message-not-compatible-with-receiver-state' } }), 'TS 38.413 8.7.1.2');
    return;
  }
  if (name === 'InitialUEMessage') return onInitialUeMessage(amf, gnb, stream, ies, payload);
  if (name === 'ErrorIndication') {
    amf.log(`gNB reported an error: ${JSON.stringify(ies.get('Cause'))}`);
    return;
  }
  // AMF-UE-NGAP-ID (0..2^40-1) decodes as a number (the runtime uses bigint only above 2^48)
  const amfId = ies.get('AMF-UE-NGAP-ID') as number | undefined;
  const ranId = ies.get('RAN-UE-NGAP-ID') as number | undefined;
  const ue = amfId !== undefined ? amf.ues.get(Number(amfId)) : undefined;
  if (!ue || (ranId !== undefined && ue.ranUeNgapId !== ranId) || ue.gnb !== gnb) {
    // TS 38.413 10.6: unknown or inconsistent UE NGAP IDs
    amf.stats.errorIndicationsSent++;
    sendNgap(amf, gnb, stream, ngapPdu('ErrorIndication', { ...(amfId !== undefined ? { 'AMF-UE-NGAP-ID': amfId } : {}), ...(ranId !== undefined ? { 'RAN-UE-NGAP-ID': ranId } : {}), Cause: { radioNetwork: amfId !== undefined && !ue ? 'unknown-local-UE-NGAP-ID' : 'inconsistent-remote-UE-NGAP-ID' } }), 'TS 38.413 10.6');
    return;
  }
  switch (name) {
    case 'UplinkNASTransport':
      ue.location = userLocationOf(ies.get('UserLocationInformation') as Ngap.UserLocationInformation | undefined, ue.location) ?? ue.location;
      onUplinkNas(amf, ue, ies.get('NAS-PDU') as Uint8Array);
      return;
    case 'PDUSessionResourceSetupResponse':
      amf.track(onPduSessionResourceSetupResponse(amf, ue, ies));
      return;
    case 'PDUSessionResourceReleaseResponse':
      amf.track(onPduSessionResourceReleaseResponse(amf, ue, ies));
      return;
    case 'PDUSessionResourceModifyResponse':
      amf.track(onPduSessionResourceModifyResponse(amf, ue, ies));
      return;
    case 'UEContextReleaseRequest':
      // TS 23.502 4.2.6 AN release initiated by the NG-RAN: the command carries the NG-RAN's cause
      amf.track(anRelease(amf, ue, ies.get('Cause') as Ngap.Cause));
      return;
    default: {
      const waiter = ue.ngapWaiters.get(name);
      if (waiter) {
        ue.ngapWaiters.delete(name);
        waiter.resolve(ies);
      } else amf.log(`${name} for UE ${ue.amfUeNgapId} not handled`);
    }
  }
}

/** TS 38.413 8.6.1 Initial UE Message: a new UE-associated logical NG-connection. */
export function onInitialUeMessage(amf: Amf, gnb: GnbContext, stream: number, ies: Map<string, unknown>, payload?: Uint8Array): void {
  const ranUeNgapId = ies.get('RAN-UE-NGAP-ID') as number;
  const nas = ies.get('NAS-PDU') as Uint8Array;
  const existing = gnb.ues.get(ranUeNgapId);
  if (existing) amf.dropUe(existing); // TS 38.413 10.6: a reused RAN UE NGAP ID replaces the old context
  const ue: AmfUe = {
    amfUeNgapId: amf.ngapIds.allocate(),
    ranUeNgapId,
    gnb,
    stream,
    state: '5GMM-DEREGISTERED',
    sessions: new Map(),
    waiters: [],
    busy: Promise.resolve(),
    ngapWaiters: new Map(),
    released: false,
    received: [],
    ...(payload ? { initialUeMessage: new Uint8Array(payload) } : {}),
  };
  const location = userLocationOf(ies.get('UserLocationInformation') as Ngap.UserLocationInformation | undefined);
  if (location) ue.location = location;
  // the SNPN the UE accessed, when the AMF serves it (TS 23.501 5.30.2.10; snpn.ts)
  const nid = nidOfUserLocation(ies.get('UserLocationInformation') as Ngap.UserLocationInformation | undefined);
  if (nid !== undefined && nid === amf.cfg.snpn?.nid) ue.snpnNid = nid;
  amf.ues.set(ue.amfUeNgapId, ue);
  gnb.ues.set(ranUeNgapId, ue);
  onUplinkNas(amf, ue, nas);
}

/**
 * An awaited NGAP answer (AmfUe.ngapWaiters): settles the wait and stops its guard timer. A class,
 * so that each wait makes no closures for its three methods (with tsx and the bundle keeping
 * function names, each also cost a defineProperty).
 */
class NgapWait {
  private readonly clock: Amf['clock'];
  private readonly done: (ies: Map<string, unknown>) => void;
  private readonly fail: (e: Error) => void;
  timer: ReturnType<Amf['clock']['setTimeout']> | undefined;
  constructor(clock: Amf['clock'], done: (ies: Map<string, unknown>) => void, fail: (e: Error) => void) {
    this.clock = clock;
    this.done = done;
    this.fail = fail;
  }
  resolve(ies: Map<string, unknown>): void {
    this.clock.clearTimeout(this.timer);
    this.done(ies);
  }
  reject(e: Error): void {
    this.clock.clearTimeout(this.timer);
    this.fail(e);
  }
  /** The wait is not settled: nothing awaits it any more. */
  cancel(): void {
    this.clock.clearTimeout(this.timer);
  }
}

/** Waits for the NGAP answer `name` for the UE (TS 38.413 has no timer for it: the AMF guards it). */
export function awaitNgap(amf: Amf, ue: AmfUe, name: string): Promise<Map<string, unknown>> {
  return new Promise((resolve, reject) => {
    if (ue.released) {
      reject(new ProcedureAborted(`no ${name}: UE context released`));
      return;
    }
    const wait = new NgapWait(amf.clock, resolve, reject);
    wait.timer = amf.clock.setTimeout(() => {
      // only its own entry: a later wait for the same name may have taken the slot, and its
      // answer must still reach it
      if (ue.ngapWaiters.get(name) === wait) ue.ngapWaiters.delete(name);
      reject(new ProcedureAborted(`no ${name} within ${amf.timers.ngapAnswerMs} ms`));
    }, amf.timers.ngapAnswerMs);
    ue.ngapWaiters.set(name, wait);
  });
}

/**
 * Stops waiting for the NGAP answers `names` of the UE: the other outcome of a procedure that has
 * its answer (a Response when the Failure was awaited too). Their waits never settle: nothing
 * awaits them any more, and an error made per procedure only to be dropped cost a stack trace
 * each time (about 1% of a 2,000-UE run's CPU, issue 21 goal 3).
 */
export function stopAwaitingNgap(ue: AmfUe, names: readonly string[]): void {
  for (const name of names) {
    ue.ngapWaiters.get(name)?.cancel();
    ue.ngapWaiters.delete(name);
  }
}
