// A recording stand-in for the AMF's Nsmf_PDUSession client (nodes/amf/sm-context-order.ts and
// the procedures that use it): each request is recorded and stays unanswered until the test
// answers it, so the order under test is the AMF's, not the machine's timing. No sockets.
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
