// `wire5g start <nf> --config FILE`: one core NF in this process, on the address the config gives
// it, until SIGINT/SIGTERM. Several of these (one per NF) and `wire5g run --external-core` make the
// same network as `wire5g run`, with every NF in its own process; `wire5g start core` runs every
// core NF `wire5g run` starts in one process, so the gNB and UEs of `run --external-core` (the load
// they generate) run in another. With roaming on (issue 17),
// `--plmn home` starts an NF of the home PLMN and `wire5g start sepp --plmn visited|home` a SEPP.

import { loadConfig } from '../nodes/common/config.ts';
import { subscribersFor } from '../nodes/scenario.ts';
import { startNf, startCore, nfNamer, CORE_NFS, type CoreNf } from '../nodes/core.ts';
import { startSepp, type PlmnSide } from '../nodes/roaming.ts';
import { startAaa, startNssaaf } from '../nodes/core-dcs-aaa.ts';
import type { NetworkConfig } from '../nodes/common/config.ts';
import { Capture } from '../transport/capture/capture.ts';
import { subscribeTrace, ladderLine } from '../nodes/common/trace.ts';
import { defineCommand, UsageError } from './args.ts';
import { acquireLocks, addressLockFile } from './run-lock.ts';
import { setSbiHttp2 } from '../transport/sbi/http2-choice.ts';

/** The NFs the home PLMN of a roaming run has (no AMF; its NRF and NSSF are not emulated). */
const HOME_NFS: readonly CoreNf[] = CORE_NFS.filter((nf) => nf !== 'amf' && nf !== 'nrf' && nf !== 'nssf');

/** The NFs of an onboarding SNPN's case 9-1 (TS 23.502 4.2.2.2.4, config snpn.aaa): the ON-SNPN's NSSAAF and the DCS's AAA server. */
const DCS_AAA_NFS = ['nssaaf', 'aaa'] as const;
const isDcsAaaNf = (name: string): name is (typeof DCS_AAA_NFS)[number] => (DCS_AAA_NFS as readonly string[]).includes(name);

/** What `start` runs: a core NF of either PLMN, a SEPP, the NSSAAF or the AAA server; its name in the ready line and its address. */
function target(cfg: NetworkConfig, name: string, side: PlmnSide): { label: string; address: string } {
  if (name === 'core') {
    if (side === 'home') throw new UsageError(`'core' starts both PLMNs of a roaming run already; --plmn home applies to one NF`);
    return { label: 'core', address: cfg.addresses.amf };
  }
  if (isDcsAaaNf(name)) {
    const aaa = cfg.snpn?.aaa;
    if (!aaa) throw new UsageError(`'${name}' runs only with snpn.aaa configured (the NSSAAF and the DCS's AAA server of SNPN onboarding case 9-1)`);
    if (side === 'home') throw new UsageError(`the home PLMN has no ${name.toUpperCase()}; ${name} runs with --plmn visited`);
    return { label: name, address: name === 'aaa' ? aaa.address : aaa.nssaafAddress };
  }
  if (name === 'sepp') {
    if (!cfg.roaming.enabled) throw new UsageError(`'sepp' runs only with roaming.enabled (the SEPPs join the two PLMNs of a roaming run)`);
    return { label: side === 'home' ? 'hsepp' : 'vsepp', address: side === 'home' ? cfg.roaming.home.addresses.sepp : cfg.roaming.vsepp };
  }
  if (!CORE_NFS.includes(name as CoreNf)) throw new UsageError(`unknown NF '${name}'; one of ${CORE_NFS.join(', ')}, core (all of them in one process), nssaaf and aaa with snpn.aaa, or sepp with roaming on (the gNB and UEs run with 'wire5g run --external-core')`);
  const nf = name as CoreNf;
  if (side === 'visited') return { label: nf, address: cfg.addresses[nf] };
  if (!cfg.roaming.enabled) throw new UsageError(`--plmn home needs roaming.enabled (the home PLMN exists only in a roaming run)`);
  if (!HOME_NFS.includes(nf)) throw new UsageError(`the home PLMN has no ${nf.toUpperCase()} in wire5g; with --plmn home one of ${HOME_NFS.join(', ')}, sepp`);
  return { label: `h-${nf}`, address: cfg.roaming.home.addresses[nf as keyof typeof cfg.roaming.home.addresses] };
}

export const startCommand = defineCommand({
  name: 'start',
  summary: `run one core NF (${CORE_NFS.join(', ')}; with snpn.aaa also nssaaf and aaa; with roaming also sepp and the home PLMN's NFs), or 'core' (all of them), in this process until Ctrl-C`,
  description: `Runs one core NF (${CORE_NFS.join(', ')}) on the address the configuration gives it, printing 'wire5g <nf> ready on <address>' once it serves, until SIGINT/SIGTERM. Start nrf, then udr udm ausf pcf upf bsf chf nwdaf af, then smf, then amf, then 'wire5g run --external-core' with the same --config (see README). 'wire5g start core' runs every core NF that 'wire5g run' starts (with roaming, snpn or eir configured, those NFs too) in this one process, printing 'wire5g core ready on <AMF address>' and, at its stop, every NF's ledger. With roaming.enabled, '--plmn home' runs an NF of the home PLMN (${HOME_NFS.join(', ')}; ready line 'wire5g h-<nf> ready') and 'wire5g start sepp --plmn home|visited' a SEPP (the vSEPP runs the N32-c handshake, trying again while the hSEPP is not up). With snpn.aaa (SNPN onboarding case 9-1), 'wire5g start nssaaf' runs the NSSAAF (Nnssaaf_AIW at snpn.aaa.nssaafAddress) and 'wire5g start aaa' the DCS's AAA server (RADIUS at snpn.aaa.address:1812).`,
  positionals: { syntax: '<nf>', min: 1, max: 1 },
  options: {
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML); every process of one network must use the same file' },
    plmn: { kind: 'choice', choices: ['visited', 'home'], default: 'visited', help: "with roaming.enabled: the PLMN of the NF (home: the home PLMN's, at roaming.home.addresses)" },
    capture: { kind: 'string', arg: 'FILE', default: 'none', help: "write this NF's traffic to a pcapng file (merge several with mergecap)" },
    ladder: { kind: 'flag', help: 'print each message this NF sends or receives as a ladder line' },
    verbose: { kind: 'flag', help: "print the NF's log (peers, retries, errors) on stderr" },
  },
  async run({ values, positionals }) {
    const cfg = loadConfig(values.config);
    setSbiHttp2(cfg.sbi.http2); // the configuration's sbi.http2; WIRE5G_SBI_HTTP2, when set, wins
    const side: PlmnSide = values.plmn === 'home' ? 'home' : 'visited';
    const { label, address } = target(cfg, positionals[0], side);
    const capture = values.capture ? Capture.toFile(values.capture) : undefined;
    if (values.ladder) subscribeTrace((e) => console.log(ladderLine(e)));
    // `core` binds every address of the network but the gNB's (the same locks as `wire5g run` takes for them)
    const addresses = label === 'core' ? Object.entries(cfg.addresses).filter(([nf]) => nf !== 'gnb').map(([, a]) => a) : [address];
    acquireLocks(addresses.map(addressLockFile), { command: `wire5g start ${positionals[0]}${side === 'home' ? ' --plmn home' : ''}`, addresses }, `stop it first, or give this NF another address (--config)`);
    // without --verbose, only what needs the user: a peer that cannot be reached, a retry, a failure
    const log = values.verbose ? (l: string) => console.error(l) : (l: string) => {
      if (/unreachable|unanswered|no answer|failed|ECONNREFUSED|trying again/i.test(l)) console.error(l);
    };
    const o = { ...(capture ? { tap: capture } : {}), log };
    let h: { ledger: { snapshot(): unknown }; stop(): Promise<void> };
    if (label === 'core') {
      console.log(`wire5g core: ${CORE_NFS.length} core NFs in this process; the SMF sets the PFCP association with the UPF ${cfg.addresses.upf}:${cfg.ports.pfcp} up before the AMF serves`);
      // every configured subscriber, and as many more as `wire5g run` derives for ue.count UEs (from the
      // first, MSIN + n), so a `run --external-core` with the same config finds each of its UEs; the SBI time-out of `run`
      const subscribers = cfg.ue.count > cfg.subscribers.length ? subscribersFor(cfg) : cfg.subscribers;
      const core = await startCore({ ...cfg, subscribers }, { sbiTimeoutMs: 15_000, ...o });
      core.store.seed(subscribers);
      h = { ledger: { snapshot: () => core.ledgers() }, stop: () => core.stop() };
    } else if (positionals[0] === 'sepp') {
      if (side === 'visited') console.log(`wire5g vsepp: N32-c handshake with the hSEPP ${cfg.roaming.home.addresses.sepp}:${cfg.roaming.n32Port} before serving`);
      h = await startSepp(cfg, side, { ...o, handshakeAttempts: 60 });
    } else if (isDcsAaaNf(positionals[0])) {
      const start = positionals[0] === 'aaa' ? startAaa : startNssaaf;
      h = await start(cfg, { ...o, nameOf: nfNamer(cfg) });
    } else {
      const nf = positionals[0] as CoreNf;
      if (nf === 'smf') console.log(`wire5g ${label}: setting up the PFCP association with the UPF ${side === 'home' ? cfg.roaming.home.addresses.upf : cfg.addresses.upf}:${cfg.ports.pfcp} before serving`);
      h = await startNf(nf, cfg, { ...o, side });
    }
    const upf = side === 'home' ? cfg.roaming.home.addresses.upf : cfg.addresses.upf;
    console.log(`wire5g ${label} ready on ${address}${positionals[0] === 'smf' ? ` (PFCP association with the UPF ${upf} up)` : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    // `core`: every NF's ledger, by its name ({"AMF": {...}, "SMF": {...}, ...})
    console.log(`wire5g ${label} stopping; ${label === 'core' ? 'ledgers' : 'ledger'} ${JSON.stringify(h.ledger.snapshot())}`);
    await h.stop();
    capture?.close();
    return 0;
  },
});
