// The SBI operations wire5g's NFs serve and call, one row each: the service operation's name
// (TS 29.5xx clause 5), method, resource path (as the Release 18 OpenAPI file has it), the
// success codes it documents, and through the generated types its bodies. A path, a method or a
// status the OpenAPI file does not define is a compile error (see operation.ts).
//
// API versions are those of the OpenAPI files' `servers`, except Nudr_DR: wire5g's UDM and UDR
// speak `nudr-dr/v1` as Open5GS and free5GC do (the Rel-18 file says v2; the resources are the
// same), see docs/decisions.md.

import { api, callback, type SbiOperation } from './operation.ts';
import type { paths as AusfPaths } from '../sbi-types/TS29509_Nausf_UEAuthentication.ts';
import type { paths as UeauPaths } from '../sbi-types/TS29503_Nudm_UEAU.ts';
import type { paths as UecmPaths, components as UecmC } from '../sbi-types/TS29503_Nudm_UECM.ts';
import type { paths as SdmPaths, components as SdmC } from '../sbi-types/TS29503_Nudm_SDM.ts';
import type { paths as UdrPaths, components as UdrC } from '../sbi-types/TS29504_Nudr_DR.ts';
import type { paths as AmPolPaths, components as AmPolC } from '../sbi-types/TS29507_Npcf_AMPolicyControl.ts';
import type { paths as UePolPaths, components as UePolC } from '../sbi-types/TS29525_Npcf_UEPolicyControl.ts';
import type { paths as SmPolPaths, components as SmPolC } from '../sbi-types/TS29512_Npcf_SMPolicyControl.ts';
import type { paths as SmfPaths, components as SmfC } from '../sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { paths as CommPaths, components as CommC } from '../sbi-types/TS29518_Namf_Communication.ts';
import type { paths as EvtsPaths, components as EvtsC } from '../sbi-types/TS29518_Namf_EventExposure.ts';
import type { paths as BsfPaths } from '../sbi-types/TS29521_Nbsf_Management.ts';
import type { paths as ChfPaths, components as ChfC } from '../sbi-types/TS29594_Nchf_SpendingLimitControl.ts';
import type { paths as NwdafPaths, components as NwdafC } from '../sbi-types/TS29520_Nnwdaf_EventsSubscription.ts';
import type { paths as PaPaths, components as PaC } from '../sbi-types/TS29514_Npcf_PolicyAuthorization.ts';
import type { paths as PcEePaths, components as PcEeC } from '../sbi-types/TS29523_Npcf_EventExposure.ts';
import type { paths as CcPaths, components as CcC } from '../sbi-types/TS32291_Nchf_ConvergedCharging.ts';
import type { paths as NfmPaths, components as NfmC } from '../sbi-types/TS29510_Nnrf_NFManagement.ts';
import type { paths as DiscPaths } from '../sbi-types/TS29510_Nnrf_NFDiscovery.ts';
import type { paths as NssfPaths } from '../sbi-types/TS29531_Nnssf_NSSelection.ts';
import type { paths as EirPaths } from '../sbi-types/TS29511_N5g-eir_EquipmentIdentityCheck.ts';
import type { paths as AiwPaths } from '../sbi-types/TS29526_Nnssaaf_AIW.ts';

const nausfAuth = api<AusfPaths>('nausf-auth', 'v1', 'TS29509_Nausf_UEAuthentication');
const nudmUeau = api<UeauPaths>('nudm-ueau', 'v1', 'TS29503_Nudm_UEAU');
const nudmUecm = api<UecmPaths>('nudm-uecm', 'v1', 'TS29503_Nudm_UECM');
const nudmSdm = api<SdmPaths>('nudm-sdm', 'v2', 'TS29503_Nudm_SDM');
const nudrDr = api<UdrPaths>('nudr-dr', 'v1', 'TS29504_Nudr_DR');
const npcfAm = api<AmPolPaths>('npcf-am-policy-control', 'v1', 'TS29507_Npcf_AMPolicyControl');
const npcfUe = api<UePolPaths>('npcf-ue-policy-control', 'v1', 'TS29525_Npcf_UEPolicyControl');
const npcfSm = api<SmPolPaths>('npcf-smpolicycontrol', 'v1', 'TS29512_Npcf_SMPolicyControl');
const nsmfPdu = api<SmfPaths>('nsmf-pdusession', 'v1', 'TS29502_Nsmf_PDUSession');
const namfComm = api<CommPaths>('namf-comm', 'v1', 'TS29518_Namf_Communication');
const namfEvts = api<EvtsPaths>('namf-evts', 'v1', 'TS29518_Namf_EventExposure');
const nbsfMgmt = api<BsfPaths>('nbsf-management', 'v1', 'TS29521_Nbsf_Management');
const nchfSlc = api<ChfPaths>('nchf-spendinglimitcontrol', 'v1', 'TS29594_Nchf_SpendingLimitControl');
const nnwdafEvts = api<NwdafPaths>('nnwdaf-eventssubscription', 'v1', 'TS29520_Nnwdaf_EventsSubscription');
const npcfPa = api<PaPaths>('npcf-policyauthorization', 'v1', 'TS29514_Npcf_PolicyAuthorization');
const npcfEe = api<PcEePaths>('npcf-eventexposure', 'v1', 'TS29523_Npcf_EventExposure');
const nchfCc = api<CcPaths>('nchf-convergedcharging', 'v3', 'TS32291_Nchf_ConvergedCharging');
const nnrfNfm = api<NfmPaths>('nnrf-nfm', 'v1', 'TS29510_Nnrf_NFManagement');
const nnrfDisc = api<DiscPaths>('nnrf-disc', 'v1', 'TS29510_Nnrf_NFDiscovery');
const nnssfNss = api<NssfPaths>('nnssf-nsselection', 'v2', 'TS29531_Nnssf_NSSelection');
const n5gEirEic = api<EirPaths>('n5g-eir-eic', 'v1', 'TS29511_N5g-eir_EquipmentIdentityCheck');
const nnssaafAiw = api<AiwPaths>('nnssaaf-aiw', 'v1', 'TS29526_Nnssaaf_AIW');

const JSON_PATCH = { contentType: 'application/json-patch+json' };
const MERGE_PATCH = { contentType: 'application/merge-patch+json' };

/** Nausf_UEAuthentication (TS 29.509 5.2). */
export const AUSF = {
  ueAuthentication: {
    authenticate: nausfAuth.op('Nausf_UEAuthentication_Authenticate', 'POST', '/ue-authentications', [201]),
    /** The `_links['5g-aka']` href of the 201 is the target. */
    confirm5gAka: nausfAuth.onResource('Nausf_UEAuthentication_Authenticate', 'PUT', '/ue-authentications/{authCtxId}/5g-aka-confirmation', '/ue-authentications/{authCtxId}/5g-aka-confirmation', [200]),
    /** EAP based authentication (TS 29.509 5.2.2.2.3): the `_links['eap-session']` href of the 201 is the target. */
    eapSession: nausfAuth.onResource('Nausf_UEAuthentication_Authenticate', 'POST', '/ue-authentications/{authCtxId}/eap-session', '/ue-authentications/{authCtxId}/eap-session', [200]),
    deregister: nausfAuth.onResource('Nausf_UEAuthentication_Deregister', 'DELETE', '/ue-authentications/{authCtxId}/5g-aka-confirmation', '/ue-authentications/{authCtxId}/5g-aka-confirmation', [204]),
  },
} as const;

/** Nudm_UEAuthentication (TS 29.503 5.4), Nudm_UECM (5.3), Nudm_SDM (5.2). */
export const UDM = {
  ueau: {
    generateAuthData: nudmUeau.op('Nudm_UEAuthentication_Get', 'POST', '/{supiOrSuci}/security-information/generate-auth-data', [200]),
    confirmAuth: nudmUeau.op('Nudm_UEAuthentication_ResultConfirmation', 'POST', '/{supi}/auth-events', [201]),
    /** TS 29.503 5.4.2.4: the AUSF removes an authentication result (AuthEvent with authRemovalInd). */
    deleteAuth: nudmUeau.onResource('Nudm_UEAuthentication_ResultConfirmation', 'PUT', '/{supi}/auth-events/{authEventId}', '/{supi}/auth-events/{authEventId}', [204]),
  },
  uecm: {
    registerAmf3gppAccess: nudmUecm.op('Nudm_UECM_Registration', 'PUT', '/{ueId}/registrations/amf-3gpp-access', [201, 200, 204]),
    getAmf3gppAccess: nudmUecm.op('Nudm_UECM_Get', 'GET', '/{ueId}/registrations/amf-3gpp-access', [200]),
    /** TS 29.503 5.3.2.4.2: the AMF's deregistration is this PATCH with purgeFlag. */
    updateAmf3gppAccess: nudmUecm.op('Nudm_UECM_Deregistration', 'PATCH', '/{ueId}/registrations/amf-3gpp-access', [200, 204], MERGE_PATCH),
    registerSmf: nudmUecm.op('Nudm_UECM_Registration', 'PUT', '/{ueId}/registrations/smf-registrations/{pduSessionId}', [201, 200, 204]),
    deregisterSmf: nudmUecm.op('Nudm_UECM_Deregistration', 'DELETE', '/{ueId}/registrations/smf-registrations/{pduSessionId}', [204]),
  },
  sdm: {
    getDataSets: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}', [200]),
    getAmData: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}/am-data', [200]),
    getNssai: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}/nssai', [200]),
    getSmfSelectData: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}/smf-select-data', [200]),
    getSmData: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}/sm-data', [200]),
    getUeContextInSmfData: nudmSdm.op('Nudm_SDM_Get', 'GET', '/{supi}/ue-context-in-smf-data', [200]),
    subscribe: nudmSdm.op('Nudm_SDM_Subscribe', 'POST', '/{ueId}/sdm-subscriptions', [201]),
    unsubscribe: nudmSdm.onResource('Nudm_SDM_Unsubscribe', 'DELETE', '/{ueId}/sdm-subscriptions/{subscriptionId}', '/{ueId}/sdm-subscriptions/{subscriptionId}', [204]),
  },
} as const;

/** Nudr_DataRepository (TS 29.504 5.2) over the resources of TS 29.505 and TS 29.519. */
export const UDR = {
  dr: {
    queryAuthSubscription: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/authentication-data/authentication-subscription', [200]),
    modifyAuthSubscription: nudrDr.op('Nudr_DM_Update', 'PATCH', '/subscription-data/{ueId}/authentication-data/authentication-subscription', [204, 200], JSON_PATCH),
    createAuthStatus: nudrDr.op('Nudr_DM_Create', 'PUT', '/subscription-data/{ueId}/authentication-data/authentication-status', [204]),
    queryAuthStatus: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/authentication-data/authentication-status', [200]),
    deleteAuthStatus: nudrDr.op('Nudr_DM_Delete', 'DELETE', '/subscription-data/{ueId}/authentication-data/authentication-status', [204]),
    queryProvisionedData: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/{servingPlmnId}/provisioned-data', [200]),
    queryAmData: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/{servingPlmnId}/provisioned-data/am-data', [200]),
    querySmData: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/{servingPlmnId}/provisioned-data/sm-data', [200]),
    querySmfSelectData: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/{servingPlmnId}/provisioned-data/smf-selection-subscription-data', [200]),
    createAmfContext3gpp: nudrDr.op('Nudr_DM_Create', 'PUT', '/subscription-data/{ueId}/context-data/amf-3gpp-access', [204, 201]),
    queryAmfContext3gpp: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/context-data/amf-3gpp-access', [200]),
    /** The purge of the AMF registration (purgeFlag, TS 29.503 5.3.2.4.2 step 2). */
    modifyAmfContext3gpp: nudrDr.op('Nudr_DM_Update', 'PATCH', '/subscription-data/{ueId}/context-data/amf-3gpp-access', [204, 200], JSON_PATCH),
    createSmfRegistration: nudrDr.op('Nudr_DM_Create', 'PUT', '/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}', [201, 204]),
    querySmfRegList: nudrDr.op('Nudr_DM_Query', 'GET', '/subscription-data/{ueId}/context-data/smf-registrations', [200]),
    deleteSmfRegistration: nudrDr.op('Nudr_DM_Delete', 'DELETE', '/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}', [204]),
    subscribeSubscriptionData: nudrDr.op('Nudr_DM_Subscribe', 'POST', '/subscription-data/subs-to-notify', [201]),
    unsubscribeSubscriptionData: nudrDr.onResource('Nudr_DM_Unsubscribe', 'DELETE', '/subscription-data/subs-to-notify/{subsId}', '/subscription-data/subs-to-notify/{subsId}', [204]),
    readAmPolicyData: nudrDr.op('Nudr_DM_Query', 'GET', '/policy-data/ues/{ueId}/am-data', [200]),
    readUePolicySet: nudrDr.op('Nudr_DM_Query', 'GET', '/policy-data/ues/{ueId}/ue-policy-set', [200]),
    readSmPolicyData: nudrDr.op('Nudr_DM_Query', 'GET', '/policy-data/ues/{ueId}/sm-data', [200]),
    createUsageMonitoringResource: nudrDr.op('Nudr_DM_Update', 'PUT', '/policy-data/ues/{ueId}/sm-data/{usageMonId}', [201]),
    subscribePolicyData: nudrDr.op('Nudr_DM_Subscribe', 'POST', '/policy-data/subs-to-notify', [201]),
    unsubscribePolicyData: nudrDr.onResource('Nudr_DM_Unsubscribe', 'DELETE', '/policy-data/subs-to-notify/{subsId}', '/policy-data/subs-to-notify/{subsId}', [204]),
  },
} as const;

/** Npcf_AMPolicyControl (TS 29.507), Npcf_UEPolicyControl (TS 29.525), Npcf_SMPolicyControl (TS 29.512). */
export const PCF = {
  amPolicyControl: {
    create: npcfAm.op('Npcf_AMPolicyControl_Create', 'POST', '/policies', [201]),
    delete: npcfAm.onResource('Npcf_AMPolicyControl_Delete', 'DELETE', '/policies/{polAssoId}', '/policies/{polAssoId}', [204]),
  },
  uePolicyControl: {
    create: npcfUe.op('Npcf_UEPolicyControl_Create', 'POST', '/policies', [201]),
    delete: npcfUe.onResource('Npcf_UEPolicyControl_Delete', 'DELETE', '/policies/{polAssoId}', '/policies/{polAssoId}', [204]),
  },
  smPolicyControl: {
    create: npcfSm.op('Npcf_SMPolicyControl_Create', 'POST', '/sm-policies', [201]),
    delete: npcfSm.onResource('Npcf_SMPolicyControl_Delete', 'POST', '/sm-policies/{smPolicyId}/delete', '/sm-policies/{smPolicyId}', [204]),
    /** TS 29.512 4.2.4 (issue 16): the SMF reports what a policy control request trigger met, e.g. usage (US_RE). */
    update: npcfSm.onResource('Npcf_SMPolicyControl_Update', 'POST', '/sm-policies/{smPolicyId}/update', '/sm-policies/{smPolicyId}', [200]),
  },
} as const;

/** Nsmf_PDUSession (TS 29.502 5.2.2). */
export const SMF = {
  pduSession: {
    createSmContext: nsmfPdu.op('Nsmf_PDUSession_CreateSMContext', 'POST', '/sm-contexts', [201]),
    updateSmContext: nsmfPdu.onResource('Nsmf_PDUSession_UpdateSMContext', 'POST', '/sm-contexts/{smContextRef}/modify', '/sm-contexts/{smContextRef}', [200, 204]),
    releaseSmContext: nsmfPdu.onResource('Nsmf_PDUSession_ReleaseSMContext', 'POST', '/sm-contexts/{smContextRef}/release', '/sm-contexts/{smContextRef}', [200, 204]),
  },
} as const;

// --- issue 17: home-routed roaming ---
/** Nsmf_PDUSession on N16 (TS 29.502 5.2.2.7-5.2.2.9): the V-SMF's requests to the H-SMF of a home-routed session. */
export const N16 = {
  pduSession: {
    create: nsmfPdu.op('Nsmf_PDUSession_Create', 'POST', '/pdu-sessions', [201]),
    update: nsmfPdu.onResource('Nsmf_PDUSession_Update', 'POST', '/pdu-sessions/{pduSessionRef}/modify', '/pdu-sessions/{pduSessionRef}', [200, 204]),
    release: nsmfPdu.onResource('Nsmf_PDUSession_Release', 'POST', '/pdu-sessions/{pduSessionRef}/release', '/pdu-sessions/{pduSessionRef}', [200, 204]),
  },
} as const;

/** Namf_Communication and Namf_EventExposure (TS 29.518). */
export const AMF = {
  communication: {
    /** The target is the `ueContextUri` the AMF gave in CreateSMContext. */
    n1n2MessageTransfer: namfComm.onResource('Namf_Communication_N1N2MessageTransfer', 'POST', '/ue-contexts/{ueContextId}/n1-n2-messages', '/ue-contexts/{ueContextId}', [200, 202]),
    /** TS 29.518 5.2.2.2.2 (TS 23.502 4.2.2.2.2 steps 4-5): the new AMF asks the old one for the UE context, by its 5G-GUTI. */
    ueContextTransfer: namfComm.op('Namf_Communication_UEContextTransfer', 'POST', '/ue-contexts/{ueContextId}/transfer', [200]),
    /** TS 29.518 5.2.2.2.3 (step 10): whether the new AMF took the UE context. */
    registrationStatusUpdate: namfComm.op('Namf_Communication_RegistrationStatusUpdate', 'POST', '/ue-contexts/{ueContextId}/transfer-update', [200]),
  },
  eventExposure: {
    subscribe: namfEvts.op('Namf_EventExposure_Subscribe', 'POST', '/subscriptions', [201]),
    unsubscribe: namfEvts.onResource('Namf_EventExposure_Unsubscribe', 'DELETE', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [204]),
  },
} as const;

// --- issue 16: the NFs around the PCF in SM Policy Association Termination (TS 23.502 4.16.6) ---

/** Nbsf_Management (TS 29.521 5.2.2): the PCF's session binding, found by the AF. */
export const BSF = {
  management: {
    register: nbsfMgmt.op('Nbsf_Management_Register', 'POST', '/pcfBindings', [201]),
    discover: nbsfMgmt.op('Nbsf_Management_Discovery', 'GET', '/pcfBindings', [200, 204]),
    deregister: nbsfMgmt.onResource('Nbsf_Management_Deregister', 'DELETE', '/pcfBindings/{bindingId}', '/pcfBindings/{bindingId}', [204]),
    // TS 29.521 4.2.5.2: the UE address(es) or PCF address(es) of a binding changed (merge patch, RFC 7396)
    update: nbsfMgmt.onResource('Nbsf_Management_Update', 'PATCH', '/pcfBindings/{bindingId}', '/pcfBindings/{bindingId}', [200], MERGE_PATCH),
  },
} as const;

/** N5g-eir_EquipmentIdentityCheck (TS 29.511 5.2.2): the PEI's status (TS 23.502 4.2.2.2.2 step 13, 4.2.2.2.4 step 12). */
export const EIR = {
  equipmentIdentityCheck: {
    get: n5gEirEic.op('N5g-eir_EquipmentIdentityCheck_Get', 'GET', '/equipment-status', [200]),
  },
} as const;

/** Nnssaaf_AIW (TS 29.526 5.3): primary authentication through a DCS's AAA server (TS 23.502 4.2.2.2.4 step 9-1). */
export const NSSAAF = {
  aiw: {
    authenticate: nnssaafAiw.op('Nnssaaf_AIW_Authenticate', 'POST', '/authentications', [201]),
    confirm: nnssaafAiw.onResource('Nnssaaf_AIW_Authenticate', 'PUT', '/authentications/{authCtxId}', '/authentications/{authCtxId}', [200]),
  },
} as const;

/** Nchf_SpendingLimitControl (TS 29.594 5.2): policy counter status reporting (TS 23.502 4.16.8). */
export const CHF = {
  spendingLimitControl: {
    subscribe: nchfSlc.op('Nchf_SpendingLimitControl_Subscribe', 'POST', '/subscriptions', [201]),
    modify: nchfSlc.onResource('Nchf_SpendingLimitControl_Subscribe', 'PUT', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [200]),
    unsubscribe: nchfSlc.onResource('Nchf_SpendingLimitControl_Unsubscribe', 'DELETE', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [204]),
  },
} as const;

/** Nchf_ConvergedCharging (TS 32.291 6.1): the SMF's charging session per PDU session (TS 32.255). */
export const CHF_CC = {
  convergedCharging: {
    create: nchfCc.op('Nchf_ConvergedCharging_Create', 'POST', '/chargingdata', [201]),
    release: nchfCc.onResource('Nchf_ConvergedCharging_Release', 'POST', '/chargingdata/{ChargingDataRef}/release', '/chargingdata/{ChargingDataRef}', [204]),
  },
} as const;

/** Nnwdaf_EventsSubscription (TS 29.520 5.1). */
export const NWDAF = {
  eventsSubscription: {
    subscribe: nnwdafEvts.op('Nnwdaf_EventsSubscription_Subscribe', 'POST', '/subscriptions', [201]),
    unsubscribe: nnwdafEvts.onResource('Nnwdaf_EventsSubscription_Unsubscribe', 'DELETE', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [204]),
  },
} as const;

/** Npcf_PolicyAuthorization (TS 29.514 5.3), the AF's app sessions at the PCF. */
export const PCF_PA = {
  policyAuthorization: {
    create: npcfPa.op('Npcf_PolicyAuthorization_Create', 'POST', '/app-sessions', [201]),
    delete: npcfPa.onResource('Npcf_PolicyAuthorization_Delete', 'POST', '/app-sessions/{appSessionId}/delete', '/app-sessions/{appSessionId}', [204]),
  },
} as const;

/** Npcf_EventExposure (TS 29.523 5.3): policy control events of any UE's PDU sessions, to an AF/NEF. */
export const PCF_EE = {
  eventExposure: {
    subscribe: npcfEe.op('Npcf_EventExposure_Subscribe', 'POST', '/subscriptions', [201]),
    modify: npcfEe.onResource('Npcf_EventExposure_Subscribe', 'PUT', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [200]),
    unsubscribe: npcfEe.onResource('Npcf_EventExposure_UnSubscribe', 'DELETE', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}', [204]),
  },
} as const;

// --- issue 18: the NRF and the NSSF ---

/** Nnrf_NFManagement (TS 29.510 5.2.2) and Nnrf_NFDiscovery (5.3.2). */
export const NRF = {
  nfManagement: {
    /** TS 29.510 5.2.2.2: PUT of the NF's whole NFProfile at `/nf-instances/{nfInstanceID}` (201; 200 when it replaced one). */
    register: nnrfNfm.op('Nnrf_NFManagement_NFRegister', 'PUT', '/nf-instances/{nfInstanceID}', [201, 200]),
    /** TS 29.510 5.2.2.3: JSON Patch (RFC 6902) of the profile; the heart-beat is one (5.2.2.3.2), answered 204. */
    update: nnrfNfm.op('Nnrf_NFManagement_NFUpdate', 'PATCH', '/nf-instances/{nfInstanceID}', [200, 204], JSON_PATCH),
    /** TS 29.510 5.2.2.4. */
    deregister: nnrfNfm.op('Nnrf_NFManagement_NFDeregister', 'DELETE', '/nf-instances/{nfInstanceID}', [204]),
    /** TS 29.510 5.2.2.7 NFProfileRetrieval. */
    getProfile: nnrfNfm.op('Nnrf_NFManagement_NFProfileRetrieval', 'GET', '/nf-instances/{nfInstanceID}', [200]),
    /** TS 29.510 5.2.2.6 NFListRetrieval. */
    list: nnrfNfm.op('Nnrf_NFManagement_NFListRetrieval', 'GET', '/nf-instances', [200]),
    /** TS 29.510 5.2.2.5.2 NFStatusSubscribe (201 with the subscription; the Location names it). */
    subscribe: nnrfNfm.op('Nnrf_NFManagement_NFStatusSubscribe', 'POST', '/subscriptions', [201]),
    /** TS 29.510 5.2.2.5.6 NFStatusUnsubscribe. */
    unsubscribe: nnrfNfm.onResource('Nnrf_NFManagement_NFStatusUnsubscribe', 'DELETE', '/subscriptions/{subscriptionID}', '/subscriptions/{subscriptionID}', [204]),
  },
  nfDiscovery: {
    /** TS 29.510 5.3.2.2 NFDiscover: GET `/nf-instances` with target-nf-type, requester-nf-type and the filters. */
    search: nnrfDisc.op('Nnrf_NFDiscovery_Request', 'GET', '/nf-instances', [200]),
  },
} as const;

/** Nnssf_NSSelection (TS 29.531 5.2.2.2): network slice information for registration (TS 23.502 4.2.2.2.3 step 4a). */
export const NSSF = {
  nsSelection: {
    get: nnssfNss.op('Nnssf_NSSelection_Get', 'GET', '/network-slice-information', [200]),
  },
} as const;

/** Notifications of the NRF (TS 29.510 5.2.2.5.4 NFStatusNotify, to the subscription's nfStatusNotificationUri). */
export const CALLBACKS_18 = {
  nfStatusNotify: callback<NfmC['schemas']['NotificationData']>('Nnrf_NFManagement_NFStatusNotify', 'TS29510_Nnrf_NFManagement', 'NotificationData', 'nnrf-callback', '/nf-status-notify', [204]),
} as const;

/**
 * TS 29.518 5.2.2.4.2 Namf_Communication_N1MessageNotify (initial AMF -> the target AMF's N1_MESSAGES
 * default notification URI, TS 23.502 4.2.2.2.3 step 7(A)): N1MessageNotification with the complete
 * Registration Request as a binary part (multipart/related), answered 204.
 */
export const CALLBACKS_18RE = {
  n1MessageNotify: {
    name: 'Namf_Communication_N1MessageNotify', api: 'namf-callback', version: 'v1', spec: 'TS29518_Namf_Communication', method: 'POST', path: '/n1-message-notify', target: 'callback', schema: 'N1MessageNotification', success: [204],
  } as SbiOperation<{ requestBody: { content: { 'multipart/related': { jsonData?: CommC['schemas']['N1MessageNotification'] } } }; responses: { 204: { headers: { [name: string]: unknown }; content?: never } } }, 204, string, 'callback'>,
} as const;

/** Notifications of the NFs above (TS 29.501 4.6.4), as CALLBACKS below. */
export const CALLBACKS_16 = {
  /** TS 29.514 4.2.5.3 (PCF -> AF, ascReqData.notifUri + /terminate): the app session ends (TS 23.502 4.16.6 step 5). */
  afTerminate: callback<PaC['schemas']['TerminationInfo']>('Npcf_PolicyAuthorization_Notify', 'TS29514_Npcf_PolicyAuthorization', 'TerminationInfo', 'naf-callback', '/app-sessions/{afSessionId}/terminate', [204], '/terminate'),
  /** TS 29.594 4.2.4 (CHF -> PCF, notifUri + /notify): policy counter status changed. */
  spendingLimitNotify: callback<ChfC['schemas']['SpendingLimitStatus']>('Nchf_SpendingLimitControl_Notify', 'TS29594_Nchf_SpendingLimitControl', 'SpendingLimitStatus', 'npcf-callback', '/spending-limit/{supi}/notify', [204], '/notify'),
  /** TS 32.291 Nchf_ConvergedCharging_Notify (CHF -> SMF, the notifyUri of the ChargingDataRequest): re-authorization or abort of the charging session. */
  chargingNotify: callback<CcC['schemas']['ChargingNotifyRequest']>('Nchf_ConvergedCharging_Notify', 'TS32291_Nchf_ConvergedCharging', 'ChargingNotifyRequest', 'nsmf-callback', '/charging-notify/{smContextRef}', [204]),
  /** TS 29.523 4.2.4 (PCF -> the subscriber's notifUri): policy control events of a subscription. */
  pcEventNotify: callback<PcEeC['schemas']['PcEventExposureNotif']>('Npcf_EventExposure_Notify', 'TS29523_Npcf_EventExposure', 'PcEventExposureNotif', 'naf-callback', '/pc-events/{afSubsId}', [204]),
  /**
   * TS 29.514 Npcf_PolicyAuthorization_Notify, PDU session established/terminated (PCF for the PDU
   * session -> PCF for the UE, TS 23.502 4.16.14.2): to the callbackUri of PcfUeCallbackInfo plus
   * `/pdu-session`, the path of the OpenAPI callback eventNotificationPduSession.
   */
  pduSessionEventNotify: callback<PaC['schemas']['PduSessionEventNotification']>('Npcf_PolicyAuthorization_Notify', 'TS29514_Npcf_PolicyAuthorization', 'PduSessionEventNotification', 'npcf-callback', '/pcf-ue/{polAssoId}/pdu-session', [204], '/pdu-session'),
  /** TS 29.520 4.2.2.4 (NWDAF -> PCF, notificationURI). */
  nwdafNotify: callback<NwdafC['schemas']['NnwdafEventsSubscriptionNotification'][]>('Nnwdaf_EventsSubscription_Notify', 'TS29520_Nnwdaf_EventsSubscription', 'NnwdafEventsSubscriptionNotification', 'npcf-callback', '/nwdaf-notify/{smPolicyId}', [204]),
} as const;

/**
 * Notifications to callback URIs (TS 29.501 4.6.4): the body's schema and the path at which
 * wire5g's own consumers serve them (the URI they hand out is `{baseUri}/{api}/v1{path}`).
 */
export const CALLBACKS = {
  /** TS 29.502 5.2.2.5.2, to the AMF's smContextStatusUri. */
  smContextStatusNotify: callback<SmfC['schemas']['SmContextStatusNotification']>('Nsmf_PDUSession_SMContextStatusNotify', 'TS29502_Nsmf_PDUSession', 'SmContextStatusNotification', 'namf-callback', '/{supi}/sm-context-status/{pduSessionId}', [204, 200]),
  /** TS 29.518 5.3.2.4, to the subscriber's eventNotifyUri. */
  amfEventNotify: callback<EvtsC['schemas']['AmfEventNotification']>('Namf_EventExposure_Notify', 'TS29518_Namf_EventExposure', 'AmfEventNotification', 'nnef-callback', '/amf-events', [204, 200]),
  /** TS 29.503 5.3.2.3.2 (UDM -> AMF, deregCallbackUri). */
  deregistrationNotify: callback<UecmC['schemas']['DeregistrationData']>('Nudm_UECM_DeregistrationNotification', 'TS29503_Nudm_UECM', 'DeregistrationData', 'namf-callback', '/{supi}/dereg-notify', [204]),
  /** TS 29.503 5.2.2.3.3 (UDM -> subscriber's callbackReference). */
  sdmModificationNotify: callback<SdmC['schemas']['ModificationNotification']>('Nudm_SDM_Notification', 'TS29503_Nudm_SDM', 'ModificationNotification', 'namf-callback', '/{supi}/sdm-notify', [204]),
  /** TS 29.507 4.2.4.2 (PCF -> AMF, notificationUri + /update). */
  amPolicyUpdateNotify: callback<AmPolC['schemas']['PolicyUpdate']>('Npcf_AMPolicyControl_UpdateNotify', 'TS29507_Npcf_AMPolicyControl', 'PolicyUpdate', 'namf-callback', '/{supi}/am-policy-notify/update', [204], '/update'),
  /** TS 29.525 4.2.4.2 (PCF -> AMF, notificationUri + /update). */
  uePolicyUpdateNotify: callback<UePolC['schemas']['PolicyUpdate']>('Npcf_UEPolicyControl_UpdateNotify', 'TS29525_Npcf_UEPolicyControl', 'PolicyUpdate', 'namf-callback', '/{supi}/ue-policy-notify/update', [204], '/update'),
  /** TS 29.503 5.2.2.3.3 (UDM -> the SMF's callbackReference). */
  smfSdmModificationNotify: callback<SdmC['schemas']['ModificationNotification']>('Nudm_SDM_Notification', 'TS29503_Nudm_SDM', 'ModificationNotification', 'nsmf-callback', '/sdm-notify', [204]),
  /** TS 29.512 4.2.4.2 (PCF -> SMF, notificationUri + /update). */
  smPolicyUpdateNotify: callback<SmPolC['schemas']['SmPolicyNotification']>('Npcf_SMPolicyControl_UpdateNotify', 'TS29512_Npcf_SMPolicyControl', 'SmPolicyNotification', 'nsmf-callback', '/sm-policy-notify/{smContextRef}/update', [204], '/update'),
  /** TS 29.504 Nudr_DM_Notify (UDR -> UDM, to the callbackReference of a subscription). */
  subscriptionDataChangeNotify: callback<UdrC['schemas']['DataChangeNotify']>('Nudr_DM_Notify', 'TS29505_Subscription_Data', 'DataChangeNotify', 'nudm-callback', '/data-change/{subscriptionId}', [204]),
  /** TS 29.518 5.2.2.3.1 / 6.1.5.3 (AMF -> the SMF's n1n2FailureTxfNotifURI): the UE was not reached (TS 23.502 4.2.3.3 step 5). */
  n1n2TransferFailureNotify: callback<CommC['schemas']['N1N2MsgTxfrFailureNotification']>('Namf_Communication_N1N2TransferFailureNotification', 'TS29518_Namf_Communication', 'N1N2MsgTxfrFailureNotification', 'nsmf-callback', '/n1n2-failure/{smContextRef}', [204]),
  /** TS 29.519 (UDR -> PCF, notificationUri). */
  policyDataChangeNotify: callback<UdrC['schemas']['PolicyDataChangeNotification'][]>('Nudr_DM_Notify', 'TS29519_Policy_Data', 'PolicyDataChangeNotification', 'npcf-callback', '/policy-data-change', [204]),
  // --- issue 16: SM Policy Association Termination (TS 23.502 4.16.6) ---
  /** TS 29.512 4.2.4.3 (PCF -> SMF, notificationUri + /terminate): the PCF requests the termination (4.16.6 case A step 1). */
  smPolicyTerminateNotify: callback<SmPolC['schemas']['TerminationNotification']>('Npcf_SMPolicyControl_UpdateNotify', 'TS29512_Npcf_SMPolicyControl', 'TerminationNotification', 'nsmf-callback', '/sm-policy-notify/{smContextRef}/terminate', [204], '/terminate'),
  // --- issue 17: home-routed roaming ---
  /** TS 29.502 5.2.2.8.3 (H-SMF -> V-SMF, {vsmfPduSessionUri}/modify): Nsmf_PDUSession_Update towards the V-SMF (4.3.4.3 step 3a). */
  vsmfUpdate: callback<SmfC['schemas']['VsmfUpdateData'], SmfC['schemas']['VsmfUpdatedData']>('Nsmf_PDUSession_Update', 'TS29502_Nsmf_PDUSession', 'VsmfUpdateData', 'nsmf-pdusession', '/vsmf-pdu-sessions/{smContextRef}/modify', [200, 204], '/modify'),
  ...CALLBACKS_16,
  ...CALLBACKS_18,
  ...CALLBACKS_18RE,
} as const;

/** Every operation above, for the schema checks and the tests over the table. */
export const ALL_OPERATIONS: SbiOperation[] = [AUSF, UDM, UDR, PCF, SMF, N16, AMF, BSF, CHF, CHF_CC, NWDAF, PCF_PA, PCF_EE, NRF, NSSF, EIR, NSSAAF].flatMap((nf) => Object.values(nf as Record<string, Record<string, SbiOperation>>).flatMap((svc) => Object.values(svc)));
