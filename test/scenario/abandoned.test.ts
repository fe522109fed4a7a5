// Procedures the UE abandons: the AMF's guard timers (T3560, here shortened) run out, the
// procedure is aborted, and everything it had established elsewhere is undone (TS 24.501
// 5.4.1.3.7 f: after the fifth expiry of T3560 the AMF aborts the authentication and releases
// the NAS signalling connection).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { UuUeSide } from '../../nodes/gnb/uu.ts';
import { encodeNasMessage, nasMessage, decodeNas, nullSchemeSuci } from '../../codecs/nas/index.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';

let net: TestNetwork;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  net = await startTestNetwork(10, [DEFAULT_SUBSCRIBER.supi], { amfTimers: { t3560Ms: 60, t3550Ms: 60, ngapAnswerMs: 500 } });
});

afterAll(async () => {
  await net?.stop();
});

describe('a UE that stops answering', () => {
  it('after its Registration Request: five Authentication Requests (T3560), then the AMF lets go and the AUSF context goes too', async () => {
    const { cfg, gnb } = net;
    const before = net.ledgers();
    const heard: string[] = [];
    const silent: UuUeSide = {
      onDownlinkNas: (n) => {
        const p = decodeNas(n);
        heard.push(p.kind === 'plain' ? p.message.name : 'protected');
      },
      onDownlinkData: () => {},
      onRrcRelease: () => heard.push('RRC release'),
    };
    gnb.connect(silent, encodeNasMessage(nasMessage('Registration request', { registrationType: { followOnRequest: true, value: 1 }, ngKsi: { tsc: 0, ksi: 7 }, mobileIdentity: nullSchemeSuci(cfg.plmn, '0000000001'), ueSecurityCapability: { ea: 0xa0, ia: 0x20 } })), 'mo-Signalling');
    for (let i = 0; i < 300 && !heard.includes('RRC release'); i++) await sleep(10);
    expect(heard).toEqual([...Array(5).fill('Authentication request'), 'RRC release']);
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});
