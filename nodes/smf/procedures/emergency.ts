// Emergency PDU sessions at the SMF (TS 23.502 4.3.2.2.1 with request type "initial emergency
// request"; TS 23.501 5.16.4): the AMF sends CreateSMContext with requestType
// INITIAL_EMERGENCY_REQUEST and the emergency DNN of its Emergency Configuration Data. The SMF
// skips step 4 (no Nudm_UECM_Registration nor subscription data: the clause registers with the UDM
// only when the request type is neither "Emergency Request" nor "Existing Emergency PDU Session")
// and, without dynamic PCC for emergency services here, step 7 (no SM policy association): the
// session's QoS is the SMF's local configuration (config `emergency`), ARP with pre-emption
// capability and not pre-emptable. Its release then has no PCF or UDM clean-up (release.ts undoes
// only what the SM context records).

import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { Smf } from '../context.ts';
import { bitRateBps, type SessionQos } from '../policy-decision.ts';

/** Whether a CreateSMContext is an emergency PDU session this SMF serves. */
export function isEmergencyRequest(smf: Smf, data: SmfC['schemas']['SmContextCreateData'], dnn: string): boolean {
  return data.requestType === 'INITIAL_EMERGENCY_REQUEST' && smf.cfg.emergency?.dnn === dnn;
}

/** The local QoS of an emergency PDU session's default QoS flow (QFI `qfi`). */
export function emergencyQos(smf: Smf, qfi: number): SessionQos {
  const e = smf.cfg.emergency!;
  return {
    qfi,
    fiveQi: e.fiveQi,
    arp: { priorityLevel: e.arpPriorityLevel, preemptCap: 'MAY_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' },
    ambrUplinkBps: bitRateBps(e.ambrUplink, 'emergency.ambrUplink'),
    ambrDownlinkBps: bitRateBps(e.ambrDownlink, 'emergency.ambrDownlink'),
  };
}
