// A recording stand-in for the AMF's Nsmf_PDUSession client (nodes/amf/sm-context-order.ts and
// the procedures that use it): each request is recorded and stays unanswered until the test
// answers it, so the order under test is the AMF's, not the machine's timing. No sockets.
import { expect } from 'vitest';
import type { Amf } from '../../nodes/amf/amf.ts';

export interface NsmfCall {
  op: 'create' | 'update' | 'release';
  /** The SM context URI asked for ('' for a creation). */
  uri: string;
  /** The request's body (the SmContextUpdateData of an update). */
  body: unknown;
  answer: (status: number, location?: string) => void;
}

export function fakeAmf(): { amf: Amf; calls: NsmfCall[]; logs: string[] } {
  const calls: NsmfCall[] = [];
  const logs: string[] = [];
  const send = (op: NsmfCall['op']) => (...args: unknown[]) => new Promise((resolve) => {
    calls.push({ op, uri: op === 'create' ? '' : String(args[0]), body: op === 'create' ? args[0] : args[1], answer: (status, location) => resolve({ status, headers: location ? { location } : {}, body: undefined }) });
  });
  const amf = {
    nsmf: { pduSession: { createSmContext: send('create'), updateSmContext: send('update'), releaseSmContext: send('release') } },
    stats: { updatesNotSentAfterRelease: 0 },
    log: (line: string) => logs.push(line),
  } as unknown as Amf;
  return { amf, calls, logs };
}

export const tick = () => new Promise((r) => setImmediate(r));

/**
 * The order the tests of what waits for a CreateSMContext check: only the creation is on its way
 * (what waits for it is not sent yet); its 201 names `uri`; the waiting operation (`next`, an
 * Update by default) then goes to `uri` and is answered `status`. Returns that operation's call.
 */
export async function answerCreationThen(calls: NsmfCall[], created: Promise<unknown>, uri: string, next: NsmfCall['op'] = 'update', status = 200): Promise<NsmfCall> {
  expect(calls.map((c) => c.op)).toEqual(['create']);
  calls[0].answer(201, uri);
  await created;
  await tick();
  expect(calls.map((c) => c.op)).toEqual(['create', next]);
  expect(calls[1].uri).toBe(uri);
  calls[1].answer(status);
  return calls[1];
}
