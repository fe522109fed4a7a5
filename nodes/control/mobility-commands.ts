// `wire5g ctl ue <supi> move --tac N` and the scenario step `move`: the UE moves to the gNB's cell
// in tracking area N (nodes/gnb/cells.ts). Outside its TAI list it makes a mobility registration
// update there (nodes/ue/procedures/mobility-registration.ts, TS 24.501 5.5.1.3.2 a); the gNB
// selects an AMF serving TA N: the UE's AMF when it serves it, else another one, which fetches the
// UE context from the old AMF (Namf_Communication_UEContextTransfer, RegistrationStatusUpdate,
// TS 23.502 4.2.2.2.2 steps 4-5 and 10) and moves the PDU sessions to itself at their SMF (step
// 17). wire5g has no handover: a CM-CONNECTED UE's AN is released first (TS 23.502 4.2.6, cause
// user inactivity), as after any end of activity before it moves on.

import type { Ue } from '../ue/ue.ts';
import { GmmState } from '../ue/gmm-state.ts';
import { cellOf, gnbCellTacs, tacOfCell } from '../gnb/cells.ts';
import { moveToCell } from '../ue/procedures/mobility-registration.ts';
import { ControlError } from './control-error.ts';
import { registerControlCommand } from './commands.ts';
import type { LiveNetwork } from './live-network.ts';
import { pollUntil, type NetworkSide } from './network-commands.ts';
import { formatGuti } from './network-status.ts';

export interface MoveResult {
  tac: number;
  /** Whether the UE made a mobility registration update (TAC N outside its TAI list). */
  registrationUpdate: boolean;
  /** The AMF serving the UE afterwards (its name in the ladder), when the core is embedded. */
  amf?: string;
  guti?: string;
}

async function move(n: NetworkSide, ue: Ue, tac: number): Promise<MoveResult> {
  if (ue.connected) {
    await n.recorder.procedure('AN Release (before the move: wire5g has no handover)', 'TS 23.502 4.2.6', ue.supi, () => n.gnb.releaseAn(ue.side));
    await n.settle();
  }
  const cell = cellOf(n.gnb, tac);
  let updated = false;
  await n.recorder.procedure(`Move to a cell of TAC ${tac} (mobility registration update outside the TAI list)`, 'TS 24.501 5.5.1.3.2', ue.supi, async () => {
    updated = (await moveToCell(ue, cell, tac)).registration !== undefined;
  });
  // from idle, the AMF releases the connection after the update (TS 24.501 5.5.1.3.4)
  await n.settle();
  const amf = n.core?.amfs.find((a) => a.bySupi.has(ue.supi));
  const g = ue.fiveGGuti;
  return { tac, registrationUpdate: updated, ...(amf ? { amf: amf.nf } : {}), ...(g ? { guti: formatGuti(g) } : {}) };
}

/** `ctl ue <supi> move --tac N` and the scenario step `move`. */
export function moveOn(net: LiveNetwork, supi: string, tac: number): Promise<MoveResult> {
  return net.onUe(supi, 'move', (n, ue) => {
    if (!gnbCellTacs(n.gnb.cfg).includes(tac)) throw new ControlError(400, `the gNB has no cell in TAC ${tac} (its cells: TAC ${gnbCellTacs(n.gnb.cfg).join(', ')}; a network's gNB has a cell in every TA of its AMFs' tacs)`);
    if (tacOfCell(ue.cell, n.gnb) === tac) throw new ControlError(409, `${supi} is already in a cell of TAC ${tac}`);
    if (ue.gmm !== GmmState.REGISTERED && ue.gmm !== GmmState.DEREGISTERED) throw new ControlError(409, `${supi} is ${ue.gmm}: it moves when no registration procedure is running`);
  }, (n, ue) => move(n, ue, tac));
}

/**
 * The scenario step `await-periodic`: the UE, in CM-IDLE, makes its periodic registration update
 * when T3512 expires (TS 24.501 5.3.7 a; the value of its last Registration accept, config
 * `amf.t3512Seconds`) within `seconds`, and the AMF released the connection after it (5.5.1.3.4).
 */
export function awaitPeriodicOn(net: LiveNetwork, supi: string, seconds: number): Promise<{ periodicUpdates: number }> {
  return net.onUe(supi, 'await periodic', (_n, ue) => {
    if (ue.gmm !== GmmState.REGISTERED) throw new ControlError(409, `${supi} is ${ue.gmm}: T3512 runs in 5GMM-REGISTERED`);
    if (ue.connected) throw new ControlError(409, `${supi} is CM-CONNECTED: T3512 runs in 5GMM-IDLE only (an-release first)`);
    if (!ue.registration?.t3512Seconds) throw new ControlError(409, `${supi} has no T3512 (its Registration accept deactivated it)`);
  }, async (n, ue) => {
    const before = ue.stats.t3512Expiries;
    await n.recorder.procedure('Registration (periodic update on T3512 expiry)', 'TS 24.501 5.3.7', ue.supi, async () => {
      await pollUntil(() => ue.stats.t3512Expiries > before && ue.regWaiter === undefined && !ue.connected, Math.ceil((seconds * 1000) / 25));
      if (ue.stats.t3512Expiries === before) throw new Error(`T3512 of ${ue.supi} did not expire within ${seconds} s (T3512 ${ue.registration?.t3512Seconds ?? '-'} s)`);
      if (ue.regWaiter !== undefined || ue.connected) throw new Error(`the periodic registration update of ${ue.supi} did not end within ${seconds} s`);
      if (ue.gmm !== GmmState.REGISTERED) throw new Error(`${ue.supi} is ${ue.gmm} after its periodic registration update`);
    });
    await n.settle();
    return { periodicUpdates: ue.stats.t3512Expiries - before };
  });
}

registerControlCommand({
  words: ['ue', '<supi>', 'move'],
  options: {
    tac: { kind: 'integer', arg: 'N', min: 0, max: 0xffffff, default: 'none: required', help: 'the tracking area code of the cell the UE moves to (required; the gNB has a cell in every TA of the AMFs)' },
  },
  summary: 'the UE moves to a cell of TAC N: outside its TAI list a mobility registration update (TS 24.501 5.5.1.3.2), to another AMF with UE context transfer (TS 23.502 4.2.2.2.2 steps 4-5, 10, 17) when its AMF does not serve TAC N',
  perUe: true,
  check: (o) => {
    if (o.tac === undefined) throw new ControlError(400, 'move needs --tac N');
  },
  run: (net, a) => {
    if (a.supi === undefined || a.options.tac === undefined) throw new ControlError(400, 'move needs <supi> and --tac N');
    return moveOn(net, a.supi, a.options.tac);
  },
});
