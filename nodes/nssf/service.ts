// The NSSF (TS 23.501 6.2.14, TS 29.531): network slice selection for registration from its
// configuration (`nssf` in the network configuration, nodes/common/nrf-config.ts).

import type { SbiRoute } from '../common/sbi.ts';
import { amfInstances, type NetworkConfig, type Snssai } from '../common/config.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { nfInstanceId } from '../common/nf-instance.ts';
import { nsSelectionRoutes, type NssfSelectionData } from './ns-selection.ts';

/**
 * The NSSF's selection data: the configured TAs and AMF Sets, or when none are, this network's own
 * AMFs (config `amfs`, or the one AMF): each TAC with the slices of the AMFs serving it, each AMF
 * Set with the slices of its AMFs. A derived Set lists no candidate AMFs: the AMF finds the Set's
 * AMFs at the NRF (TS 23.502 4.2.2.2.3 step 6), and 7(B) stays possible (it is not used when the
 * NSSF names candidate AMFs).
 */
export function nssfSelectionData(cfg: NetworkConfig, nrfUri: string): NssfSelectionData {
  const n = cfg.nssf;
  const amfs = amfInstances(cfg);
  const union = (lists: Snssai[][]) => lists.flat().filter((s, i, all) => all.findIndex((x) => x.sst === s.sst && (x.sd ?? '') === (s.sd ?? '')) === i);
  const tacs = [...new Set(amfs.flatMap((a) => a.tacs))];
  const sets = [...new Map(amfs.map((a) => [`${a.guami.regionId}-${a.guami.setId}`, a.guami])).values()];
  return {
    plmn: cfg.plmn,
    trackingAreas: n.trackingAreas.length ? n.trackingAreas : tacs.map((tac) => ({ tac, snssais: union(amfs.filter((a) => a.tacs.includes(tac)).map((a) => a.snssais)) })),
    amfSets: n.amfSets.length
      ? n.amfSets.map((s) => ({ regionId: s.regionId, setId: s.setId, snssais: s.snssais, amfInstanceIds: s.amfs.map((a) => nfInstanceId('AMF', a)) }))
      : sets.map((g) => ({ regionId: g.regionId, setId: g.setId, snssais: union(amfs.filter((a) => a.guami.regionId === g.regionId && a.guami.setId === g.setId).map((a) => a.snssais)), amfInstanceIds: [] })),
    nrfUri,
  };
}

/** The NSSF holds nothing per UE: its ledger is empty. */
export function nssfRoutes(cfg: NetworkConfig, nrfUri: string): { routes: SbiRoute[]; ledger: ResourceLedger } {
  return { routes: nsSelectionRoutes(nssfSelectionData(cfg, nrfUri)), ledger: new ResourceLedger('NSSF') };
}
