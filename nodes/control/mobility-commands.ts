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
import type { NetworkSide } from './network-commands.ts';
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
