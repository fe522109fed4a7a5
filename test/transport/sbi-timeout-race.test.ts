// An answer that is already in the socket when the request's timer fires is the answer, not a
// time-out (issue 21: a 100,000-UE run on a busy machine left 14,519 SM policy associations at the
// PCF, created and answered while the SMF's event loop was too busy to read the answer before its
// timer cancelled the stream). The producer is node:http2 in another process; the consumer's event
// loop is held busy until the producer says its answer was written, and past the time-out, so
// when the loop turns the timer and the answer are both due. No wall-clock race is assumed.

import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Http2SbiClient } from '../../transport/sbi/client.ts';

const dir = mkdtempSync(join(tmpdir(), 'wire5g-sbi-race-'));
const written = join(dir, 'written');
const PRODUCER = `
const http2 = require('node:http2');
const fs = require('node:fs');
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const post = headers[':method'] === 'POST';
  stream.respond({ ':status': 201, 'content-type': 'application/json', location: 'http://127.0.0.1/x/1' });
  stream.end(JSON.stringify({ created: 1 }), () => post && setTimeout(() => fs.writeFileSync(process.argv[1], 'yes'), 20));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const child = spawn(process.execPath, ['-e', PRODUCER, written], { stdio: ['ignore', 'pipe', 'inherit'] });
afterAll(() => void child.kill());

describe('SBI client time-out', () => {
  it('an answer waiting in the socket when the timer fires is delivered, not cancelled', async () => {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const client = new Http2SbiClient({ userAgent: 'test', timeoutMs: 200 });
    try {
      // the connection is up first, so only the request below is timed
      await client.call('GET', `http://127.0.0.1:${port}/warm-up`);
      const answer = client.call('POST', `http://127.0.0.1:${port}/x`, { a: 1 });
      await new Promise((r) => setImmediate(r)); // the request leaves
      const t0 = Date.now();
      // the consumer is busy: until the producer has written its answer, and beyond the time-out
      while (!existsSync(written) || Date.now() - t0 < 400) { /* busy */ }
      const r = await answer;
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ created: 1 });
      expect(client.stats.timeouts).toBe(0);
    } finally {
      await client.close();
    }
  });
});
