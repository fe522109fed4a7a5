// A UE leaving the cell's coverage, and the implicit de-registration that follows
// (`wire5g ctl ue <supi> out-of-coverage`; scenario steps out-of-coverage and await-implicit).
//
// Out of coverage the UE hears nothing (no paging, no NAS) and sends nothing: it makes no
// periodic registration update and answers no paging. A UE in CM-CONNECTED loses its radio link
// and the gNB asks for the AN release with cause "radio connection with UE lost" (TS 23.502 4.2.6
// step 1, TS 38.413 9.3.1.2); in CM-IDLE the AMF's mobile reachable timer runs, then the implicit
// de-registration timer (TS 24.501 5.3.7), and the AMF deregisters the UE without any NAS message
// (TS 23.502 4.2.2.3.3, nodes/amf/procedures/implicit-deregistration.ts). A network-initiated
// de-registration of such a UE pages it in vain: T3513 expires and the AMF deregisters it locally.
// The UE's own commands are refused while it is out of coverage (live-network.ts).

import type { Ue } from '../ue/ue.ts';
import { ControlError } from './control-error.ts';
import { registerControlCommand } from './commands.ts';
import type { LiveNetwork } from './live-network.ts';
import type { AmfTimers } from '../amf/gmm.ts';
import { embedded, pollUntil, type NetworkSide } from './network-commands.ts';

/** The UE leaves coverage; connected, its AN is released (radio link lost). */
async function outOfCoverage(n: NetworkSide, ue: Ue): Promise<{ cmState: 'CM-IDLE'; registeredAtAmf: boolean }> {
  await n.recorder.procedure('UE out of coverage (AN release, radio connection with UE lost)', 'TS 23.502 4.2.6', ue.supi, async () => {
    ue.outOfCoverage = true;
    if (ue.connected) await n.gnb.releaseAn(ue.side, { radioNetwork: 'radio-connection-with-ue-lost' });
  });
  await n.settle();
  return { cmState: 'CM-IDLE', registeredAtAmf: n.core?.amf.bySupi.get(ue.supi)?.state === '5GMM-REGISTERED' };
}

/** `ctl ue <supi> out-of-coverage` and the scenario step `out-of-coverage`. */
export function outOfCoverageOn(net: LiveNetwork, supi: string): Promise<{ cmState: 'CM-IDLE'; registeredAtAmf: boolean }> {
  return net.onUe(supi, 'out of coverage', (_n, ue) => {
    if (ue.outOfCoverage) throw new ControlError(409, `${supi} is already out of coverage`);
  }, outOfCoverage);
}

/**
 * The scenario step `await-implicit`: the AMF's implicit de-registration of the UE (TS 24.501
 * 5.3.7 timers, then TS 23.502 4.2.2.3.3 without NAS) within `seconds`; fails when the AMF still
 * holds its registration then.
 */
export function awaitImplicitOn(net: LiveNetwork, supi: string, seconds: number): Promise<{ deregistered: true }> {
  return net.onUe(supi, 'await implicit', (n, ue) => {
    if (!embedded(n.core?.amf, 'amf', 'await-implicit').bySupi.has(ue.supi)) throw new ControlError(409, `the AMF holds no registration of ${ue.supi}`);
    if (ue.connected) throw new ControlError(409, `${ue.supi} is CM-CONNECTED: implicit de-registration needs CM-IDLE (an-release or out-of-coverage first)`);
  }, async (n, ue) => {
    const amf = n.core!.amf;
    await n.recorder.procedure('Implicit Deregistration (mobile reachable and implicit de-registration timers)', 'TS 23.502 4.2.2.3.3', ue.supi, async () => {
      await pollUntil(() => !amf.bySupi.has(ue.supi), Math.ceil((seconds * 1000) / 25));
      await n.settle();
      if (amf.bySupi.has(ue.supi)) throw new Error(`the AMF still holds ${ue.supi} after ${seconds} s (mobile reachable + implicit de-registration timers)`);
    });
    return { deregistered: true };
  });
}

registerControlCommand({
  words: ['ue', '<supi>', 'out-of-coverage'],
  options: {},
  summary: 'the UE leaves coverage: no paging or NAS answered, no periodic update; connected, the gNB releases the AN (radio connection lost); the AMF deregisters it implicitly when its timers expire (TS 24.501 5.3.7)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined) throw new ControlError(400, 'out-of-coverage needs <supi>');
    return outOfCoverageOn(net, a.supi);
  },
});

/** A scenario's `timers:` keys (seconds) and the AMF timers they set. */
const TIMER_KEYS = { 'mobile-reachable': 'mobileReachableMs', 'implicit-deregistration': 'implicitDeregistrationMs', t3513: 't3513Ms', t3522: 't3522Ms' } as const;

/** A scenario's `timers:` mapping as AMF timers in ms; `fail` names the wrong field (scenario-file.ts). */
export function scenarioAmfTimers(v: unknown, fail: (path: string, what: string) => never): Partial<AmfTimers> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('timers', `expected a mapping of ${Object.keys(TIMER_KEYS).join(', ')} to seconds`);
  const timers: Partial<AmfTimers> = {};
  for (const [k, seconds] of Object.entries(v as Record<string, unknown>)) {
    if (!(k in TIMER_KEYS)) fail(`timers.${k}`, `unknown timer (${Object.keys(TIMER_KEYS).join(', ')})`);
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) fail(`timers.${k}`, `expected a positive number, got ${JSON.stringify(seconds)}`);
    timers[TIMER_KEYS[k as keyof typeof TIMER_KEYS]] = Math.round((seconds as number) * 1000);
  }
  return timers;
}
