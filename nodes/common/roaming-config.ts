// Home-routed roaming (issue 17): the configuration of a second PLMN, the subscribers' home, run
// beside the serving (visited) PLMN of `NetworkConfig`. The visited PLMN keeps its AMF, SMF (the
// V-SMF of a home-routed session), UPF (the V-UPF) and gains a SEPP (vSEPP); the home PLMN has its
// own SMF (H-SMF), UPF (H-UPF), PCF (H-PCF), UDM, UDR, AUSF and SEPP (hSEPP). Everything between
// the two PLMNs goes through the two SEPPs (TS 29.573, TS 23.501 6.2.17).
//
// Each NF of each PLMN is named by its FQDN (TS 23.003 28.3.2.3: <nf>.5gc.mnc<MNC>.mcc<MCC>.
// 3gppnetwork.org, the MNC on 3 digits) in every URI it hands out, so that a consumer in the other
// PLMN sends it to its own SEPP (nodes/sepp/routing.ts) and never straight to the address.

import type { Plmn, SubscriberConfig } from './config.ts';

export interface HomeNfAddresses {
  smf: string;
  upf: string;
  ausf: string;
  udm: string;
  pcf: string;
  udr: string;
  sepp: string;
  /** The H-PCF's neighbours around SM policies (TS 23.502 4.16.4, 4.16.6; issue 16). */
  bsf: string;
  chf: string;
  nwdaf: string;
  af: string;
}

export interface RoamingConfig {
  /** false: one PLMN, no SEPP (the default network); true: the home PLMN below runs too. */
  enabled: boolean;
  /** The visited PLMN's SEPP (vSEPP). */
  vsepp: string;
  /** N32-c and N32-f, HTTP/2 over TLS between the SEPPs (TS 29.573 5.2: https, default port 443). */
  n32Port: number;
  /**
   * DNNs whose roamers' PDU sessions are in local breakout (TS 23.501 4.2.4, 5.6.1): the AMF names
   * no H-SMF, the visited SMF anchors the session (TS 23.502 4.3.2.2.1) with the V-PCF and the
   * V-UPF (N6 to the visited data network), and gets the SM subscription data at the home UDM
   * through the SEPPs. The others (default: all) are home-routed (4.3.2.2.2).
   */
  localBreakout: string[];
  home: {
    plmn: Plmn;
    /** UE IPv4 addresses the H-SMF allocates (a home-routed session's address is the HPLMN's, TS 23.501 5.8.2.2). */
    uePool: string;
    /** N6 of the H-UPF: the address its built-in responder answers. */
    dataNetwork: string;
    addresses: HomeNfAddresses;
    /** The home UDR's SQLite file. */
    database: string;
    /** The home PLMN's subscribers: the roaming UEs. */
    subscribers: SubscriberConfig[];
  };
}

/** The 3-digit MNC of an FQDN (TS 23.003 28.3.2.3: a 2-digit MNC gets a leading 0). */
const mnc3 = (mnc: string) => mnc.padStart(3, '0');

/** `udm.5gc.mnc093.mcc208.3gppnetwork.org` (TS 23.003 28.3.2.3). */
export function nfFqdn(nf: string, plmn: Plmn): string {
  return `${nf}.5gc.mnc${mnc3(plmn.mnc)}.mcc${plmn.mcc}.3gppnetwork.org`;
}

/** The PLMN an NF FQDN belongs to, or undefined for a name that is not one. */
export function plmnOfFqdn(host: string): { nf: string; mcc: string; mnc3: string } | undefined {
  const m = /^([a-z0-9-]+)\.5gc\.mnc([0-9]{3})\.mcc([0-9]{3})\.3gppnetwork\.org$/i.exec(host);
  return m ? { nf: m[1].toLowerCase(), mnc3: m[2], mcc: m[3] } : undefined;
}

export const samePlmn = (a: Plmn, f: { mcc: string; mnc3: string }) => a.mcc === f.mcc && mnc3(a.mnc) === f.mnc3;

/** Whether a SUPI (imsi-<MCC><MNC><MSIN>) belongs to `plmn`. */
export const supiOfPlmn = (supi: string, plmn: Plmn) => supi.startsWith(`imsi-${plmn.mcc}${plmn.mnc}`);

export const DEFAULT_HOME_SUBSCRIBER_SUPI = 'imsi-208930000000001';

export const DEFAULT_ROAMING: RoamingConfig = {
  enabled: false,
  vsepp: '127.0.0.30',
  n32Port: 443,
  localBreakout: [],
  home: {
    plmn: { mcc: '208', mnc: '93' },
    uePool: '10.46.0.0/16',
    dataNetwork: '10.46.255.254',
    addresses: { smf: '127.0.2.4', upf: '127.0.2.7', ausf: '127.0.2.11', udm: '127.0.2.12', pcf: '127.0.2.13', udr: '127.0.2.20', sepp: '127.0.2.30', bsf: '127.0.2.15', chf: '127.0.2.16', nwdaf: '127.0.2.17', af: '127.0.2.18' },
    database: 'out/udr-home.sqlite',
    subscribers: [],
  },
};
