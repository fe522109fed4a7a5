// The PCF's policy update notifications to the AMF, served at the notificationUri the AMF gave
// when it created the policy associations (registration.ts, TS 23.502 4.2.2.2.2 steps 16 and 21b):
//   - Npcf_AMPolicyControl_UpdateNotify (TS 29.507 4.2.4.2, {notificationUri}/update; TS 23.502
//     4.16.2.2 PCF-initiated AM Policy Association Modification): a PolicyUpdate for the
//     association the AMF holds. The AMF applies what it carries: the UE-AMBR (TS 23.501 5.7.2.6:
//     the PCF's replaces the subscribed one), the RFSP index and the policy control request
//     triggers; a changed UE-AMBR or RFSP index goes to the NG-RAN of a connected UE by UE Context
//     Modification after the answer (ue-context-modification.ts), else with its next Initial
//     Context Setup or PDU Session Resource Setup;
//   - Npcf_UEPolicyControl_UpdateNotify (TS 29.525 4.2.4.2, {notificationUri}/update): its
//     policy control request triggers are kept.
// Both answer 204; a notification for an association the AMF does not hold is 404
// CONTEXT_NOT_FOUND, as an unknown resource is.

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { CALLBACKS } from '../../common/sbi/operations.ts';
import type { components as AmPolC } from '../../common/sbi-types/TS29507_Npcf_AMPolicyControl.ts';
import { bitRateBps } from '../../smf/policy-decision.ts';
import { modifyUeContext } from './ue-context-modification.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';

type Update = Partial<AmPolC['schemas']['PolicyUpdate']>;

function association(amf: Amf, supi: string, body: Update, which: 'amPolicyUri' | 'uePolicyUri'): AmfUe {
  if (typeof body.resourceUri !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'resourceUri is required');
  const ue = amf.bySupi.get(supi);
  if (!ue || ue[which] !== body.resourceUri) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no policy association ${body.resourceUri} for ${supi}`);
  return ue;
}

const triggersOf = (t: unknown): string[] | undefined => (Array.isArray(t) && t.every((x) => typeof x === 'string') ? (t as string[]) : undefined);

export function amPolicyUpdateNotify(amf: Amf, req: RequestOf<typeof CALLBACKS.amPolicyUpdateNotify>): AnswerOf<typeof CALLBACKS.amPolicyUpdateNotify> {
  const body = objectBody(req) as Update;
  const ue = association(amf, req.params.supi, body, 'amPolicyUri');
  // checked before anything is applied: a malformed update changes nothing
  const ueAmbr = body.ueAmbr ? { uplinkBps: bitRateBps(body.ueAmbr.uplink, 'ueAmbr.uplink'), downlinkBps: bitRateBps(body.ueAmbr.downlink, 'ueAmbr.downlink') } : undefined;
  if (body.rfsp !== undefined && (typeof body.rfsp !== 'number' || !Number.isInteger(body.rfsp) || body.rfsp < 1 || body.rfsp > 256)) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'rfsp must be 1..256 (TS 29.571 RfspIndex)');
  const change = {
    ueAmbr: ueAmbr !== undefined && (ue.subscribedUeAmbr?.uplinkBps !== ueAmbr.uplinkBps || ue.subscribedUeAmbr?.downlinkBps !== ueAmbr.downlinkBps),
    rfsp: body.rfsp !== undefined && ue.amPolicy?.rfsp !== body.rfsp,
  };
  if (ueAmbr) ue.subscribedUeAmbr = ueAmbr;
  const triggers = triggersOf(body.triggers);
  ue.amPolicy = { ...ue.amPolicy, ...(body.rfsp !== undefined ? { rfsp: body.rfsp } : {}), ...(triggers ? { triggers } : {}) };
  amf.log(`UE ${req.params.supi}: AM policy updated by the PCF${ueAmbr ? `, UE-AMBR ${ueAmbr.uplinkBps}/${ueAmbr.downlinkBps} bit/s` : ''}${body.rfsp !== undefined ? `, RFSP ${body.rfsp}` : ''}`);
  if (!change.ueAmbr && !change.rfsp) return noContent();
  return noContent(async () => void (await modifyUeContext(amf, ue, change)));
}

export function uePolicyUpdateNotify(amf: Amf, req: RequestOf<typeof CALLBACKS.uePolicyUpdateNotify>): AnswerOf<typeof CALLBACKS.uePolicyUpdateNotify> {
  const body = objectBody(req) as Update;
  const ue = association(amf, req.params.supi, body, 'uePolicyUri');
  const triggers = triggersOf(body.triggers);
  if (triggers) ue.uePolicyTriggers = triggers;
  return noContent();
}
