// Nudm_SDM (TS 29.503 5.2): subscription data the AMF and the SMF read (TS 23.502 4.2.2.2.2 step
// 14b, 4.3.2.2.1 step 4), one data set per request or several in one (5.2.2.2.1,
// `GET /{supi}?dataset-names=AM,SMF_SEL`), from the UDR's provisioned data (TS 29.505) and the
// UE context the UDM holds; and subscriptions to their changes (5.2.2.3, 5.2.2.4).

import { endLateCreation } from '../common/sbi/late-answer.ts';
import { SbiProblem, objectBody, requireString, type SbiRoute, type SbiRequest } from '../common/sbi.ts';
import { serve, ok, created, noContent, undoable } from '../common/sbi/routes.ts';
import { callbackUri, resourceUri } from '../common/sbi/client.ts';
import { UDM, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as SdmC } from '../common/sbi-types/TS29503_Nudm_SDM.ts';
import { userNotFound, smDataList, servingPlmnId, type Udm } from './context.ts';

type DataSetName = SdmC['schemas']['DataSetName'];
/** The data sets this UDM holds: TS 29.503 6.1.6.3.3 DataSetName. Others are absent from the answer. */
const PROVISIONED = ['AM', 'SMF_SEL', 'SM'] as const;
const KNOWN = new Set(['AM', 'SMF_SEL', 'UEC_SMF', 'UEC_SMSF', 'SMS_SUB', 'SM', 'TRACE', 'SMS_MNG', 'LCS_PRIVACY', 'LCS_MO', 'LCS_SUB', 'UEC_AMF', 'V2X', 'LCS_BCA', 'PROSE', 'UC', 'MBS', 'A2X']);

/** `dataset-names` (style form, explode false): at least two known names (TS 29.503 6.1.3.2.3.1). */
function datasetNames(req: SbiRequest): DataSetName[] {
  const names = (req.query['dataset-names'] ?? '').split(',').filter((n) => n !== '');
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (names.length < 2 || unknown.length) throw new SbiProblem(400, 'INVALID_QUERY_PARAM', `dataset-names must name at least two data sets of TS 29.503 DataSetName${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  return names;
}

/** TS 29.503 6.1.6.2.12 UeContextInSmfData: the PDU sessions whose SMFs registered (Nudm_UECM). */
function ueContextInSmfData(udm: Udm, supi: string): SdmC['schemas']['UeContextInSmfData'] {
  const pduSessions: Record<string, SdmC['schemas']['PduSession']> = {};
  for (const [key, reg] of udm.smfRegistrations) {
    const [ueId, psi] = key.split('/');
    if (ueId === supi && reg.dnn) pduSessions[psi] = { dnn: reg.dnn, smfInstanceId: reg.smfInstanceId, plmnId: reg.plmnId, singleNssai: reg.singleNssai };
  }
  return { pduSessions };
}

/** TS 29.503 6.1.6.2.11 UeContextInAmfData: the AMF registered for 3GPP access, if any. */
function ueContextInAmfData(udm: Udm, supi: string): SdmC['schemas']['UeContextInAmfData'] {
  const reg = udm.amfRegistrations.get(supi);
  return reg ? { amfInfo: [{ amfInstanceId: reg.amfInstanceId, guami: reg.guami, accessType: '3GPP_ACCESS' }] } : {};
}

export function sdmRoutes(udm: Udm): SbiRoute[] {
  return [
    // TS 29.503 5.2.2.2.1: several data sets in one request (Open5GS's and free5GC's AMFs use it)
    serve(UDM.sdm.getDataSets, async (req) => {
      const names = datasetNames(req);
      const provisioned = PROVISIONED.filter((n) => names.includes(n));
      const sets: SdmC['schemas']['SubscriptionDataSets'] = {};
      if (provisioned.length) {
        const plmn = servingPlmnId(udm, req.query['plmn-id']);
        const p = (await udm.nudr.queryProvisionedData(req.params.supi, plmn, { query: { 'dataset-names': provisioned } }).catch(userNotFound)).body;
        if (p.amData) sets.amData = p.amData;
        if (p.smfSelData) sets.smfSelData = p.smfSelData;
        if (p.smData) sets.smData = p.smData;
      }
      if (names.includes('UEC_SMF')) sets.uecSmfData = ueContextInSmfData(udm, req.params.supi);
      if (names.includes('UEC_AMF')) sets.uecAmfData = ueContextInAmfData(udm, req.params.supi);
      return ok(sets);
    }),
    // TS 29.503 5.2.2.2.3 (4.2.2.2.2 step 14b)
    serve(UDM.sdm.getAmData, async (req) => ok((await udm.nudr.queryAmData(req.params.supi, servingPlmnId(udm, req.query['plmn-id'])).catch(userNotFound)).body)),
    // TS 29.503 5.2.2.2.2: the NSSAI part of the access and mobility data
    serve(UDM.sdm.getNssai, async (req) => {
      const am = (await udm.nudr.queryAmData(req.params.supi, servingPlmnId(udm, req.query['plmn-id']), { query: { fields: ['nssai'] } }).catch(userNotFound)).body;
      if (!am.nssai) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no NSSAI for ${req.params.supi}`);
      return ok(am.nssai);
    }),
    // TS 29.503 5.2.2.2.5
    serve(UDM.sdm.getSmfSelectData, async (req) => ok((await udm.nudr.querySmfSelectData(req.params.supi, servingPlmnId(udm, req.query['plmn-id'])).catch(userNotFound)).body)),
    // TS 29.503 5.2.2.2.6: the UE context in the SMFs (4.2.2.2.2 step 14b, for an AMF change)
    serve(UDM.sdm.getUeContextInSmfData, (req) => ok(ueContextInSmfData(udm, req.params.supi))),
    // TS 29.503 5.2.2.2.4 (4.3.2.2.1 step 4), filtered by single-nssai and dnn
    serve(UDM.sdm.getSmData, async (req) => {
      let sm = smDataList((await udm.nudr.querySmData(req.params.supi, servingPlmnId(udm, req.query['plmn-id'])).catch(userNotFound)).body);
      const dnn = req.query.dnn;
      if (req.query['single-nssai']) {
        let want: { sst?: unknown; sd?: unknown };
        try {
          want = JSON.parse(req.query['single-nssai']) as { sst?: unknown; sd?: unknown };
        } catch {
          throw new SbiProblem(400, 'INVALID_QUERY_PARAM', 'single-nssai is not a JSON Snssai');
        }
        sm = sm.filter((s) => s.singleNssai.sst === want.sst && (s.singleNssai.sd ?? '').toLowerCase() === (typeof want.sd === 'string' ? want.sd.toLowerCase() : ''));
      }
      if (dnn) sm = sm.filter((s) => s.dnnConfigurations?.[dnn]).map((s) => ({ ...s, dnnConfigurations: { [dnn]: s.dnnConfigurations![dnn] } }));
      return ok(sm);
    }),
    // TS 29.503 5.2.2.3.2: Nudm_SDM_Subscribe; the UDM subscribes to the UDR for it
    serve(UDM.sdm.subscribe, async (req) => {
      const body = objectBody(req);
      // TS 29.503 6.1.6.2.3 SdmSubscription: the mandatory members
      const nfInstanceId = requireString(body, 'nfInstanceId');
      const callbackReference = requireString(body, 'callbackReference');
      const monitored = body.monitoredResourceUris;
      if (!Array.isArray(monitored) || monitored.length === 0 || monitored.some((u) => typeof u !== 'string')) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'monitoredResourceUris is required (at least one URI)');
      // the UDR's notifications name this SDM subscription in their URI (data-change.ts)
      const subscriptionId = udm.nextId();
      // a 201 after the time-out (this subscription failed): the UDR's subscription is nobody's; Nudr_DM_Unsubscribe at its Location (as at 5.2.2.4.2)
      const r = await udm.nudr.subscribeSubscriptionData({ ueId: req.params.ueId, callbackReference: callbackUri(udm.cfg.baseUri, CALLBACKS.subscriptionDataChangeNotify, { subscriptionId }), monitoredResourceUris: monitored as string[] }, {
        lateAnswer: endLateCreation(`[UDM] ${req.params.ueId} UDR subscription`, (uri) => udm.nudr.unsubscribeSubscriptionData(uri), udm.cfg.log),
      });
      const sub = { ueId: req.params.ueId, udrSubscription: r.headers.location ?? '', callbackReference, monitoredResourceUris: monitored as string[] };
      udm.sdmSubscriptions.set(subscriptionId, sub);
      // an AMF that never got the 201 never unsubscribes (issue 21): undone, with the UDR subscription
      return undoable(created(resourceUri(udm.cfg.baseUri, UDM.sdm.unsubscribe, { ueId: req.params.ueId, subscriptionId }), { ...body, nfInstanceId, callbackReference, monitoredResourceUris: monitored as string[], subscriptionId }), async () => {
        if (!udm.sdmSubscriptions.delete(subscriptionId)) return;
        await udm.nudr.unsubscribeSubscriptionData(sub.udrSubscription);
      });
    }),
    // TS 29.503 5.2.2.4.2: Nudm_SDM_Unsubscribe
    serve(UDM.sdm.unsubscribe, async (req) => {
      const sub = udm.sdmSubscriptions.get(req.params.subscriptionId);
      if (!sub || sub.ueId !== req.params.ueId) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      await udm.nudr.unsubscribeSubscriptionData(sub.udrSubscription);
      udm.sdmSubscriptions.delete(req.params.subscriptionId);
      return noContent();
    }),
  ];
}
