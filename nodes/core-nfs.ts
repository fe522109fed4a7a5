// The core NFs of a wire5g network and the order they start in, apart from nodes/core.ts (which
// imports every NF) so that what only names them (the worker-thread layouts, their main-thread
// side) loads none of the NFs' code.

export const CORE_NFS = ['nrf', 'nssf', 'udr', 'udm', 'ausf', 'pcf', 'upf', 'smf', 'amf', 'bsf', 'chf', 'nwdaf', 'af'] as const;

export type CoreNf = (typeof CORE_NFS)[number];

/** startCore's order: the NRF first (every NF registers at start), each NF after the peers it may discover (nrf.discovery). */
export const START_ORDER: readonly CoreNf[] = ['nrf', 'nssf', 'udr', 'udm', 'ausf', 'bsf', 'chf', 'nwdaf', 'pcf', 'upf', 'smf', 'amf', 'af'];
