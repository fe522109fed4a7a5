// The NFProfile of TS 29.510 6.1.6.2.2 as wire5g's NRF and NFs read it. The generated type
// (sbi-types/TS29510_Nnrf_NFManagement.ts) is `{...} | unknown`, because the OpenAPI schema adds
// anyOf/oneOf constraints openapi-typescript renders as `unknown`; this names the members wire5g
// uses with the generated types of each, and carries any other member as it came.

import type { components as NfmC } from './sbi-types/TS29510_Nnrf_NFManagement.ts';

type S = NfmC['schemas'];
export type NFService = S['NFService'];
export type NFType = S['NFType'];

export interface NFProfile {
  nfInstanceId: S['NfInstanceId'];
  nfInstanceName?: string;
  nfType: NFType;
  nfStatus: S['NFStatus'];
  heartBeatTimer?: number;
  plmnList?: S['PlmnId'][];
  sNssais?: S['ExtSnssai'][];
  fqdn?: S['Fqdn'];
  ipv4Addresses?: S['Ipv4Addr'][];
  allowedNfTypes?: NFType[];
  priority?: number;
  capacity?: number;
  load?: number;
  loadTimeStamp?: S['DateTime'];
  amfInfo?: S['AmfInfo'];
  smfInfo?: S['SmfInfo'];
  nfServices?: NFService[];
  nfServiceList?: Record<string, NFService>;
  [member: string]: unknown;
}
