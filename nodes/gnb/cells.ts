// The gNB's cells (TS 38.300 8.2; TS 23.501 5.3.2.3): the first cell is in the tracking area
// `tac`, one more cell in each TA of `cellTacs` (a network's gNB has a cell in every TA its AMFs
// serve, gnbAmfPeers). A UE camps on one cell (cellOf): its RRC connections carry that cell's
// NR CGI and TAI in the User Location Information (TS 38.413 9.3.1.16), and the gNB selects among
// the AMFs serving that TA only (amf-links.ts selectAmf). NG Setup announces every TA
// (SupportedTAList, TS 38.413 9.3.1.15); PAGING is heard in the cells of the TAs it names.

import { bits, tac as ngapTac, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb, GnbConfig } from './gnb.ts';
import type { UuCell } from './uu.ts';
import { uliWithNid, type AnParameters } from './snpn.ts';

/** The TACs of the gNB's cells, the first cell's first. */
export function gnbCellTacs(cfg: Pick<GnbConfig, 'tac' | 'cellTacs'>): number[] {
  return [...new Set([cfg.tac, ...(cfg.cellTacs ?? [])])];
}

/** The NR Cell Identity of the cell in `tac` (36 bits): the first cell's, then one more per cell. */
function nrCellIdOf(cfg: GnbConfig, tac: number): number {
  return (cfg.nrCellId ?? cfg.gnbId * 2 ** 14 + 1) + gnbCellTacs(cfg).indexOf(tac);
}

/** TS 38.413 9.3.1.16 User Location Information of a connection in the cell the AN parameters name (and the SNPN). */
export function cellUli(gnb: Gnb, an: AnParameters): { uli?: Ngap.UserLocationInformation } {
  let uli = gnb.uli;
  if (an.tac !== undefined && an.tac !== gnb.cfg.tac) uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: gnb.plmnId, nRCellIdentity: bits(nrCellIdOf(gnb.cfg, an.tac), 36) }, tAI: { pLMNIdentity: gnb.plmnId, tAC: ngapTac(an.tac) } } };
  if (an.selectedNid !== undefined) uli = uliWithNid(uli, an.selectedNid);
  return uli === gnb.uli ? {} : { uli };
}

/** A cell of the gNB as a UE camps on it. */
export interface GnbCell extends UuCell {
  readonly tac: number;
}

const cells = new WeakMap<Gnb, Map<number, GnbCell>>();

/** The gNB's cell in tracking area `tac`; throws when it has none there. */
export function cellOf(gnb: Gnb, tac: number): GnbCell {
  if (!gnbCellTacs(gnb.cfg).includes(tac)) throw new Error(`gNB ${gnb.cfg.name} has no cell in TAC ${tac} (its cells: TAC ${gnbCellTacs(gnb.cfg).join(', ')})`);
  let byTac = cells.get(gnb);
  if (!byTac) cells.set(gnb, (byTac = new Map()));
  let cell = byTac.get(tac);
  if (!cell) byTac.set(tac, (cell = { tac, connect: (ue, nas, cause, an, about) => gnb.connect(ue, nas, cause, { ...(an ?? {}), tac }, about), leave: (ue) => gnb.leave(ue) }));
  return cell;
}

/** The TAC of the cell a UE is camped on (the gNB itself is its first cell). */
export function tacOfCell(cell: UuCell | undefined, gnb: Gnb): number | undefined {
  if (cell === gnb) return gnb.cfg.tac;
  return (cell as Partial<GnbCell> | undefined)?.tac;
}

/** TS 38.413 9.3.3.20 5G-S-TMSI: AMF Set ID, AMF Pointer, 5G-TMSI (TS 23.003 2.11). */
export function fiveGSTmsiNgap(t: { amfSetId: number; amfPointer: number; tmsi: number }): Ngap.FiveG_S_TMSI {
  const tmsi = new Uint8Array(4);
  new DataView(tmsi.buffer).setUint32(0, t.tmsi >>> 0);
  return { aMFSetID: bits(t.amfSetId, 10), aMFPointer: bits(t.amfPointer, 6), 'fiveG-TMSI': tmsi };
}
