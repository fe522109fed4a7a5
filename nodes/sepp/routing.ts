// How an NF of a roaming network reaches another NF (TS 23.501 6.2.17): every
// URI names its NF by FQDN (nodes/common/roaming-config.ts). An NF of our own PLMN is reached at its
// configured address; an NF of the other PLMN only through our own SEPP: the request goes to the
// SEPP with the target's apiRoot in the 3gpp-Sbi-Target-apiRoot header (TS 29.500 5.2.3.2.4), and
// the SEPPs carry it over N32-f (nodes/sepp/sepp.ts). A URI with an address (the default one-PLMN
// network) passes unchanged.

import { SbiProblem, type SbiClient, type SbiCallOptions, type SbiResult, type SbiRoute } from '../../transport/sbi/api.ts';
import { plmnOfFqdn, samePlmn } from '../common/roaming-config.ts';
import type { Plmn } from '../common/config.ts';

/** TS 29.500 5.2.3.2.4 (lower case, as HTTP/2 sends header names). */
export const TARGET_API_ROOT = '3gpp-sbi-target-apiroot';

export interface PlmnRouting {
  /** Our PLMN. */
  plmn: Plmn;
  /** The address of an NF of our PLMN by its FQDN's first label ('udm'), undefined if we have none. */
  resolve(nf: string): string | undefined;
  /** Our SEPP's PLMN-internal apiRoot, 'http://127.0.0.30:8080'. */
  seppApiRoot: string;
}

export class PlmnRoutingSbiClient implements SbiClient {
  private readonly inner: SbiClient;
  private readonly r: PlmnRouting;

  constructor(inner: SbiClient, routing: PlmnRouting) {
    this.inner = inner;
    this.r = routing;
  }

  call<T = unknown>(method: SbiRoute['method'], uri: string, body?: unknown, opts: SbiCallOptions = {}): Promise<SbiResult<T>> {
    const [to, o] = this.route(uri, opts);
    return this.inner.call<T>(method, to, body, o);
  }

  /** The URI and options a request for `uri` is sent with. */
  route(uri: string, opts: SbiCallOptions): [string, SbiCallOptions] {
    const u = new URL(uri);
    const fqdn = plmnOfFqdn(u.hostname);
    if (!fqdn) return [uri, opts];
    if (samePlmn(this.r.plmn, fqdn)) {
      const address = this.r.resolve(fqdn.nf);
      if (!address) throw new SbiProblem(504, 'TARGET_NF_NOT_REACHABLE', `no NF '${fqdn.nf}' in PLMN ${this.r.plmn.mcc}/${this.r.plmn.mnc} (${u.hostname})`);
      u.hostname = address;
      return [u.toString(), opts];
    }
    // another PLMN: to our SEPP, which finds the target in the header (the SEPP acting as the
    // consumer's HTTP proxy; inside the PLMN the request stays h2c, TS 29.500 6.1.4)
    const sepp = new URL(this.r.seppApiRoot);
    const target = `${u.protocol}//${u.host}`;
    return [`${sepp.origin}${u.pathname}${u.search}`, { ...opts, headers: { ...(opts.headers ?? {}), [TARGET_API_ROOT]: target } }];
  }
}
