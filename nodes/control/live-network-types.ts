// The options of a LiveNetwork (live-network.ts), what stopping it answers, and a UE it holds.

import type { SubscriberConfig } from '../common/config.ts';
import type { Ue } from '../ue/ue.ts';
import type { SoSnpnCredentials } from '../pvs/pvs.ts';
import type { AmfTimers } from '../amf/gmm.ts';

export interface LiveNetworkOptions {
  outDir: string;
  /** The core runs elsewhere (`wire5g start <nf>`): only the gNB and the UEs run here. */
  externalCore?: boolean;
  /** Ladder lines as they happen. */
  print?: (line: string) => void;
  log?: (line: string) => void;
  /** UDR database override (default cfg.udr.database). */
  database?: string;
  /** Write the pcapng (default true). */
  capture?: boolean;
  /** How often the pcapng is flushed to disk, so that it can be read while the network runs. */
  flushMs?: number;
  /**
   * Write the capture to a temporary file renamed over run.pcapng when the network stops (a
   * scenario run: the out directory holds the previous complete set or the new one). Without it
   * the capture grows in run.pcapng itself, readable while the network runs (`wire5g up`).
   */
  atomic?: boolean;
  /** With externalCore: how long to wait for the core's NFs and the NG Setup (default 120 s). */
  coreWaitMs?: number;
  /** With externalCore: what the wait is waiting for ("NG Setup ...: ECONNREFUSED; trying again in 2 s"). */
  status?: (line: string) => void;
  /** Stops waiting for an external core (Ctrl-C). */
  signal?: AbortSignal;
  /** The AMF's NAS and reachability timers (a scenario's `timers`; TS 24.501 defaults otherwise). */
  amfTimers?: Partial<AmfTimers>;
}


export interface StopResult {
  ok: boolean;
  summary: Record<string, unknown>;
  files: { capture?: string; ladder: string; summary: string };
  leftBehind: Record<string, unknown>;
  /** The NFs whose ledgers were compared (the gNB only when the core runs elsewhere). */
  ledgersChecked: string[];
  /** Stopped before its end (Ctrl-C): the outputs say so. */
  interrupted: boolean;
  /** The UEs the network held. */
  ues: { supi: string }[];
}

export interface LiveUe {
  ue: Ue;
  subscriber: SubscriberConfig;
  busy?: string;
  nextEchoSequence: number;
  /** The SO-SNPN credentials the UE obtained from the PVS (snpn-commands.ts): its next registration uses them. */
  provisioned?: SoSnpnCredentials;
}
