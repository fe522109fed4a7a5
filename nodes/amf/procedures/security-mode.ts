// NAS Security Mode Control, TS 23.502 4.2.2.2.2 step 9b (TS 24.501 5.4.2, TS 33.501 6.7.2): the
// AMF selects the algorithms, derives the NAS keys from KAMF, sends the Security Mode Command
// integrity protected with the new context and awaits the Security Mode Complete.

import { nasMessage, type NasSecurityContext } from '../../../codecs/nas/index.ts';
import { nasKeys } from '../../../crypto/kdf.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { FiveGmmCause, ProcedureAborted } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';
import { registrationReject } from './registration.ts';

/** TS 33.501 6.7.2: whether the UE supports algorithm `alg` (bit 8 of the capability octet = algorithm 0). */
function supports(octet: number, alg: number): boolean {
  return ((octet >> (7 - alg)) & 1) === 1;
}

/**
 * Step 9b: NAS SMC for the KAMF of the authentication that allocated `ngKsi`. Derives the NAS
 * keys, sends the SMC with the new context, awaits the complete.
 */
export async function securityModeControl(amf: Amf, ue: AmfUe, ngKsi: number, step = '4.2.2.2.2 step 9b', o: { imeisvRequest?: boolean } = {}): Promise<ReceivedNas> {
  const caps = ue.ueSecurityCapability!;
  const ciphering = amf.cfg.security.ciphering === 'NEA2' ? 2 : 0;
  if (!supports(caps.ia, 2) || (ciphering !== 0 && !supports(caps.ea, ciphering))) registrationReject(amf, ue, FiveGmmCause.UeSecurityCapabilitiesMismatch);
  const kamfValue = ue.kamf!;
  const sec: NasSecurityContext = {
    ngKsi,
    ...nasKeys(kamfValue, 2, ciphering),
    integrityAlgorithm: 2,
    cipheringAlgorithm: ciphering,
    uplinkCount: 0,
    downlinkCount: 0,
    bearer: 1,
  };
  ue.sec = sec;
  const smc = nasMessage('Security mode command', {
    selectedNasSecurityAlgorithms: { ciphering, integrity: 2 },
    ngKsi: { tsc: 0, ksi: ngKsi },
    replayedUeSecurityCapabilities: caps,
    // TS 24.501 9.11.3.28: IMEISV requested (1) unless the caller asks for the PEI otherwise (not requested, 0)
    imeisvRequest: o.imeisvRequest === false ? 0 : 1,
  });
  const r = await exchange(amf, ue, ['Security mode complete', 'Security mode reject'], amf.timers.t3560Ms, () => sendNas(amf, ue, smc, step, 3));
  if (r.message.name === 'Security mode reject' || !r.integrityVerified) {
    ue.sec = undefined;
    throw new ProcedureAborted(`NAS security mode control failed (${r.message.name}, 5GMM cause #${String(r.message.ies.fiveGmmCause ?? '-')})`);
  }
  return r;
}
