// An answer that is already in the socket when the request's timer fires is the answer, not a
// time-out (issue 21: a 100,000-UE run on a busy machine left 14,519 SM policy associations at the
// PCF, created and answered while the SMF's event loop was too busy to read the answer before its
// timer cancelled the stream). The producer is node:http2 in another process; the consumer's event
// loop is held busy until the producer says its answer was written; then, in the same turn, the
// client's clock (a VirtualClock) passes the time-out, so when the loop turns the timer has fired
// and the answer waits unread in the socket. No wall-clock race is assumed: the producer holds its
// answer until the consumer says it is busy (a file), so the request has left whatever HTTP/2 the
// client runs on (node:http2 writes at once, the own one at the next turn) and the answer cannot be
// read before the busy stretch. Each wait is bounded: the test fails, never hangs.

import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { VirtualClock } from '../../transport/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'wire5g-sbi-race-'));
const received = join(dir, 'received'); // the producer has the POST
const busy = join(dir, 'busy'); // the consumer's event loop is about to be held
const written = join(dir, 'written'); // the producer's answer is in the socket
const PRODUCER = `
const http2 = require('node:http2');
const fs = require('node:fs');
const [received, busy, written] = process.argv.slice(1);
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const answer = () => {
    stream.respond({ ':status': 201, 'content-type': 'application/json', location: 'http://127.0.0.1/x/1' });
    stream.end(JSON.stringify({ created: 1 }), () => headers[':method'] === 'POST' && setTimeout(() => fs.writeFileSync(written, 'yes'), 20));
  };
  if (headers[':method'] !== 'POST') return answer();
  fs.writeFileSync(received, 'yes');
  const wait = setInterval(() => { if (fs.existsSync(busy)) { clearInterval(wait); answer(); } }, 2);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const child = spawn(process.execPath, ['-e', PRODUCER, received, busy, written], { stdio: ['ignore', 'pipe', 'inherit'] });
const LIMIT_MS = 30_000; // far beyond a busy machine's delays: reaching it is a failure, not a hang

async function until(file: string): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 > LIMIT_MS) throw new Error(`${file} not written within ${LIMIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
afterAll(() => void child.kill());

describe('SBI client time-out', () => {
  it('an answer waiting in the socket when the timer fires is delivered, not cancelled', async () => {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const clock = new VirtualClock();
    const client = new Http2SbiClient({ userAgent: 'test', timeoutMs: 200, clock });
    try {
      // the connection is up first, so only the request below is timed
      await client.call('GET', `http://127.0.0.1:${port}/warm-up`);
      const answer = client.call('POST', `http://127.0.0.1:${port}/x`, { a: 1 });
      await until(received); // the request has left and reached the producer, not yet answered
      writeFileSync(busy, 'yes');
      const t0 = Date.now();
      // the consumer is busy until the producer has written its answer, then its time-out passes
      while (!existsSync(written)) {
        if (Date.now() - t0 > LIMIT_MS) throw new Error(`the producer's answer not written within ${LIMIT_MS} ms`);
      }
      clock.advance(200);
      const r = await answer;
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ created: 1 });
      expect(client.stats.timeouts).toBe(0);
    } finally {
      await client.close();
    }
  });
});
