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
// Back in coverage (`ctl ue <supi> in-coverage`, scenario step in-coverage) the UE makes the
// periodic registration update its T3512 asked for while it was away (TS 24.501 5.3.7), or the
// update `--type` names (a UE away longer than its T3512, or back in another TA); an AMF that
// deregistered it meanwhile rejects the update with #10 "implicitly de-registered" (5.5.1.3.5) and
// the UE registers again (initial registration).

import type { Ue } from '../ue/ue.ts';
import { RegistrationRejected } from '../ue/ue-types.ts';
import { GmmState } from '../ue/gmm-state.ts';
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

/** What the UE did on its return to coverage. */
export interface InCoverageResult {
  update: 'periodic' | 'mobility' | 'none';
  /** The update's outcome: accepted, or rejected with #10 and followed by an initial registration. */
  outcome: 'updated' | 'implicitly-deregistered, registered again' | 'no signalling';
  registered: boolean;
}

async function inCoverage(n: NetworkSide, ue: Ue, update: 'periodic' | 'mobility' | undefined): Promise<InCoverageResult> {
  ue.outOfCoverage = false;
  const type = update ?? (ue.t3512ExpiredOutOfCoverage ? 'periodic' : undefined);
  ue.t3512ExpiredOutOfCoverage = false;
  if (!type || ue.state !== GmmState.REGISTERED) return { update: 'none', outcome: 'no signalling', registered: ue.state === GmmState.REGISTERED };
  let rejected: RegistrationRejected | undefined;
  await n.recorder.procedure(`UE back in coverage (${type} registration update)`, 'TS 24.501 5.5.1.3', ue.supi, async () => {
    try {
      await ue.updateRegistration({ type });
    } catch (e) {
      if (!(e instanceof RegistrationRejected) || e.fiveGmmCause !== 10) throw e;
      rejected = e;
      // 5.5.1.3.5 #10: the initial registration starts once the AMF released the connection
      await pollUntil(() => ue.networkDeregistration.reRegistration !== undefined || ue.state === GmmState.REGISTERED, 200);
      await ue.networkDeregistration.reRegistration;
      if (ue.state !== GmmState.REGISTERED) throw new Error(`${ue.supi} did not register again after #10 (TS 24.501 5.5.1.3.5)`, { cause: e });
    }
  });
  await n.settle();
  return { update: type, outcome: rejected ? 'implicitly-deregistered, registered again' : 'updated', registered: ue.state === GmmState.REGISTERED };
}

/** `ctl ue <supi> in-coverage` and the scenario step `in-coverage`. */
export function inCoverageOn(net: LiveNetwork, supi: string, update?: 'periodic' | 'mobility'): Promise<InCoverageResult> {
  return net.onUe(supi, 'in coverage', (_n, ue) => {
    if (!ue.outOfCoverage) throw new ControlError(409, `${supi} is not out of coverage`);
  }, (n, ue) => inCoverage(n, ue, update));
}

registerControlCommand({
  words: ['ue', '<supi>', 'in-coverage'],
  options: {
    type: { kind: 'choice', choices: ['periodic', 'mobility'], default: 'periodic when T3512 expired while away, else none', help: 'the registration update the UE makes on return (TS 24.501 5.3.7, 5.5.1.3.2)' },
  },
  summary: 'the UE comes back into coverage and makes its due registration update; one the AMF deregistered meanwhile is rejected with #10 and registers again (TS 24.501 5.5.1.3.5)',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined) throw new ControlError(400, 'in-coverage needs <supi>');
    return inCoverageOn(net, a.supi, a.options.type);
  },
});

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
