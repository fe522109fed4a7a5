// A response the consumer never received (its request timed out and it reset the stream, RFC 9113
// 6.4) must not leave state behind at the producer: a 201's `undelivered` task undoes the creation,
// and a response's `after` task (work the spec orders after the answer, e.g. a release's clean-up)
// still runs. Judged over node:http2 (nghttp2) on a real loopback connection; no timing is assumed:
// the handler is held until the client has given up.
import { describe, it, expect, afterEach } from 'vitest';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient, SbiTimeoutError } from '../../transport/sbi/client.ts';
import { created, noContent, type SbiRoute } from '../../transport/sbi/api.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Until the server has read the consumer's RST_STREAM (no fixed delay: event-loop turns). */
async function resetSeen(server: SbiServer): Promise<void> {
  while (server.stats.cancelled === 0) await new Promise((r) => setImmediate(r));
}

async function setup(hold: Promise<void>) {
  const things = new Set<string>();
  const events: string[] = [];
  let next = 1;
  const routes: SbiRoute[] = [
    {
      method: 'POST', path: '/nudr-dr/v1/things', operation: 'Create',
      handler: async () => {
        const id = String(next++);
        things.add(id);
        await hold;
        return { ...created(`http://127.0.26.30/nudr-dr/v1/things/${id}`, { id }), after: async () => void events.push(`after ${id}`), undelivered: () => void (things.delete(id), events.push(`undelivered ${id}`)) };
      },
    },
    {
      method: 'POST', path: '/nudr-dr/v1/things/{id}/release', operation: 'Release',
      handler: async (req) => {
        await hold;
        return { ...noContent, after: async () => void (things.delete(req.params.id), events.push(`released ${req.params.id}`)) };
      },
    },
  ];
  const logs: string[] = [];
  const server = await SbiServer.listen({ address: '127.0.26.30', port: 0, routes, nfType: 'UDR', log: (l) => logs.push(l) });
  const client = new Http2SbiClient({ userAgent: 'AMF', localAddress: '127.0.26.31' });
  open.push(client, server);
  return { server, client, things, events, logs };
}

describe('SBI responses that were never delivered (issue 21)', () => {
  it('a 201 delivered keeps its resource and runs its after task, not the undo', async () => {
    const { server, client, things, events } = await setup(Promise.resolve());
    const r = await client.call<{ id: string }>('POST', `${server.uri}/nudr-dr/v1/things`, {});
    expect(r.status).toBe(201);
    await server.settled();
    expect([...things]).toEqual([r.body.id]);
    expect(events).toEqual([`after ${r.body.id}`]);
    expect(server.stats.undelivered).toBe(0);
  });

  it('a 201 whose request timed out at the consumer is undone (the resource does not leak)', async () => {
    const hold = deferred();
    const { server, client, things, events, logs } = await setup(hold.promise);
    await expect(client.call('POST', `${server.uri}/nudr-dr/v1/things`, {}, { timeoutMs: 50 })).rejects.toBeInstanceOf(SbiTimeoutError);
    expect(things.size).toBe(1); // created, the answer not yet sent
    await resetSeen(server);
    hold.resolve();
    await server.settled();
    expect(things.size).toBe(0);
    expect(events).toEqual(['undelivered 1']);
    expect(server.stats.undelivered).toBe(1);
    expect(logs.join('\n')).toMatch(/not delivered/);
  });

  it("an after task runs although the consumer gave up on the answer (a release's clean-up is due either way)", async () => {
    const hold = deferred();
    const { server, client, things, events } = await setup(hold.promise);
    things.add('7');
    await expect(client.call('POST', `${server.uri}/nudr-dr/v1/things/7/release`, {}, { timeoutMs: 50 })).rejects.toBeInstanceOf(SbiTimeoutError);
    await resetSeen(server);
    hold.resolve();
    await server.settled();
    expect(events).toEqual(['released 7']);
    expect(things.size).toBe(0);
  });

  it('an after task that throws at once is not counted: settled() still resolves', async () => {
    // node:http2 closes the stream on a later tick, so the throw reaches uncaughtException (as before the
    // server's counts: its after tasks were a Set of promises, and one never made was never waited for)
    const failures: unknown[] = [];
    const onUncaught = (e: unknown) => failures.push(e);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const routes: SbiRoute[] = [{
        method: 'POST', path: '/nudr-dr/v1/things', operation: 'Create',
        handler: async () => ({ ...created('http://127.0.26.30/nudr-dr/v1/things/1', { id: '1' }), after: () => { throw new Error('after failed at once'); }, undelivered: () => undefined }),
      }];
      const server = await SbiServer.listen({ address: '127.0.26.30', port: 0, routes, nfType: 'UDR', http2: 'node' });
      const client = new Http2SbiClient({ userAgent: 'AMF', localAddress: '127.0.26.31' });
      open.push(client, server);
      expect((await client.call('POST', `${server.uri}/nudr-dr/v1/things`, {})).status).toBe(201);
      while (failures.length === 0) await new Promise((r) => setImmediate(r));
      await server.settled();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(failures.map((e) => (e as Error).message)).toEqual(['after failed at once']);
  });
});
