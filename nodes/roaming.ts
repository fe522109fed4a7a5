// The two PLMNs of a home-routed roaming run (issue 17, config `roaming`): the home PLMN's view of
// the configuration, each PLMN's routing (its own NFs by FQDN, the other PLMN through its SEPP),
// the names the ladder gives the NFs of both, and the two SEPPs with their N32-c handshake.

import type { NetworkConfig } from './common/config.ts';
import { nfFqdn, plmnOfFqdn, samePlmn } from './common/roaming-config.ts';
import { PlmnRoutingSbiClient, type PlmnRouting } from './sepp/routing.ts';
import { Sepp } from './sepp/sepp.ts';
import { TEST_CA_PEM, VSEPP_CERT_PEM, VSEPP_KEY_PEM, HSEPP_CERT_PEM, HSEPP_KEY_PEM } from './sepp/test-pki.ts';
import type { SbiClient } from '../transport/sbi/api.ts';
import type { WireTap } from '../transport/tap.ts';

/** Which PLMN an NF of a roaming run belongs to. */
export type PlmnSide = 'visited' | 'home';

/**
 * The configuration as the home PLMN's NFs see it: its PLMN, addresses, UE pool, data network,
 * UDR and subscribers (the AMF and gNB keys stay the visited PLMN's and are not used by them).
 */
export function homeView(cfg: NetworkConfig): NetworkConfig {
  const h = cfg.roaming.home;
  return {
    ...cfg,
    plmn: h.plmn,
    uePool: h.uePool,
    dataNetwork: h.dataNetwork,
    addresses: { ...cfg.addresses, smf: h.addresses.smf, upf: h.addresses.upf, ausf: h.addresses.ausf, udm: h.addresses.udm, pcf: h.addresses.pcf, udr: h.addresses.udr, bsf: h.addresses.bsf, chf: h.addresses.chf, nwdaf: h.addresses.nwdaf, af: h.addresses.af },
    udr: { database: h.database },
    subscribers: h.subscribers,
  };
}

/** The address of an NF of one PLMN by its FQDN label. */
function resolver(cfg: NetworkConfig, side: PlmnSide): (nf: string) => string | undefined {
  if (side === 'home') {
    const a = cfg.roaming.home.addresses;
    return (nf) => (nf in a ? a[nf as keyof typeof a] : undefined);
  }
  return (nf) => (nf === 'sepp' ? cfg.roaming.vsepp : nf in cfg.addresses && nf !== 'gnb' ? cfg.addresses[nf as keyof typeof cfg.addresses] : undefined);
}

/** A PLMN's routing: its NFs by address, the other PLMN through its SEPP. */
export function plmnRouting(cfg: NetworkConfig, side: PlmnSide): PlmnRouting {
  const plmn = side === 'home' ? cfg.roaming.home.plmn : cfg.plmn;
  const sepp = side === 'home' ? cfg.roaming.home.addresses.sepp : cfg.roaming.vsepp;
  return { plmn, resolve: resolver(cfg, side), seppApiRoot: `http://${sepp}:${cfg.ports.sbi}` };
}

/** Wraps an NF's client in its PLMN's routing when roaming is on. */
export function routeFor(cfg: NetworkConfig, side: PlmnSide): ((inner: SbiClient) => SbiClient) | undefined {
  if (!cfg.roaming.enabled) return undefined;
  const r = plmnRouting(cfg, side);
  return (inner) => new PlmnRoutingSbiClient(inner, r);
}

/** The ladder's names: the visited PLMN's NFs as in a one-PLMN run, the home PLMN's 'H-UDM', 'H-SMF', ..., the SEPPs. */
export function roamingNames(cfg: NetworkConfig): Map<string, string> {
  const names = new Map<string, string>();
  const h = cfg.roaming.home;
  for (const [nf, a] of Object.entries(h.addresses)) {
    const name = nf === 'sepp' ? 'hSEPP' : `H-${nf.toUpperCase()}`;
    names.set(a, name);
    names.set(nfFqdn(nf, h.plmn), name);
  }
  names.set(cfg.roaming.vsepp, 'vSEPP');
  for (const [nf, a] of Object.entries(cfg.addresses)) names.set(a, nf === 'gnb' ? 'gNB' : nf.toUpperCase());
  for (const nf of Object.keys(cfg.addresses)) if (nf !== 'gnb') names.set(nfFqdn(nf, cfg.plmn), nf.toUpperCase());
  names.set(nfFqdn('sepp', cfg.plmn), 'vSEPP');
  return names;
}

/** Names an FQDN host of either PLMN not in the table by its label and PLMN. */
export function fqdnName(cfg: NetworkConfig, host: string): string | undefined {
  const f = plmnOfFqdn(host);
  if (!f) return undefined;
  return samePlmn(cfg.roaming.home.plmn, f) ? `H-${f.nf.toUpperCase()}` : f.nf.toUpperCase();
}

export interface Sepps {
  vsepp: Sepp;
  hsepp: Sepp;
}

/**
 * Starts the SEPP of one PLMN: the hSEPP (`home`) or the vSEPP (`visited`), which then runs the
 * N32-c handshake with the hSEPP (TS 29.573 5.2.2.2). `handshakeAttempts` (default 1) tries the
 * handshake that many times, `retryMs` apart, for an hSEPP in another process that may still be
 * starting (`wire5g start sepp`).
 */
export async function startSepp(cfg: NetworkConfig, side: PlmnSide, o: { tap?: WireTap; log?: (line: string) => void; handshakeAttempts?: number; retryMs?: number }): Promise<Sepp> {
  const h = cfg.roaming.home;
  const names = roamingNames(cfg);
  const common = { nameOf: (a: string) => names.get(a) ?? a, sbiPort: cfg.ports.sbi, n32Port: cfg.roaming.n32Port, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) };
  if (side === 'home') return Sepp.start({ ...common, name: 'hSEPP', plmn: h.plmn, address: h.addresses.sepp, peer: { plmn: cfg.plmn, address: cfg.roaming.vsepp }, resolve: resolver(cfg, 'home'), tls: { ca: TEST_CA_PEM, cert: HSEPP_CERT_PEM, key: HSEPP_KEY_PEM } });
  const vsepp = await Sepp.start({ ...common, name: 'vSEPP', plmn: cfg.plmn, address: cfg.roaming.vsepp, peer: { plmn: h.plmn, address: h.addresses.sepp }, resolve: resolver(cfg, 'visited'), tls: { ca: TEST_CA_PEM, cert: VSEPP_CERT_PEM, key: VSEPP_KEY_PEM } });
  const attempts = o.handshakeAttempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      await vsepp.handshake();
      return vsepp;
    } catch (e) {
      if (attempt >= attempts) {
        await vsepp.stop();
        throw e;
      }
      o.log?.(`[vSEPP] N32-c handshake with the hSEPP ${h.addresses.sepp}:${cfg.roaming.n32Port}: ${e instanceof Error ? e.message : String(e)}; trying again (${attempt}/${attempts})`);
      await new Promise((r) => setTimeout(r, o.retryMs ?? 1000));
    }
  }
}

/** Starts both SEPPs and runs the vSEPP's N32-c handshake with the hSEPP (TS 29.573 5.2.2.2). */
export async function startSepps(cfg: NetworkConfig, o: { tap?: WireTap; log?: (line: string) => void }): Promise<Sepps> {
  const hsepp = await startSepp(cfg, 'home', o);
  try {
    return { vsepp: await startSepp(cfg, 'visited', o), hsepp };
  } catch (e) {
    await hsepp.stop();
    throw e;
  }
}
