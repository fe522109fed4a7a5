// A scripted network side for UE tests: a fake cell (UuCell) with the AMF's NAS side behind it,
// doing real crypto (Milenage AV, KAMF and NAS keys, NIA2/NEA2), so that a test reads like the
// ladder of TS 23.502 4.2.2.2.2: await the UE's message, answer it.

import {
  nasMessage, encodeNasMessage, decodeNasMessage, protectNas, unprotectNas, type NasMessage, type NasSecurityContext,
} from '../../codecs/nas/index.ts';
import { generateAuthenticationVector, type AuthenticationVector } from '../../crypto/aka.ts';
import { kseaf, kamf, algorithmKey, AlgorithmType } from '../../crypto/kdf.ts';
import { servingNetworkName } from '../../nodes/common/aka.ts';
import { fromHex } from '../../codecs/bytes/hex.ts';
import { dataNetworkReply } from '../../nodes/upf/n6.ts';
import type { UuCell, UuConnection, UuUeSide, RrcEstablishmentCause } from '../../nodes/gnb/uu.ts';

export const SUBSCRIBER = {
  supi: 'imsi-001010000000001',
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'e8ed289deba952e4283b54e88e6183ca',
  amf: '8000',
  sqn: '000000000020',
};
export const PLMN = { mcc: '001', mnc: '01' };
export const SNN = servingNetworkName('001', '01');
export const GUTI = { type: '5g-guti' as const, plmn: PLMN, amfRegionId: 2, amfSetId: 1, amfPointer: 0, tmsi: 0x0badcafe };

export function sqnHex(n: number): Uint8Array {
  return fromHex(n.toString(16).padStart(12, '0'));
}

export interface UlMessage {
  bytes: Uint8Array;
  securityHeaderType: number;
  message: NasMessage;
}

export class FakeNetwork implements UuCell {
  /** The TAI the cell broadcasts (the Registration accept's TAI list holds it). */
  readonly tai = { plmn: PLMN, tac: 1 };
  ue: UuUeSide | undefined;
  connects: { initialNas: Uint8Array; cause: RrcEstablishmentCause }[] = [];
  releasedByUe = 0;
  ctx: NasSecurityContext | undefined;
  av: AuthenticationVector | undefined;
  /** Uplink IP packets the UE sent, per PDU session. */
  readonly uplink: { psi: number; packet: Uint8Array }[] = [];
  /** Answer uplink packets as the UPF's N6 responder does. */
  echo = true;
  private readonly queue: UlMessage[] = [];
  private waiter: ((m: UlMessage) => void) | undefined;
  private k = fromHex(SUBSCRIBER.k);
  private opc = fromHex(SUBSCRIBER.opc);

  connect(ue: UuUeSide, initialNas: Uint8Array, cause: RrcEstablishmentCause): UuConnection {
    this.ue = ue;
    this.connects.push({ initialNas, cause });
    this.onUplink(initialNas);
    return {
      uplinkNas: (nas) => this.onUplink(nas),
      uplinkData: (psi, packet) => {
        this.uplink.push({ psi, packet: Uint8Array.from(packet) });
        const r = this.echo ? dataNetworkReply(packet) : undefined;
        if (r) queueMicrotask(() => this.ue?.onDownlinkData(psi, r.buffer.subarray(r.offset, r.offset + r.length)));
      },
      release: () => {
        this.releasedByUe++;
        this.ue = undefined;
      },
    };
  }

  private onUplink(bytes: Uint8Array): void {
    const sht = bytes[0] === 0x7e ? bytes[1] & 0x0f : 0;
    let message: NasMessage;
    if (sht === 0) message = decodeNasMessage(bytes);
    else {
      if (!this.ctx) throw new Error('protected uplink NAS without a network-side context');
      message = decodeNasMessage(unprotectNas(bytes, this.ctx, 0).plain);
    }
    const m = { bytes: Uint8Array.from(bytes), securityHeaderType: sht, message };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(m);
    } else this.queue.push(m);
  }

  /** The next uplink NAS message (rejects after `ms` of real time). */
  next(ms = 1000): Promise<UlMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('no uplink NAS message'));
      }, ms);
      this.waiter = (x) => {
        clearTimeout(t);
        resolve(x);
      };
    });
  }

  get pendingUplink(): number {
    return this.queue.length;
  }

  /** Sends a NAS message plain. */
  sendPlain(m: NasMessage): void {
    this.ue!.onDownlinkNas(encodeNasMessage(m));
  }

  /** Sends a NAS message protected with the current network-side context (SHT 2 unless told). */
  send(m: NasMessage, sht: 1 | 2 = 2): Uint8Array {
    const bytes = protectNas(encodeNasMessage(m), this.ctx!, 1, sht);
    this.ue!.onDownlinkNas(bytes);
    return bytes;
  }

  /** TS 23.502 4.2.2.2.2 step 8 / TS 33.501 6.1.3.2: Authentication request with a fresh AV for `sqn`. */
  authenticate(sqn: number, o: { ksi?: number; k?: Uint8Array; rand?: Uint8Array } = {}): AuthenticationVector {
    const rand = o.rand ?? Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + sqn) & 0xff);
    this.av = generateAuthenticationVector(o.k ?? this.k, this.opc, fromHex(SUBSCRIBER.amf), sqnHex(sqn), rand, SNN);
    this.sendPlain(nasMessage('Authentication request', { ngKsi: { tsc: 0, ksi: o.ksi ?? 1 }, abba: Uint8Array.of(0, 0), rand: this.av.rand, autn: this.av.autn }));
    return this.av;
  }

  /** Security mode command protected with the new context (SHT 3), keys from the AV (TS 33.501 A.6-A.8). */
  securityModeCommand(o: { ciphering?: number; ksi?: number; replayed?: { ea: number; ia: number }; tamper?: boolean } = {}): NasSecurityContext {
    const ciphering = o.ciphering ?? 0;
    const kAmf = kamf(kseaf(this.av!.kausf, SNN), SUBSCRIBER.supi.slice(5), Uint8Array.of(0, 0));
    const ctx: NasSecurityContext = {
      ngKsi: o.ksi ?? 1,
      kNasInt: algorithmKey(kAmf, AlgorithmType.NasInt, 2),
      kNasEnc: algorithmKey(kAmf, AlgorithmType.NasEnc, ciphering),
      integrityAlgorithm: 2,
      cipheringAlgorithm: ciphering,
      uplinkCount: 0,
      downlinkCount: 0,
      bearer: 1,
    };
    const smc = nasMessage('Security mode command', {
      selectedNasSecurityAlgorithms: { ciphering, integrity: 2 },
      ngKsi: { tsc: 0, ksi: o.ksi ?? 1 },
      replayedUeSecurityCapabilities: o.replayed ?? { ea: 0xa0, ia: 0x20 },
      imeisvRequest: 1,
      abba: Uint8Array.of(0, 0),
    });
    const bytes = protectNas(encodeNasMessage(smc), ctx, 1, 3);
    if (o.tamper) bytes[3] ^= 0x01;
    this.ctx = ctx;
    this.ue!.onDownlinkNas(bytes);
    return ctx;
  }

  /** Registration accept (TS 23.502 4.2.2.2.2 step 21) protected. */
  registrationAccept(): void {
    this.send(nasMessage('Registration accept', {
      registrationResult: 1,
      fiveGGuti: GUTI,
      taiList: [{ type: 0, plmn: PLMN, tacs: [{ tac: 1 }] }],
      allowedNssai: [{ sst: 1 }],
      t3512Value: { unit: 5, value: 30 },
    }));
  }

  /** The UE's RRC connection released by the gNB (after UE Context Release). */
  rrcRelease(): void {
    const ue = this.ue;
    this.ue = undefined;
    ue?.onRrcRelease();
  }
}
