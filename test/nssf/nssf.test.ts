// The NSSF (TS 29.531 Nnssf_NSSelection_Get for registration, TS 23.501 5.15.5.2.1) on its own
// socket, configured with two TAs and two AMF Sets: the Allowed NSSAI, the S-NSSAIs rejected in
// the PLMN and in the TA, the Configured NSSAI and the target AMF Set with its candidate AMFs.
// Requests by our typed client (its bodies judged against the Rel-18 OpenAPI by the schema check of
// every test) and by curl over HTTP/2 prior knowledge (skipped, and said so, without curl).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startNf, type NfHandle } from '../../nodes/core.ts';
import { testConfig } from '../helpers/network.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { nssfClient } from '../../nodes/common/sbi/client.ts';
import { nfInstanceId } from '../../nodes/common/nf-instance.ts';
import { SbiProblem } from '../../nodes/common/sbi.ts';

const curlAvailable = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
if (!curlAvailable) console.warn('[nssf] curl not found: the curl request is SKIPPED (install the Debian package curl)');

const cfg = testConfig(186);
cfg.nssf = {
  trackingAreas: [{ tac: 1, snssais: [{ sst: 1 }, { sst: 2, sd: '00000a' }] }, { tac: 2, snssais: [{ sst: 1 }, { sst: 3 }] }],
  amfSets: [
    { regionId: 2, setId: 1, snssais: [{ sst: 1 }, { sst: 2, sd: '00000a' }], amfs: ['127.0.186.5'] },
    { regionId: 2, setId: 2, snssais: [{ sst: 1 }, { sst: 3 }], amfs: ['127.0.186.6', '127.0.186.8'] },
  ],
};
const root = `http://${cfg.addresses.nssf}:${cfg.ports.sbi}`;
const AMF1 = nfInstanceId('AMF', '127.0.186.5');
const subscribed = [{ subscribedSnssai: { sst: 1 }, defaultIndication: true }, { subscribedSnssai: { sst: 2, sd: '00000a' } }, { subscribedSnssai: { sst: 3 } }];
const tai = (tac: string) => JSON.stringify({ plmnId: { mcc: '001', mnc: '01' }, tac });

let nssf: NfHandle;
let http: Http2SbiClient;
beforeAll(async () => {
  // the NSSF alone: its NFRegister finds no NRF and is tried again later, which does not stop it serving
  nssf = await startNf('nssf', cfg, { log: () => {} });
  http = new Http2SbiClient({ userAgent: 'AMF', localAddress: '127.0.186.5' });
});
afterAll(async () => {
  await http.close();
  await nssf.stop();
});

const select = (info: object, tac: string) => nssfClient(http, root).nsSelection.get({ query: { 'nf-type': 'AMF', 'nf-id': AMF1, 'slice-info-request-for-registration': JSON.stringify(info), tai: tai(tac) } });

describe('NSSF: Nnssf_NSSelection_Get for registration (TS 23.502 4.2.2.2.3 step 4)', () => {
  it('requested slices all served in the TA: Allowed NSSAI, Configured NSSAI, the AMF Set serving them', async () => {
    const r = await select({ subscribedNssai: subscribed, requestedNssai: [{ sst: 1 }, { sst: 2, sd: '00000a' }] }, '000001');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      allowedNssaiList: [{ allowedSnssaiList: [{ allowedSnssai: { sst: 1 } }, { allowedSnssai: { sst: 2, sd: '00000a' } }], accessType: '3GPP_ACCESS' }],
      configuredNssai: [{ configuredSnssai: { sst: 1 } }, { configuredSnssai: { sst: 2, sd: '00000a' } }, { configuredSnssai: { sst: 3 } }],
      targetAmfSet: '001-01-02-001',
      candidateAmfList: [AMF1],
      nrfAmfSet: `http://${cfg.addresses.nrf}:8080/nnrf-disc/v1`,
      nrfAmfSetNfMgtUri: `http://${cfg.addresses.nrf}:8080/nnrf-nfm/v1`,
    });
  });

  it('a slice the TA does not serve: rejected in the TA, the default allowed; in the TA that serves it, the other AMF Set', async () => {
    const here = await select({ subscribedNssai: subscribed, requestedNssai: [{ sst: 3 }] }, '000001');
    expect(here.body).toMatchObject({ allowedNssaiList: [{ allowedSnssaiList: [{ allowedSnssai: { sst: 1 } }] }], rejectedNssaiInTa: [{ sst: 3 }], targetAmfSet: '001-01-02-001' });
    expect(here.body.rejectedNssaiInPlmn).toBeUndefined();
    const there = await select({ subscribedNssai: subscribed, requestedNssai: [{ sst: 3 }] }, '000002');
    expect(there.body).toMatchObject({ allowedNssaiList: [{ allowedSnssaiList: [{ allowedSnssai: { sst: 3 } }] }], targetAmfSet: '001-01-02-002', candidateAmfList: [nfInstanceId('AMF', '127.0.186.6'), nfInstanceId('AMF', '127.0.186.8')] });
  });

  it('a slice not subscribed, or served nowhere in the PLMN: rejected in the PLMN', async () => {
    const r = await select({ subscribedNssai: subscribed.slice(0, 2), requestedNssai: [{ sst: 3 }, { sst: 9 }, { sst: 1 }] }, '000002');
    expect(r.body).toMatchObject({ allowedNssaiList: [{ allowedSnssaiList: [{ allowedSnssai: { sst: 1 } }] }], rejectedNssaiInPlmn: [{ sst: 3 }, { sst: 9 }] });
  });

  it('bad requests: missing nf-id, slice info that is not JSON, a bad TAI (400); selection for a PDU session (501, not implemented)', async () => {
    const c = nssfClient(http, root).nsSelection;
    const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof SbiProblem ? e.problem.status : -1));
    expect(await status(c.get({ query: { 'nf-type': 'AMF', 'nf-id': '', 'slice-info-request-for-registration': '{}' } }))).toBe(400);
    expect(await status(c.get({ query: { 'nf-type': 'AMF', 'nf-id': AMF1, 'slice-info-request-for-registration': '{not json' } }))).toBe(400);
    expect(await status(c.get({ query: { 'nf-type': 'AMF', 'nf-id': AMF1, 'slice-info-request-for-registration': JSON.stringify({ requestedNssai: [{ sst: 300 }] }) } }))).toBe(400);
    expect(await status(c.get({ query: { 'nf-type': 'AMF', 'nf-id': AMF1, 'slice-info-request-for-registration': '{}', tai: tai('1') } }))).toBe(400);
    expect(await status(c.get({ query: { 'nf-type': 'SMF', 'nf-id': AMF1, 'slice-info-request-for-pdu-session': JSON.stringify({ sNssai: { sst: 1 }, roamingIndication: 'NON_ROAMING' }) } }))).toBe(501);
  });

  it.skipIf(!curlAvailable)('curl (HTTP/2 prior knowledge) gets the same selection', async () => {
    const q = new URLSearchParams({ 'nf-type': 'AMF', 'nf-id': AMF1, 'slice-info-request-for-registration': JSON.stringify({ subscribedNssai: subscribed, requestedNssai: [{ sst: 3 }] }), tai: tai('000002') });
    const { stdout } = await promisify(execFile)('curl', ['-s', '--http2-prior-knowledge', '-w', '\n%{http_code} %{http_version}', `${root}/nnssf-nsselection/v2/network-slice-information?${q.toString()}`]);
    const [body, tail] = stdout.split('\n');
    expect(tail).toBe('200 2');
    expect(JSON.parse(body)).toMatchObject({ targetAmfSet: '001-01-02-002', allowedNssaiList: [{ allowedSnssaiList: [{ allowedSnssai: { sst: 3 } }] }] });
  });
});
