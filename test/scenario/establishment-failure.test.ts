// Issue 23: a PDU Session Establishment that fails after the SMF's 201 (here: the PCF has no QoS
// to authorize for the DNN, TS 23.502 4.3.2.2.1 step 7b) reaches the UE as a PDU SESSION
// ESTABLISHMENT REJECT (#31) in step 11, the AMF forgets the session (SM context RELEASED), and a
// retry with the same PSI is not refused with #90 as a stale session would make it. Over sockets.

import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { PduSessionRejected } from '../../nodes/ue/ue.ts';

const SUPI = 'imsi-001010000000601';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(185, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

describe('establishment failure after the 201 (issue 23)', () => {
  it('the UE gets the Reject with #31, the AMF holds no session, the same PSI can be asked again; ledgers back', async () => {
    const before = net.ledgers();
    const rec = net.core.store.get(SUPI)!;
    net.core.store.upsert({ ...rec, sessionQos: [{ dnn: 'ims', fiveQi: 5, arpPriorityLevel: 1, ambrUplink: '1 Mbps', ambrDownlink: '1 Mbps' }] });
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    const first = await u.establishPduSession(1).then(() => undefined, (e: unknown) => e);
    expect(first).toBeInstanceOf(PduSessionRejected);
    expect((first as PduSessionRejected).fiveGsmCause).toBe(31);
    await net.quiet();
    expect(net.core.amf.bySupi.get(SUPI)?.sessions.size).toBe(0);
    const second = await u.establishPduSession(1).then(() => undefined, (e: unknown) => e);
    expect((second as PduSessionRejected).fiveGsmCause).toBe(31); // not #90 (payload not forwarded)
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});
