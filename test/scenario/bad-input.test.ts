// A running network under bad input and refused requests (issue: network functions, "Checks";
// issue: deregistration, "Bad input"): each gets the protocol's own answer, nothing is released
// for a UE that did not ask, and the network keeps serving the other UEs.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http2 from 'node:http2';
import type { Core } from '../../nodes/core.ts';
import type { Gnb } from '../../nodes/gnb/gnb.ts';
import { RegistrationRejected, type Ue, type UeConfig } from '../../nodes/ue/ue.ts';
import type { UuCell, UuConnection, UuUeSide } from '../../nodes/gnb/uu.ts';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import { decodeNgap, ngapMessage, iesByName, ngapPdu, encodeNgap, bits, plmnIdentity, tac } from '../../codecs/ngap/index.ts';
import { encodeNasMessage, nasMessage, decodeNas, nullSchemeSuci, type MobileIdentity } from '../../codecs/nas/index.ts';
import type { NetworkConfig } from '../../nodes/common/config.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';

let net: TestNetwork;
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
const ueFor = (supi: string, over: Partial<UeConfig> = {}): Ue => net.ue(supi, over);
const quiet = (): Promise<void> => net.quiet();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gNB's cell, keeping each UE's RRC connection so a test can slip bytes into it. */
function tappedCell(): UuCell & { conns: UuConnection[] } {
  const conns: UuConnection[] = [];
  return { conns, connect: (ue, nas, cause) => { const c = gnb.connect(ue, nas, cause); conns.push(c); return c; } };
}

beforeAll(async () => {
  net = await startTestNetwork(3, [0, 1, 2, 3, 4, 5, 6].map((i) => `imsi-00101000000010${i}`));
  ({ cfg, core, gnb } = net);
});

afterAll(async () => {
  await net?.stop();
});

describe('a running network under bad input', () => {
  it('garbage NGAP and NGAP before NG Setup are answered with Error Indication; the AMF keeps serving', async () => {
    const a = await SctpUdpEndpoint.connect({ localAddress: '127.0.3.150', remoteAddress: cfg.addresses.amf });
    const got: string[] = [];
    a.on('message', (_s, _p, payload) => {
      const { name, procedure } = ngapMessage(decodeNgap(payload));
      got.push(`${name} ${JSON.stringify(iesByName(procedure.value, name).get('Cause'))}`);
    });
    a.send(0, 60, Uint8Array.of(0x00, 0x15, 0x00, 0xff, 0xde, 0xad));
    // a well-formed InitialUEMessage on an association that never did NG Setup (TS 38.413 8.7.1)
    a.send(1, 60, encodeNgap(ngapPdu('InitialUEMessage', { 'RAN-UE-NGAP-ID': 7, 'NAS-PDU': Uint8Array.of(0x7e, 0, 0x41), UserLocationInformation: { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: plmnIdentity('001', '01'), nRCellIdentity: bits(1, 36) }, tAI: { pLMNIdentity: plmnIdentity('001', '01'), tAC: tac(1) } } }, RRCEstablishmentCause: 'mo-Signalling' })));
    for (let i = 0; i < 100 && got.length < 2; i++) await sleep(10);
    a.abort();
    expect(got[0]).toMatch(/^ErrorIndication .*protocol/);
    expect(got[1]).toBe('ErrorIndication {"protocol":"message-not-compatible-with-receiver-state"}');
    const ue = ueFor('imsi-001010000000100');
    await ue.register(gnb);
    await ue.deregister({ switchOff: true });
    await quiet();
    expect(core.amf.stats.ngapDecodeErrors).toBeGreaterThan(0);
  });

  it('an unknown subscriber is rejected with 5GMM cause #7 and nothing stays behind', async () => {
    const before = core.ledgers();
    const ue = ueFor('imsi-001010000009999');
    const e = await ue.register(gnb).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistrationRejected);
    expect((e as RegistrationRejected).fiveGmmCause).toBe(7);
    await quiet();
    expect(core.ledgers()).toEqual(before);
  });

  it('a UE with the wrong K answers MAC failure (#20) and gets Authentication Reject; the AUSF forgets the context', async () => {
    const before = core.ledgers();
    const ue = ueFor('imsi-001010000000101', { k: '00112233445566778899aabbccddeeff' });
    const e = await ue.register(gnb).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistrationRejected);
    expect(String((e as Error).message)).toContain('Authentication reject');
    expect(ue.sent).toContain('Authentication failure');
    await quiet();
    expect(core.ledgers()).toEqual(before);
  });

  it('a USIM whose SQN is ahead answers synch failure (#21, AUTS): the UDM resynchronises and registration succeeds', async () => {
    const ue = ueFor('imsi-001010000000102', { sqn: '000000100000' });
    const r = await ue.register(gnb);
    expect(r.guti?.type).toBe('5g-guti');
    expect(ue.sent.filter((m) => m === 'Authentication failure')).toHaveLength(1);
    expect(BigInt(`0x${core.store.get('imsi-001010000000102')!.sqn}`)).toBeGreaterThan(0x100000n);
    await ue.deregister({ switchOff: false });
    await quiet();
  });

  it('a requested S-NSSAI neither subscribed nor served: Registration reject #62 with the rejected NSSAI', async () => {
    const before = core.ledgers();
    const ue = ueFor('imsi-001010000000103', { snssai: { sst: 2 } });
    const e = await ue.register(gnb).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistrationRejected);
    expect((e as RegistrationRejected).fiveGmmCause).toBe(62);
    await quiet();
    expect(core.ledgers()).toEqual(before);
  });

  it('a Deregistration Request with a wrong MAC, or for an unknown 5G-GUTI, releases nothing', async () => {
    const cell = tappedCell();
    const ue = ueFor('imsi-001010000000104');
    const reg = await ue.register(cell);
    await ue.establishPduSession(1);
    await quiet();
    const before = core.ledgers();
    const guti = reg.guti as MobileIdentity;
    const dereg = (switchOff: boolean, identity: MobileIdentity) => encodeNasMessage(nasMessage('Deregistration request (UE originating)', { deregistrationType: { switchOff, reRegistrationRequired: false, accessType: 1 }, ngKsi: { tsc: 0, ksi: 1 }, mobileIdentity: identity }));
    const forged = (plain: Uint8Array) => Uint8Array.from([0x7e, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x09, ...plain]);
    // wrong MAC, switch off and normal, on the UE's own connection
    cell.conns[0].uplinkNas(forged(dereg(true, guti)));
    cell.conns[0].uplinkNas(forged(dereg(false, guti)));
    // an unknown 5G-GUTI as the initial message of a new connection
    const heard: string[] = [];
    const stranger: UuUeSide = { onDownlinkNas: (n) => { const p = decodeNas(n); heard.push(p.kind === 'plain' ? p.message.name : 'protected'); }, onDownlinkData: () => {}, onRrcRelease: () => heard.push('RRC release') };
    gnb.connect(stranger, forged(dereg(false, { ...guti, tmsi: 0xabcdef } as MobileIdentity)), 'mo-Signalling');
    await quiet();
    expect(core.amf.stateOf('imsi-001010000000104')).toBe('5GMM-REGISTERED');
    expect(core.ledgers()).toEqual(before);
    expect(heard).toEqual(['5GMM status', 'RRC release']);
    expect(core.amf.stats.deregistrationsNotProcessed).toBe(3);
    // the UE still has its session and user plane, and deregisters properly
    expect(await ue.ping(cfg.dataNetwork, 1)).toBeGreaterThan(0);
    expect(await ue.deregister({ switchOff: false })).toBe('accepted');
    await quiet();
  });

  it('a Registration Request with a 5G-GUTI this AMF never assigned: Identity Request for the SUCI (TS 23.502 4.2.2.2.2 steps 6-7), then 5G AKA', async () => {
    const before = core.ledgers();
    const heard: string[] = [];
    const link: { conn?: UuConnection } = {};
    const side: UuUeSide = {
      onDownlinkNas: (n) => {
        const p = decodeNas(n);
        const name = p.kind === 'plain' ? p.message.name : 'protected';
        heard.push(name);
        if (name === 'Identity request') link.conn!.uplinkNas(encodeNasMessage(nasMessage('Identity response', { mobileIdentity: nullSchemeSuci(cfg.plmn, '0000000106') })));
        // TS 24.501 5.4.1.3.7 e: this UE does not take part in 5G AKA (#26): the AMF rejects and lets go
        if (name === 'Authentication request') link.conn!.uplinkNas(encodeNasMessage(nasMessage('Authentication failure', { fiveGmmCause: 26 })));
      },
      onDownlinkData: () => {},
      onRrcRelease: () => heard.push('RRC release'),
    };
    const guti: MobileIdentity = { type: '5g-guti', plmn: cfg.plmn, amfRegionId: 2, amfSetId: 1, amfPointer: 0, tmsi: 0x00fedcba };
    link.conn = gnb.connect(side, encodeNasMessage(nasMessage('Registration request', { registrationType: { followOnRequest: true, value: 1 }, ngKsi: { tsc: 0, ksi: 7 }, mobileIdentity: guti, ueSecurityCapability: { ea: 0xa0, ia: 0x20 } })), 'mo-Signalling');
    for (let i = 0; i < 200 && !heard.includes('RRC release'); i++) await sleep(10);
    expect(heard).toEqual(['Identity request', 'Authentication request', 'Authentication reject', 'RRC release']);
    await quiet();
    expect(core.ledgers()).toEqual(before);
  });

  it('SBI requests with bad JSON get 400 INVALID_MSG_FORMAT and the AMF keeps serving', async () => {
    const session = http2.connect(`http://${cfg.addresses.amf}:${cfg.ports.sbi}`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/namf-comm/v1/ue-contexts/imsi-001010000000105/n1-n2-messages', 'content-type': 'application/json' });
      let status = 0;
      let body = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
      req.end('{"n1MessageContainer": ');
    });
    session.close();
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, cause: 'INVALID_MSG_FORMAT' });
    const ue = ueFor('imsi-001010000000105');
    await ue.register(gnb);
    expect((await ue.establishPduSession(1)).address).toMatch(/^10\.45\./);
    await ue.deregister({ switchOff: true });
    await quiet();
  });
});
