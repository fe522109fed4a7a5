// The CHF's Nchf_ConvergedCharging service (TS 32.291 6.1), as the SMF uses it for PDU session
// charging (TS 32.255): a charging data resource per PDU session, created with the session
// (Charging Data Request [Initial]) and released with it ([Termination]). The CHF rates nothing
// and grants no quota: it records the session's charging context and, on the operator's decision
// (`wire5g ctl chf abort`), tells the SMF to end the session: Nchf_ConvergedCharging_Notify with
// notificationType ABORT_CHARGING to the notifyUri the SMF gave (TS 32.290, TS 32.291
// NotificationType: the consumer then stops the service and releases the charging session).

import { SbiProblem, objectBody, type SbiClient, type SbiRoute } from '../common/sbi.ts';
import type { ResourceLedger } from '../common/ledger.ts';
import { serve, created, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri, consumer } from '../common/sbi/client.ts';
import { CHF_CC, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as CcC } from '../common/sbi-types/TS32291_Nchf_ConvergedCharging.ts';

type S = CcC['schemas'];

/** A PDU session's charging data resource. */
export interface ChargingSession {
  supi: string;
  pduSessionId: number;
  notifyUri?: string;
  /** The consumer's last invocation sequence number (TS 32.291 ChargingDataRequest). */
  sequence: number;
}

/** TS 32.291 ChargingDataRequest members every request carries (nfConsumerIdentification, invocation time and number). */
function checkRequest(body: Partial<S['ChargingDataRequest']>): void {
  if (!body.nfConsumerIdentification || typeof body.nfConsumerIdentification.nodeFunctionality !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'nfConsumerIdentification.nodeFunctionality is required');
  if (typeof body.invocationTimeStamp !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'invocationTimeStamp is required');
  if (typeof body.invocationSequenceNumber !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'invocationSequenceNumber is required');
}

export function convergedChargingRoutes(baseUri: string, sbi: SbiClient, ledger: ResourceLedger) {
  const sessions = new Map<string, ChargingSession>();
  const notify = consumer(sbi, '', CALLBACKS);
  let next = 1;
  ledger.gauge('charging data resources', () => sessions.size);
  const answer = (req: Partial<S['ChargingDataRequest']>): S['ChargingDataResponse'] => ({ invocationTimeStamp: new Date().toISOString(), invocationSequenceNumber: req.invocationSequenceNumber ?? 0 });

  const routes: SbiRoute[] = [
    // TS 32.291 Nchf_ConvergedCharging_Create: the Charging Data Request [Initial] of a PDU session
    serve(CHF_CC.convergedCharging.create, (req) => {
      const body = objectBody(req) as Partial<S['ChargingDataRequest']>;
      checkRequest(body);
      const supi = body.subscriberIdentifier;
      const info = body.pDUSessionChargingInformation?.pduSessionInformation;
      if (typeof supi !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subscriberIdentifier is required for PDU session charging');
      if (!info || typeof info.pduSessionID !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pDUSessionChargingInformation.pduSessionInformation is required');
      const ref = String(next++);
      sessions.set(ref, { supi, pduSessionId: info.pduSessionID, ...(typeof body.notifyUri === 'string' ? { notifyUri: body.notifyUri } : {}), sequence: body.invocationSequenceNumber! });
      return undoable(created(resourceUri(baseUri, CHF_CC.convergedCharging.release, { ChargingDataRef: ref }), answer(body)), () => void sessions.delete(ref));
    }),
    // TS 32.291 Nchf_ConvergedCharging_Release: the Charging Data Request [Termination]
    serve(CHF_CC.convergedCharging.release, (req) => {
      const body = objectBody(req) as Partial<S['ChargingDataRequest']>;
      checkRequest(body);
      if (!sessions.delete(req.params.ChargingDataRef)) throw new SbiProblem(404, 'CHARGING_DATA_RESOURCE_NOT_FOUND', `no charging data ${req.params.ChargingDataRef}`);
      return noContent();
    }),
  ];

  /** The charging session of PDU session `psi` of `supi`, if any. */
  const sessionOf = (supi: string, psi: number): [string, ChargingSession] | undefined => [...sessions].find(([, s]) => s.supi === supi && s.pduSessionId === psi);

  /**
   * O&M: the CHF aborts the charging of PDU session `psi` of `supi` (Nchf_ConvergedCharging_Notify,
   * ABORT_CHARGING); resolves with the SMF's acknowledgement. The SMF releases the PDU session and
   * with it the charging data resource.
   */
  async function abort(supi: string, psi: number): Promise<void> {
    const found = sessionOf(supi, psi);
    if (!found) throw new SbiProblem(404, 'CHARGING_DATA_RESOURCE_NOT_FOUND', `the CHF has no charging session for PDU session ${psi} of ${supi}`);
    const [, s] = found;
    if (!s.notifyUri) throw new SbiProblem(409, 'NO_NOTIFY_URI', `the SMF gave no notifyUri for PDU session ${psi} of ${supi}`);
    await notify.chargingNotify(s.notifyUri, { notificationType: 'ABORT_CHARGING' }, { step: 'TS 32.290 abort' });
  }

  return { routes, abort, sessionOf };
}
