// Issue 21: an Nsmf_PDUSession_ReleaseSMContext could overtake an UpdateSMContext in flight for
// the same PDU session (a switch off arriving while 4.3.2.2.1 step 15 was on its way), so the SMF
// modified an N4 session it was deleting and then saw an Update for a context it had released.
// The AMF now sends a session's SM context operations one at a time (nodes/amf/sm-context-order.ts).
// Judged here against a recording stand-in for the SMF's client whose answers the test releases
// one by one, so the order is the AMF's, not the machine's timing; no sockets.
import { describe, it, expect } from 'vitest';
import { createSmContext, updateSmContext, releaseSmContext } from '../../nodes/amf/sm-context-order.ts';
import type { Amf } from '../../nodes/amf/amf.ts';
import type { PduSessionRef } from '../../nodes/amf/context.ts';
import { fakeAmf, tick, answerCreationThen } from './fake-nsmf.ts';

const session = (): PduSessionRef => ({ pduSessionId: 1, snssai: { sst: 1 }, dnn: 'internet', state: 'creating' });
const URI = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/7';

describe('SM context operations of one PDU session are sent one at a time (issue 21)', () => {
  it('a release decided while an Update is in flight is sent only after its answer, and no Update not yet sent follows it', async () => {
    const { amf, calls } = fakeAmf();
    const s = { ...session(), smContextUri: URI, state: 'active' as const };
    const update = updateSmContext(amf, s, { n2SmInfoType: 'PDU_RES_SETUP_RSP' });
    await tick(); // the Update is on its way
    const release = releaseSmContext(amf, s, {});
    const late = updateSmContext(amf, s, { upCnxState: 'DEACTIVATED' });
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['update']); // the release waits
    calls[0].answer(200);
    await update;
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['update', 'release']);
    expect(calls[1].uri).toBe(URI);
    calls[1].answer(204);
    await release;
    expect(await late).toBeUndefined(); // never sent
    expect(await updateSmContext(amf, s, { upCnxState: 'ACTIVATING' })).toBeUndefined();
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['update', 'release']);
    expect(amf.stats.updatesNotSentAfterRelease).toBe(2);
    // an Update decided before the release but still waiting for its turn is not sent either
    const t = { ...session(), smContextUri: URI, state: 'active' as const };
    const first = updateSmContext(amf, t, {});
    const waiting = updateSmContext(amf, t, {});
    await tick();
    void releaseSmContext(amf, t, {});
    calls[2].answer(200);
    await first;
    expect(await waiting).toBeUndefined();
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['update', 'release', 'update', 'release']);
    calls[3].answer(204);
    calls.length = 2;
    // a second release is the first one, not a second request
    expect(await releaseSmContext(amf, s, {})).toEqual(await release);
    expect(calls).toHaveLength(2);
  });

  it('a release decided while CreateSMContext is in flight is sent to the SM context the creation answered', async () => {
    const { amf, calls } = fakeAmf();
    const s = session();
    const create = createSmContext(amf, s, { pduSessionId: 1 } as never);
    const release = releaseSmContext(amf, s, {});
    await tick();
    await answerCreationThen(calls, create, URI, 'release', 204);
    expect((await release)?.status).toBe(204);
  });

  it('a failed Update does not stop the chain, and a session with nothing queued drops its chain', async () => {
    const { amf, calls } = fakeAmf();
    const s = { ...session(), smContextUri: URI, state: 'active' as const };
    const amfFailing = { ...amf, nsmf: { pduSession: { ...amf.nsmf.pduSession, updateSmContext: () => Promise.reject(new Error('no answer')) } } } as unknown as Amf;
    await expect(updateSmContext(amfFailing, s, {})).rejects.toThrow('no answer');
    await tick();
    expect(s.smOrder).toBeUndefined();
    const release = releaseSmContext(amf, s, {});
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['release']);
    calls[0].answer(204);
    await release;
    expect(s.smOrder?.release).toBeDefined(); // the mark stays with the released session
  });
});
