// Issue 21 (a 100,000-UE run left SM policy associations at the PCF): the SMF's
// Npcf_SMPolicyControl_Create times out (the session fails), and the PCF's 201 comes after it.
// The PCF counts that 201 delivered, so only the SMF can end the association: it terminates it by
// its Location (TS 23.502 4.16.6 step 2). The PCF and the SMF are served on real loopback
// connections (node:http2 and wire5g's own HTTP/2); the SMF's SBI time-out runs on a VirtualClock,
// so it happens when the test says (the PCF's answer is held until then), not when the machine is
// slow.
import { describe, it, expect, afterEach } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { SbiMultipart, N1_CONTENT_TYPE, type SbiClient, type SbiRoute } from '../../nodes/common/sbi.ts';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { VirtualClock } from '../../transport/clock.ts';
import type { Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { udrRoutes } from '../../nodes/udr/service.ts';
import { udmRoutes } from '../../nodes/udm/service.ts';
import { pcfRoutes } from '../../nodes/pcf/service.ts';
import { smfRoutes } from '../../nodes/smf/service.ts';
import { nasSmN1, ngapSmN2 } from '../../nodes/smf/adapters.ts';
import type { N4 } from '../../nodes/smf/ports.ts';
import type { HomeNetworkAka } from '../../nodes/common/aka.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { decodeNasMessage, encodeNasMessage, nasMessage } from '../../codecs/nas/index.ts';

const UDR = 'http://127.0.201.20:8080', UDM = 'http://127.0.201.12:8080', AMF = 'http://127.0.201.5:8080';
const supi = DEFAULT_SUBSCRIBER.supi;
const TIMEOUT_MS = 1000;

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** Event-loop turns until `cond` holds (no fixed delay). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

async function network(http2: Http2Implementation) {
  const store = new UdrStore(':memory:');
  store.upsert(DEFAULT_SUBSCRIBER);
  const local = new LocalSbi();
  // the PCF on a real HTTP/2 server; its Create handler creates the association, then its answer
  // waits for `release` (the PCF busy, as under the 100,000-UE run's load)
  const pcfServerRoutes: SbiRoute[] = [];
  const pcfServer = await SbiServer.listen({ address: '127.0.201.13', port: 0, routes: pcfServerRoutes, nfType: 'PCF', http2 });
  const pcf = pcfRoutes({ baseUri: pcfServer.uri, udrUri: UDR }, local);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let creates = 0, deletes = 0;
  for (const r of pcf.routes) {
    if (r.operation === 'Npcf_SMPolicyControl_Create') {
      pcfServerRoutes.push({ ...r, handler: async (req) => {
        creates++;
        const res = await r.handler(req);
        await held;
        return res;
      } });
    } else if (r.operation === 'Npcf_SMPolicyControl_Delete') {
      pcfServerRoutes.push({ ...r, handler: (req) => (deletes++, r.handler(req)) });
    } else pcfServerRoutes.push(r);
  }
  const clock = new VirtualClock();
  const http = new Http2SbiClient({ userAgent: 'SMF', localAddress: '127.0.201.4', clock, timeoutMs: TIMEOUT_MS, http2 });
  open.push(http, pcfServer);
  // the SMF's client: the PCF over the socket, every other NF in process
  const smfClient: SbiClient = { call: (method, uri, body, opts) => (uri.startsWith(pcfServer.uri) ? http.call(method, uri, body, opts) : local.call(method, uri, body, opts)) };
  const transfers: SbiMultipart[] = [];
  const amfRoutes: SbiRoute[] = [
    { method: 'POST', path: '/namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages', operation: 'Namf_Communication_N1N2MessageTransfer', handler: (req) => (transfers.push(req.body as SbiMultipart), { status: 200, body: { cause: 'N1_N2_TRANSFER_INITIATED' } }) },
    { method: 'POST', path: '/namf-callback/v1/sm-status/{psi}', operation: 'Nsmf_PDUSession_SMContextStatusNotify', handler: () => ({ status: 204 }) },
  ];
  const n4Calls: string[] = [];
  const n4: N4 = {
    establish: (r) => (n4Calls.push(`establish ${r.ueAddress}`), Promise.reject(new Error('the session must fail before N4'))),
    modify: async () => void n4Calls.push('modify'),
    delete: async () => (n4Calls.push('delete'), undefined),
  };
  const udr = udrRoutes(store, UDR);
  const udm = udmRoutes({ baseUri: UDM, udrUri: UDR, plmnId: '00101' }, local, {} as HomeNetworkAka);
  // the SMF on a real HTTP/2 server too, called by the AMF's client
  const smfServerRoutes: SbiRoute[] = [];
  const smfServer = await SbiServer.listen({ address: '127.0.201.4', port: 0, routes: smfServerRoutes, nfType: 'SMF' });
  const smf = smfRoutes({ baseUri: smfServer.uri, instanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000004', udmUri: UDM, pcfUri: pcfServer.uri, uePool: '10.45.0.0/16', plmn: { mcc: '001', mnc: '01' }, dnns: ['internet'] }, smfClient, n4, nasSmN1, ngapSmN2);
  smfServerRoutes.push(...smf.routes);
  const amf = new Http2SbiClient({ userAgent: 'AMF', localAddress: '127.0.201.5' });
  open.push(amf, smfServer);
  local.serve(UDR, udr.routes).serve(UDM, udm.routes).serve(AMF, amfRoutes);
  const ledgers = () => ({ udr: udr.ledger.snapshot(), udm: udm.ledger.snapshot(), pcf: pcf.ledger.snapshot(), smf: smf.ledger.snapshot() });
  return { local, clock, http, amf, smfServer, pcfServer, pcf, release, transfers, n4Calls, ledgers, counts: () => ({ creates, deletes }) };
}

describe.each(['node', 'own'] as const)('an SM policy association whose 201 reaches the SMF after its time-out (issue 21), over %s HTTP/2', (http2) => {
  it('is terminated by the SMF at its Location: the session fails, the PCF and every other ledger are back at their start', async () => {
    const { local, clock, http, amf, smfServer, pcfServer, pcf, release, transfers, n4Calls, ledgers, counts } = await network(http2);
    const before = ledgers();
    const n1 = encodeNasMessage(nasMessage('PDU session establishment request', { integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff), pduSessionType: 1, sscMode: 1 }, { pduSessionId: 1, pti: 7 }));
    const r = await amf.call('POST', `${smfServer.uri}/nsmf-pdusession/v1/sm-contexts`, new SbiMultipart(
      { supi, pduSessionId: 1, dnn: 'internet', sNssai: { sst: 1 }, servingNfId: '3e4a1c52-7d0b-4f6e-9a51-000000000005', smContextStatusUri: `${AMF}/namf-callback/v1/sm-status/1`, ueContextUri: `${AMF}/namf-comm/v1/ue-contexts/${supi}`, n1SmMsg: { contentId: 'n1' }, anType: '3GPP_ACCESS', ratType: 'NR' },
      { n1: { contentType: N1_CONTENT_TYPE, data: n1 } },
    ), { operation: 'Nsmf_PDUSession_CreateSMContext' });
    expect(r.status).toBe(201);
    // step 7b is at the PCF: the association exists there, its answer held
    await until(() => pcf.ledger.snapshot()['SM policy associations'] === 1);
    // the SMF's time-out: the session fails with the PDU Session Establishment Reject
    clock.advance(TIMEOUT_MS);
    await until(() => http.stats.timeouts === 1);
    await smfServer.settled();
    await local.settled();
    expect(transfers).toHaveLength(1);
    const reject = decodeNasMessage(transfers[0].binaries.n1msg.data);
    expect(reject.name).toBe('PDU session establishment reject');
    expect(n4Calls).toEqual([]);
    expect(pcf.ledger.snapshot()['SM policy associations']).toBe(1); // what the late 201 leaves behind
    // the PCF answers now: its 201 is delivered (the stream was not reset), after the SMF gave up
    release();
    await http.settled();
    await pcfServer.settled();
    await smfServer.settled();
    await local.settled();
    expect(pcfServer.stats.cancelled).toBe(0);
    expect(pcfServer.stats.undelivered).toBe(0);
    expect(http.stats.lateAnswers).toBe(1);
    expect(counts()).toEqual({ creates: 1, deletes: 1 }); // Npcf_SMPolicyControl_Delete at its Location
    expect(ledgers()).toEqual(before);
  });

  it('a call without a lateAnswer still resets its stream at the time-out, and the PCF undoes the 201 it had not sent', async () => {
    const { clock, http, pcfServer, pcf, release } = await network(http2);
    const body = { supi, pduSessionId: 2, dnn: 'internet', sliceInfo: { sst: 1 }, notificationUri: 'http://127.0.201.4:8080/nsmf-callback/v1/sm-policy-notify/9', subsDefQos: { '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } }, subsSessAmbr: { uplink: '1 Gbps', downlink: '1 Gbps' } };
    const call = http.call('POST', `${pcfServer.uri}/npcf-smpolicycontrol/v1/sm-policies`, body);
    const failed = expect(call).rejects.toThrow(/no answer within 1000 ms/);
    await until(() => pcf.ledger.snapshot()['SM policy associations'] === 1);
    clock.advance(TIMEOUT_MS);
    await failed;
    await until(() => pcfServer.stats.cancelled === 1);
    release();
    await pcfServer.settled();
    expect(pcfServer.stats.undelivered).toBe(1);
    expect(http.stats.lateAnswers).toBe(0);
    expect(pcf.ledger.snapshot()['SM policy associations']).toBe(0);
  });
});
