// NAS security mode control, UE side (TS 24.501 5.4.2; TS 23.502 4.2.2.2.2 step 9b): the Security
// mode command is checked with keys derived for the selected algorithms before anything of it is
// believed, then the new 5G NAS security context is taken and the complete carries the full
// Registration request (4.4.6).

import {
  nasMessage, encodeNasMessage, decodeNas, unprotectNas, NasMacFailure, NasReplay,
  type NasMessage, type NasSecurityContext, type UeSecurityCapability,
} from '../../../codecs/nas/index.ts';
import { nasKeys } from '../usim.ts';
import { UE_SECURITY_CAPABILITY, type Ue } from '../ue.ts';
import { sendNas, sendProtected, accept, discard } from '../n1.ts';
import { registrationStep } from './onboarding-steps.ts';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Security mode command (5.4.2.3): integrity protected with the NEW context (SHT 3), so it is
 * checked with keys derived from the selected algorithms before anything of it is believed.
 */
export function onSecurityModeCommand(ue: Ue, bytes: Uint8Array): void {
  let inner: NasMessage;
  try {
    const env = decodeNas(bytes);
    if (env.kind !== 'protected' || !env.inner || env.inner.name !== 'Security mode command') {
      discard(ue, 'Security mode command not integrity protected with a new context', env.kind === 'plain' ? env.message.name : undefined);
      return;
    }
    inner = env.inner;
  } catch (e) {
    discard(ue, `undecodable: ${(e as Error).message}`);
    return;
  }
  const algs = inner.ies.selectedNasSecurityAlgorithms as { ciphering: number; integrity: number };
  const ngKsi = (inner.ies.ngKsi as { ksi: number }).ksi;
  const replayed = inner.ies.replayedUeSecurityCapabilities as UeSecurityCapability;
  if (!ue.auth || ue.auth.ngKsi !== ngKsi) {
    discard(ue, `Security mode command for ngKSI ${ngKsi} without a matching authentication`, inner.name);
    return;
  }
  // 5.4.2.5: algorithms the UE does not support -> reject with #24 (the NEW context is not taken).
  const integrityOk = algs.integrity === 2;
  const cipheringOk = algs.ciphering === 0 || algs.ciphering === 2;
  const abba = (inner.ies.abba as Uint8Array | undefined) ?? ue.auth.abba;
  const keys = nasKeys(ue.auth.kausf, ue.snn, ue.cfg.supi, abba, integrityOk ? algs.integrity : 2, cipheringOk ? algs.ciphering : 0);
  const ctx: NasSecurityContext = { ngKsi, kNasInt: keys.kNasInt, kNasEnc: keys.kNasEnc, integrityAlgorithm: 2, cipheringAlgorithm: cipheringOk ? algs.ciphering : 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
  try {
    unprotectNas(bytes, ctx, 1);
  } catch (e) {
    if (e instanceof NasMacFailure || e instanceof NasReplay) {
      ue.stats.macFailures++;
      discard(ue, `Security mode command: ${e.message} (TS 24.501 4.4.4.2)`, inner.name);
      return;
    }
    throw e;
  }
  accept(ue, inner.name);
  const current = ue.security;
  if (current && current.ngKsi === ctx.ngKsi && current.integrityAlgorithm === ctx.integrityAlgorithm && current.cipheringAlgorithm === ctx.cipheringAlgorithm && equalBytes(current.kNasInt, ctx.kNasInt)) {
    // The AMF retransmitted the command (T3560, 5.4.2.7 b): the context is already in use, so the
    // complete is sent again with the next uplink COUNT instead of restarting the COUNTs at 0.
    current.downlinkCount = Math.max(current.downlinkCount, ctx.downlinkCount);
    sendSecurityModeComplete(ue, inner);
    return;
  }
  if (!integrityOk || !cipheringOk) {
    sendNas(ue, nasMessage('Security mode reject', { fiveGmmCause: 24 }), 'Security mode reject', registrationStep(ue, '4.2.2.2.2 step 9b'));
    return;
  }
  // 5.4.2.5: the replayed UE security capabilities must be the ones the UE sent (bidding down).
  if (!replayed || replayed.ea !== UE_SECURITY_CAPABILITY.ea || replayed.ia !== UE_SECURITY_CAPABILITY.ia) {
    sendNas(ue, nasMessage('Security mode reject', { fiveGmmCause: 23 }), 'Security mode reject', registrationStep(ue, '4.2.2.2.2 step 9b'));
    return;
  }
  ue.security = ctx;
  sendSecurityModeComplete(ue, inner);
}

export function sendSecurityModeComplete(ue: Ue, smc: NasMessage): void {
  const complete = nasMessage('Security mode complete', {
    imeisv: smc.ies.imeisvRequest === 1 ? { type: 'imeisv', digits: ue.cfg.imeisv } : undefined,
    nasMessageContainer: ue.fullRegistrationRequest,
  });
  // SHT 4: integrity protected and ciphered with the new 5G NAS security context (5.4.2.3).
  sendProtected(ue, encodeNasMessage(complete), 4, 'Security mode complete', registrationStep(ue, '4.2.2.2.2 step 9b'));
}
