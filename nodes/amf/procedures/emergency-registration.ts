// Emergency Registration at the AMF (TS 23.502 4.2.2.2.2 with 5GS registration type "emergency
// registration", TS 24.501 5.5.1.2; TS 23.501 5.16.4): the general registration procedure
// (registration.ts) with these differences, for a UE that is authenticated:
//   steps 8-9  authentication and security mode as for any UE; emergency services for
//              unauthenticated UEs (skipping them, or going on when they fail) are NOT implemented:
//              a UE that fails authentication is rejected as in an initial registration
//   step 14    the AMF registers with the UDM ("if UE Registration type is Initial Registration or
//              Emergency Registration") and "shall ignore any unsuccessful registration response
//              from UDM and continue" (also the subscription data and the SDM subscription)
//   Allowed NSSAI  "the AMF shall not check for ... subscription restrictions": no Allowed NSSAI
//              in the Registration Accept; the NG-RAN gets the S-NSSAIs the AMF serves, one of
//              which the emergency PDU session uses (emergency.ts)
//   steps 16, 21b  AM and UE Policy Association Establishment: "this step is skipped"
//   step 21    5GS registration result with "registered for emergency services" (TS 24.501 9.11.3.6)
// A UE registered for emergency services may establish only emergency PDU sessions (TS 23.501
// 5.16.4.1; pdu-session-relay.ts), is not deregistered by the AMF's O&M nor by the UDM's
// withdrawal (the emergency exception of TS 23.502 4.2.2.3.3, emergency.ts), and its mobile
// reachable timer is T3512, at whose expiry the AMF deregisters it locally (TS 24.501 5.3.7,
// implicit-deregistration.ts).

import type { SNssai } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';

/** TS 24.501 9.11.3.6 5GS registration result, octet 3 bit 6: emergency registered. */
export const EMERGENCY_REGISTERED = 0x20;

/** Step 14: run `f`; for an emergency registration a failure is logged and the procedure goes on. */
export async function ignoredForEmergency(amf: Amf, ue: AmfUe, emergency: boolean, step: string, f: () => Promise<void>): Promise<void> {
  if (!emergency) return f();
  try {
    await f();
  } catch (e) {
    amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: emergency registration: step ${step} failed (${e instanceof Error ? e.message : String(e)}); ignored (TS 23.502 4.2.2.2.2 step 14)`);
  }
}

/** The Allowed NSSAI of the Initial Context Setup (TS 38.413 9.2.2.1, mandatory): the S-NSSAIs this AMF serves. */
export function ngapAllowedForEmergency(amf: Amf): SNssai[] {
  return amf.cfg.snssais.map((s) => ({ sst: s.sst, ...(s.sd !== undefined ? { sd: parseInt(s.sd, 16) } : {}) }));
}
