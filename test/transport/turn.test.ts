// transport/turn.ts: the writes every transport batches per turn of the event loop leave in the
// order in which the transports first wrote (the network-deregistration scenario checks the same
// on the wire: TS 23.502 4.2.2.3.3 step 2 over N2 before step 3 over SBI).
import { describe, it, expect } from 'vitest';
import { turnEnd, type TurnWriter } from '../../transport/turn.ts';

const writer = (name: string, log: string[], then?: () => void): TurnWriter => ({
  flushTurn() {
    log.push(name);
    then?.();
  },
});

describe('turnEnd', () => {
  it('flushes the writers of one turn in the order they queued, after the turn, in one Immediate', async () => {
    const log: string[] = [];
    turnEnd(writer('n2', log));
    turnEnd(writer('sbi', log));
    turnEnd(writer('n4', log));
    log.push('end of job');
    await new Promise<void>((r) => setImmediate(r));
    expect(log).toEqual(['end of job', 'n2', 'sbi', 'n4']);
  });

  it('a writer queued by a flush leaves in the same turn; one that throws does not hold back the others', async () => {
    const log: string[] = [];
    const failures: unknown[] = [];
    const onUncaught = (e: unknown) => failures.push(e);
    process.prependListener('uncaughtException', onUncaught);
    try {
      turnEnd({ flushTurn: () => { log.push('broken'); throw new Error('socket gone'); } });
      turnEnd(writer('a', log, () => turnEnd(writer('queued by a', log))));
      turnEnd(writer('b', log));
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(log).toEqual(['broken', 'a', 'b', 'queued by a']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['socket gone']);
  });
});
