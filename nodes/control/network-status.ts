// What `wire5g ctl status` reports of a running network: its NFs, gNBs and UEs (RM/CM and 5GMM
// state, 5G-GUTI, PDU sessions with their N3 tunnels) and the ledgers.

import type { Snssai } from '../common/config.ts';
import type { LedgerSnapshot } from '../common/ledger.ts';
import type { Gnb } from '../gnb/gnb.ts';
import { GmmState } from '../ue/gmm-state.ts';
import type { Ue } from '../ue/ue.ts';

export interface PduSessionStatus {
  psi: number;
  dnn: string;
  snssai: Snssai;
  address: string;
  /** N3 tunnel: the UPF's UL TEID and the gNB's DL TEID (TS 38.413 9.3.4.1/9.3.4.2). */
  teids: { ul?: number; dl?: number; upf?: string };
}

export interface UeStatus {
  supi: string;
  /** TS 23.501 5.3.2 / 5.3.3 states. */
  rmState: 'RM-REGISTERED' | 'RM-DEREGISTERED';
  cmState: 'CM-CONNECTED' | 'CM-IDLE';
  /** TS 24.501 5.1.3.2.1. */
  gmmState: string;
  /** TS 29.571 Guti form: 5g-guti-<MCC><MNC><AMF ID, 6 hex><5G-TMSI, 8 hex>. */
  guti?: string;
  /** The command the UE is running, if any. */
  busy?: string;
  sessions: PduSessionStatus[];
}

export interface NetworkStatus {
  outDir: string;
  pid: number;
  uptimeSeconds: number;
  externalCore: boolean;
  nfs: { name: string; address: string; ledger?: LedgerSnapshot }[];
  gnbs: { name: string; address: string; amf: string; ueContexts: number }[];
  ues: UeStatus[];
  ledgers: Record<string, LedgerSnapshot>;
  ledgersAtStart: Record<string, LedgerSnapshot>;
  /** The UDR's database (absolute path) when the core runs here: `wire5g subscriber remove` goes through the network then. */
  udrDatabase?: string;
}

/** TS 29.571 Guti form: 5g-guti-<MCC><MNC><AMF ID, 6 hex><5G-TMSI, 8 hex>. */
export function formatGuti(g: NonNullable<Ue['fiveGGuti']>): string {
  const amfId = ((g.amfRegionId << 16) | (g.amfSetId << 6) | g.amfPointer).toString(16).padStart(6, '0');
  return `5g-guti-${g.plmn.mcc}${g.plmn.mnc}${amfId}${g.tmsi.toString(16).padStart(8, '0')}`;
}

/** A UE as `status` shows it; `busy` is the command it is running, if any. */
export function ueStatusOf(ue: Ue, busy: string | undefined, gnb: Gnb): UeStatus {
  const tunnels = new Map(gnb.tunnelsOf(ue.side).map((t) => [t.pduSessionId, t]));
  const registered = ue.state === GmmState.REGISTERED || ue.state === GmmState.DEREGISTERED_INITIATED || ue.state === GmmState.SERVICE_REQUEST_INITIATED;
  return {
    supi: ue.supi,
    rmState: registered ? 'RM-REGISTERED' : 'RM-DEREGISTERED',
    cmState: ue.connected ? 'CM-CONNECTED' : 'CM-IDLE',
    gmmState: ue.state,
    ...(registered && ue.fiveGGuti ? { guti: formatGuti(ue.fiveGGuti) } : {}),
    ...(busy ? { busy } : {}),
    sessions: [...ue.sessions.values()].map((s) => {
      const t = tunnels.get(s.pduSessionId);
      return { psi: s.pduSessionId, dnn: s.dnn, snssai: s.snssai, address: s.address, teids: t ? { ul: t.ulTeid, dl: t.dlTeid, upf: t.upf } : {} };
    }),
  };
}
