// An AF (application function) of the emulator's operator: it creates an app session at the PCF
// for a UE's PDU session (Npcf_PolicyAuthorization_Create, TS 29.514 4.2.2), having found the PCF
// serving that session at the BSF (Nbsf_Management_Discovery by the UE's address and DNN, TS
// 29.521 5.2.2.4), and ends it (Npcf_PolicyAuthorization_Delete, 4.2.4). It serves the PCF's
// notification that the PDU session ended (TS 23.502 4.16.6 step 5; POST {notifUri}/terminate,
// TS 29.514 4.2.5.3): it acknowledges, then deletes its app session. It asks for no media
// components: its sessions carry no QoS request of their own.

import { SbiProblem, objectBody, requireString, type SbiClient, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, noContent } from '../common/sbi/routes.ts';
import { callbackUri, consumer } from '../common/sbi/client.ts';
import { BSF, PCF_PA, CALLBACKS } from '../common/sbi/operations.ts';

export interface AfConfig {
  baseUri: string;
  bsfUri: string;
  /** TS 29.514 AfAppId of this AF's sessions. */
  afAppId: string;
}

interface AfAppSession {
  supi: string;
  psi: number;
  /** The app session's URI at the PCF (the Location of the 201). */
  uri: string;
}

export function afRoutes(cfg: AfConfig, sbi: SbiClient, ledger = new ResourceLedger('AF')) {
  const sessions = new Map<string, AfAppSession>();
  const bsf = consumer(sbi, cfg.bsfUri, BSF);
  const pcf = consumer(sbi, '', PCF_PA);
  let next = 1;
  ledger.gauge('app sessions', () => sessions.size);

  /** The AF's app session of a UE's PDU session, by its local id. */
  const find = (supi: string, psi: number) => [...sessions].find(([, s]) => s.supi === supi && s.psi === psi);

  /** TS 29.514 4.2.4: Npcf_PolicyAuthorization_Delete; the app session is gone at the AF either way. */
  async function remove(id: string, step?: string): Promise<void> {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await pcf.policyAuthorization.delete(s.uri, undefined, step ? { step } : {});
  }

  const routes: SbiRoute[] = [
    // TS 29.514 4.2.5.3: the PCF reports the end of the PDU session; the AF deletes its app session after the 204
    serve(CALLBACKS.afTerminate, (req) => {
      const body = objectBody(req);
      requireString(body, 'resUri');
      requireString(body, 'termCause');
      if (!sessions.has(req.params.afSessionId)) throw new SbiProblem(404, 'APPLICATION_SESSION_CONTEXT_NOT_FOUND');
      return noContent(() => remove(req.params.afSessionId, '4.16.6 step 5'));
    }),
  ];

  return {
    routes,
    ledger,
    sessions,
    /** O&M: an app session for the UE's PDU session `psi` with address `ueIpv4` (the AF knows its UE's address). */
    async createAppSession(supi: string, psi: number, ueIpv4: string, dnn: string, snssai: { sst: number; sd?: string }): Promise<string> {
      if (find(supi, psi)) throw new SbiProblem(409, 'APPLICATION_SESSION_EXISTS', `the AF has an app session on PDU session ${psi} of ${supi} already`);
      // TS 29.521 5.2.2.4: which PCF serves the session
      const found = await bsf.management.discover({ query: { ipv4Addr: ueIpv4, dnn } });
      const ep = found.status === 200 ? found.body?.pcfIpEndPoints?.[0] : undefined;
      if (!ep?.ipv4Address || !ep.port) throw new SbiProblem(404, 'PCF_BINDING_NOT_FOUND', `the BSF knows no PCF for ${ueIpv4} on ${dnn}`);
      const id = String(next++);
      const r = await consumer(sbi, `http://${ep.ipv4Address}:${ep.port}`, PCF_PA).policyAuthorization.create({
        ascReqData: { afAppId: cfg.afAppId, notifUri: callbackUri(cfg.baseUri, CALLBACKS.afTerminate, { afSessionId: id }), suppFeat: '0', ueIpv4, dnn, sliceInfo: snssai, supi },
      });
      const uri = r.headers.location;
      if (!uri) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'the PCF answered 201 without Location');
      sessions.set(id, { supi, psi, uri });
      return id;
    },
    /** O&M: the AF ends its app session on the UE's PDU session `psi`. */
    async deleteAppSession(supi: string, psi: number): Promise<void> {
      const s = find(supi, psi);
      if (!s) throw new SbiProblem(404, 'APPLICATION_SESSION_CONTEXT_NOT_FOUND', `the AF has no app session on PDU session ${psi} of ${supi}`);
      await remove(s[0]);
    },
    hasAppSession: (supi: string, psi: number) => find(supi, psi) !== undefined,
  };
}
