// UE Context Modification, AMF side (TS 38.413 8.3.4; TS 23.502 4.16.2.2 step 3: "the AMF ... provides
// the UE-AMBR / RFSP index to the NG-RAN"): when the PCF's AM policy update (policy-update-notify.ts)
// changes what the NG-RAN holds of a connected UE — the UE-AMBR (TS 23.501 5.7.2.6, 9.3.1.58) or the
// Index to RFSP (TS 23.501 5.3.4.3, 9.3.1.61) — the AMF sends UE CONTEXT MODIFICATION REQUEST with
// the new values and awaits the RESPONSE (8.3.4.2) or FAILURE (8.3.4.3, logged). It runs on the UE's
// procedure chain, after any registration in flight. A UE without an NG-RAN UE context (CM-IDLE, or
// before its Initial Context Setup) gets the values with its next Initial Context Setup or PDU Session
// Resource Setup.

import { ngapPdu } from '../../../codecs/ngap/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { sendNgap, awaitNgap, stopAwaitingNgap } from '../n2.ts';
import { ueAmbrNgap } from './registration.ts';

const STEP = '4.16.2.2 step 3 (TS 38.413 8.3.4)';

/** Starts the modification after whatever the UE's context is busy with; resolves with its outcome. */
export function modifyUeContext(amf: Amf, ue: AmfUe, change: { ueAmbr: boolean; rfsp: boolean }): Promise<'modified' | 'failed' | 'not-connected'> {
  const run = ue.busy.then(() => modify(amf, ue, change));
  ue.busy = run.then(() => undefined, () => undefined);
  return run;
}

async function modify(amf: Amf, ue: AmfUe, change: { ueAmbr: boolean; rfsp: boolean }): Promise<'modified' | 'failed' | 'not-connected'> {
  if (ue.released || !ue.initialContextSetUp || amf.bySupi.get(ue.supi ?? '') !== ue) return 'not-connected';
  const rfsp = ue.amPolicy?.rfsp;
  const response = awaitNgap(amf, ue, 'UEContextModificationResponse');
  const failure = awaitNgap(amf, ue, 'UEContextModificationFailure');
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('UEContextModificationRequest', {
    'AMF-UE-NGAP-ID': ue.amfUeNgapId,
    'RAN-UE-NGAP-ID': ue.ranUeNgapId,
    ...(change.rfsp && rfsp !== undefined ? { IndexToRFSP: rfsp } : {}),
    ...(change.ueAmbr && ue.subscribedUeAmbr ? { UEAggregateMaximumBitRate: ueAmbrNgap(ue) } : {}),
  }), STEP, ue);
  try {
    return await Promise.race([response.then(() => 'modified' as const), failure.then((ies) => {
      amf.log(`UE ${ue.supi}: UE Context Modification Failure, cause ${JSON.stringify(ies.get('Cause'))} (TS 38.413 8.3.4.3)`);
      return 'failed' as const;
    })]);
  } finally {
    // the other outcome is not awaited any more
    stopAwaitingNgap(ue, ['UEContextModificationResponse', 'UEContextModificationFailure']);
    response.catch(() => undefined);
    failure.catch(() => undefined);
  }
}
