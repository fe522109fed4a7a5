// Issue 21 goals 3 and 5: which core NFs share a worker thread when the core runs on K threads of
// the one process (`wire5g run --threads K`, the bench's threaded rows). The NFs talk only over
// loopback sockets either way, so a layout changes nothing on the wire; it only decides which NFs'
// CPU time shares a thread. Measured in docs/decisions/21-worker-threads.md.

import { START_ORDER, type CoreNf } from '../core-nfs.ts';

/**
 * The groups for K threads. Each NF is in exactly one group. The grouping follows the procedures'
 * load: registration (TS 23.502 4.2.2.2.2) is the AMF with the AUSF, UDM and UDR behind it
 * (authentication, 4.2.2.2.2 steps 8-14); PDU session establishment (4.3.2.2.1) is the SMF, UPF,
 * PCF and what the PCF reaches (BSF, CHF, NWDAF, AF).
 */
export const CORE_THREAD_LAYOUTS: Readonly<Record<number, readonly (readonly CoreNf[])[]>> = {
  1: [START_ORDER],
  2: [
    ['nrf', 'nssf', 'amf', 'ausf', 'udm'],
    ['udr', 'pcf', 'upf', 'smf', 'bsf', 'chf', 'nwdaf', 'af'],
  ],
  3: [
    ['nrf', 'nssf', 'amf'],
    ['udr', 'udm', 'ausf'],
    ['pcf', 'upf', 'smf', 'bsf', 'chf', 'nwdaf', 'af'],
  ],
};

/** The most threads a layout is given for (more threads than groups of NFs that load a thread would only add hand-offs). */
export const MAX_CORE_THREADS = Math.max(...Object.keys(CORE_THREAD_LAYOUTS).map(Number));

/** The groups of NFs for `threads` worker threads; throws a RangeError naming the choices when there is no layout for it. */
export function coreThreadGroups(threads: number): readonly (readonly CoreNf[])[] {
  const groups = CORE_THREAD_LAYOUTS[threads];
  if (!groups) throw new RangeError(`${threads} core threads: one of ${Object.keys(CORE_THREAD_LAYOUTS).join(', ')} (0: every NF on the main thread)`);
  return groups;
}

/** A group's name in messages: 'AMF+AUSF+UDM+NSSF+NRF'. */
export const groupName = (group: readonly CoreNf[]): string => group.map((nf) => nf.toUpperCase()).join('+');
