// Paging, AMF side (TS 23.502 4.2.3.3 step 4b; TS 38.413 8.5.1 PAGING; TS 24.501 5.6.2.2.1):
// a UE in CM-IDLE that the network must reach (a Deregistration Request of 4.2.2.3.3, a PDU
// Session Release Command of 4.3.4.2) is paged with its 5G-S-TMSI in the TAIs of its registration
// area, on every gNB with an NG association; T3513 guards the answer and, on expiry, paging is
// repeated T3513_RETRANSMISSIONS times. The answer is the UE's SERVICE REQUEST (service type
// "mobile terminated services"), which procedures/service-request.ts accepts on a new NG connection
// and hands back here; no answer means the UE is unreachable and the caller goes on without NAS
// (the network-initiated de-registration deregisters locally, 4.2.2.3.3).

import { ngapPdu, bits, tac, plmnIdentity } from '../../../codecs/ngap/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { T3513_MS, T3513_RETRANSMISSIONS } from '../gmm.ts';
import { sendNgap } from '../n2.ts';

/** TS 38.413 9.2.4.1 PAGING for the UE's 5G-S-TMSI (TS 23.003 2.11: AMF Set ID, AMF Pointer, 5G-TMSI). */
export function pagingMessage(amf: Amf, tmsi: number) {
  const t = new Uint8Array(4);
  new DataView(t.buffer).setUint32(0, tmsi >>> 0);
  return ngapPdu('Paging', {
    UEPagingIdentity: { 'fiveG-S-TMSI': { aMFSetID: bits(amf.cfg.guami.setId, 10), aMFPointer: bits(amf.cfg.guami.pointer, 6), 'fiveG-TMSI': t } },
    TAIListForPaging: amf.cfg.tacs.map((t) => ({ tAI: { pLMNIdentity: plmnIdentity(amf.cfg.plmn.mcc, amf.cfg.plmn.mnc), tAC: tac(t) } })),
  });
}

/**
 * Pages the CM-IDLE UE `ue` for the procedure `why` (logged); resolves with the context of its new NG
 * connection once its Service request was accepted, or undefined when T3513 expired after the
 * last retransmission (or the UE has no 5G-S-TMSI to be paged with).
 */
export function page(amf: Amf, ue: AmfUe, why: string): Promise<AmfUe | undefined> {
  const tmsi = ue.tmsi;
  if (tmsi === undefined || !ue.released) return Promise.resolve(ue.released ? undefined : ue);
  const t3513 = amf.timers.t3513Ms ?? T3513_MS;
  amf.log(`UE ${ue.supi ?? ''} is in CM-IDLE: paged for ${why}`);
  return new Promise((resolve) => {
    let attempt = 0;
    let timer: ReturnType<Amf['clock']['setTimeout']> | undefined;
    const send = () => {
      const label = attempt === 0 ? '4.2.3.3 step 4b' : `4.2.3.3 step 4b (T3513 retransmission ${attempt}, TS 24.501 5.6.2.2.1)`;
      for (const gnb of amf.gnbs) if (gnb.setUp) sendNgap(amf, gnb, 0, pagingMessage(amf, tmsi), label, ue);
      timer = amf.clock.setTimeout(() => {
        if (attempt++ < T3513_RETRANSMISSIONS) return send();
        ue.paging = undefined;
        amf.log(`UE ${ue.supi ?? ''}: no answer to paging after ${T3513_RETRANSMISSIONS + 1} attempts (T3513, TS 24.501 5.6.2.2.1): unreachable`);
        resolve(undefined);
      }, t3513);
    };
    ue.paging = {
      answered: (connected) => {
        amf.clock.clearTimeout(timer);
        ue.paging = undefined;
        resolve(connected);
      },
    };
    send();
  });
}
