// The live network's CHF O&M command (issue 16): the CHF ends a PDU session's charging and with it
// the session (`wire5g ctl chf abort <supi> <psi>`): Nchf_ConvergedCharging_Notify with
// notificationType ABORT_CHARGING (TS 32.291) to the SMF, which acknowledges and releases the PDU
// session by network-requested PDU Session Release (TS 23.502 4.3.4.2), the charging data resource
// going with it (Charging Data Request [Termination]). Needs `chf.convergedCharging`.

import { ControlError } from './control-error.ts';
import { registerControlCommand, describeControlGroup } from './commands.ts';
import type { LiveNetwork } from './live-network.ts';
import { embedded, pollUntil } from './network-commands.ts';

/** `ctl chf abort`: resolves once the UE's session and the CHF's charging session are gone. */
export function chfAbortOn(net: LiveNetwork, supi: string, psi: number): Promise<{ psi: number; outcome: string }> {
  return net.onUe(supi, 'chf abort', (n, ue) => {
    const chf = embedded(n.core?.chf, 'chf', 'chf abort');
    if (!ue.sessions.has(psi)) throw new ControlError(409, `${ue.supi} has no PDU session ${psi}`);
    if (!chf.chargingSessionOf(ue.supi, psi)) throw new ControlError(409, `the CHF has no charging session for PDU session ${psi} of ${ue.supi} (is chf.convergedCharging on?)`);
  }, async (n, ue) => {
    const chf = embedded(n.core?.chf, 'chf', 'chf abort');
    // an establishment's last steps may still be in flight
    await n.settle();
    await n.recorder.procedure('PDU session terminated by the CHF (Nchf_ConvergedCharging_Notify, ABORT_CHARGING)', 'TS 32.291', ue.supi, async () => {
      await chf.abort(ue.supi, psi);
      await n.settle();
      await pollUntil(() => !ue.sessions.has(psi) && !chf.chargingSessionOf(ue.supi, psi));
      if (ue.sessions.has(psi)) throw new Error(`${ue.supi} still holds PDU session ${psi} after the CHF's abort`);
      if (chf.chargingSessionOf(ue.supi, psi)) throw new Error(`the CHF still holds the charging session of PDU session ${psi} of ${ue.supi}`);
    });
    return { psi, outcome: 'released' };
  });
}

describeControlGroup('chf', 'the CHF: end a PDU session\'s charging (Nchf_ConvergedCharging_Notify, ABORT_CHARGING)');

registerControlCommand({
  words: ['chf', 'abort', '<supi>', '<psi>'],
  options: {},
  summary: 'the CHF aborts the PDU session\'s charging (TS 32.291 Nchf_ConvergedCharging_Notify ABORT_CHARGING); the SMF releases the session (TS 23.502 4.3.4.2). Needs chf.convergedCharging',
  perUe: true,
  run: (net, a) => {
    if (a.supi === undefined || a.psi === undefined) throw new ControlError(400, 'chf abort needs <supi> and <psi>');
    return chfAbortOn(net, a.supi, a.psi);
  },
});
