// Namf_Communication_N1N2MessageTransfer refused with 409 (TS 29.518 5.2.2.3.1, 6.1.3.5.3.1): the
// body is an N1N2MessageTransferError whose ProblemDetails is in `error` (application/json), not a
// bare ProblemDetails. Judged by the Release 18 OpenAPI schema (Ajv, test/helpers/sbi-schema-setup.ts,
// which checks every exchange of the SMF's typed client after the test) and by the cause the
// SMF's client reads from it (nodes/common/sbi/client.ts SbiErrorReply).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { sbiUri } from '../../nodes/core.ts';
import { SbiErrorReply } from '../../nodes/common/sbi/client.ts';

const SUPI = 'imsi-001010000000071';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(171, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

describe('N1N2MessageTransfer for a PDU session the AMF is not establishing', () => {
  it('409 with N1N2MessageTransferError { error: UE_IN_NON_ALLOWED_STATE }; the SMF reads the cause', async () => {
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    const uri = `${sbiUri(net.cfg, 'amf')}/namf-comm/v1/ue-contexts/${SUPI}`;
    const refused = await net.core.smf.namf.communication.n1n2MessageTransfer(uri, { pduSessionId: 7 }).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(SbiErrorReply);
    const e = refused as SbiErrorReply;
    expect(e.problem).toMatchObject({ status: 409, cause: 'UE_IN_NON_ALLOWED_STATE' });
    expect(e.reply.headers['content-type']).toBe('application/json');
    expect(e.reply.body).toMatchObject({ error: { status: 409, cause: 'UE_IN_NON_ALLOWED_STATE' } });
    expect(await u.deregister({ switchOff: true })).toBe('switched-off');
  });
});
