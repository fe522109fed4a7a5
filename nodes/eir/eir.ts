// The 5G-EIR's N5g-eir_EquipmentIdentityCheck service (TS 29.511 5.2.2): the AMF asks for the
// status of a UE's PEI (TS 23.502 4.2.2.2.2 step 13, 4.2.2.2.4 step 12); the EIR answers
// EirResponseData with the EquipmentStatus (TS 29.511 6.1.6.3.2: WHITELISTED = permitted,
// BLACKLISTED = prohibited, GREYLISTED = tracking). wire5g's EIR knows the equipment of config
// `eir`: the PEIs listed as prohibited or tracking; every other PEI is permitted. Equipment is
// matched on its TAC and SNR (the first 14 digits, TS 23.003 6.2), so an IMEI listed stands for
// every software version of the device (its IMEISVs) and the other way round. It keeps no state.

import { SbiProblem, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, ok } from '../common/sbi/routes.ts';
import { EIR } from '../common/sbi/operations.ts';
import { SbiHost, type NfNamer } from '../common/sbi-host.ts';
import type { WireTap } from '../../transport/tap.ts';
import type { components as EirC } from '../common/sbi-types/TS29511_N5g-eir_EquipmentIdentityCheck.ts';

export type EquipmentStatus = EirC['schemas']['EquipmentStatus'];

/** The EIR's lists (config `eir`): PEIs in TS 29.571 form, imei-<15 digits> or imeisv-<16 digits>. */
export interface EirLists {
  prohibited?: string[];
  tracking?: string[];
}

/** TS 29.571 Pei, the IMEI and IMEISV forms (the MAC and EUI forms name no 3GPP equipment an EIR lists). */
export const PEI_PATTERN = /^(imei-[0-9]{15}|imeisv-[0-9]{16})$/;

/** The TAC and SNR of an IMEI or IMEISV PEI (TS 23.003 6.2.1, 6.2.2). */
const equipment = (pei: string) => pei.slice(pei.indexOf('-') + 1, pei.indexOf('-') + 15);

/** The status of `pei` on the lists. */
export function equipmentStatus(lists: EirLists, pei: string): EquipmentStatus {
  const e = equipment(pei);
  if ((lists.prohibited ?? []).some((p) => equipment(p) === e)) return 'BLACKLISTED';
  if ((lists.tracking ?? []).some((p) => equipment(p) === e)) return 'GREYLISTED';
  return 'WHITELISTED';
}

export function eirRoutes(lists: EirLists, ledger = new ResourceLedger('EIR')): { routes: SbiRoute[]; ledger: ResourceLedger } {
  const routes: SbiRoute[] = [
    // TS 29.511 5.2.2.2 N5g-eir_EquipmentIdentityCheck_Get: GET /equipment-status?pei=...[&supi=...]
    serve(EIR.equipmentIdentityCheck.get, (req) => {
      const pei = req.query.pei;
      if (!pei) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_MISSING', 'pei is required');
      if (!PEI_PATTERN.test(pei)) throw new SbiProblem(400, 'MANDATORY_QUERY_PARAM_INCORRECT', `pei ${pei} is neither imei-<15 digits> nor imeisv-<16 digits>`);
      return ok({ status: equipmentStatus(lists, pei) });
    }),
  ];
  return { routes, ledger };
}

/** The EIR of config `eir` on its address (the core's SBI port), as core.ts starts it beside the core. */
export async function startEir(o: { address: string; port: number; lists: EirLists; nameOf: NfNamer; tap?: WireTap; log?: (line: string) => void }): Promise<{ ledger: ResourceLedger; host: SbiHost }> {
  const eir = eirRoutes(o.lists);
  const common = { nf: 'EIR', address: o.address, nameOf: o.nameOf, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) };
  const host = await SbiHost.serve({ ...common, port: o.port, routes: eir.routes }, SbiHost.client(common));
  return { ledger: eir.ledger, host };
}
