// vitest setup (vitest.config.ts): every SBI exchange our NFs' typed consumers make during a test
// (nodes/common/sbi/client.ts publishes them on `wire5g:sbi-exchange`) is checked against the
// Release 18 OpenAPI schemas once the test is over; a violation fails the test with the
// operation and the JSON path. Bodies are recorded as JSON when the exchange completes (later
// changes to the objects do not count) and validated after the test, so loading and compiling
// the schemas never delays the NFs' timers.

import { afterEach } from 'vitest';
import { subscribe } from 'node:diagnostics_channel';
import { SbiMultipart } from '../../nodes/common/sbi.ts';
import type { SbiExchange } from '../../nodes/common/sbi/client.ts';
import type { SbiOperation } from '../../nodes/common/sbi/operation.ts';
import { validateExchange, formatViolation } from './sbi-schema.ts';

interface Recorded {
  op: SbiOperation;
  request?: { multipart: boolean; json: string };
  status: number;
  response?: { multipart: boolean; json: string };
}

// vitest runs this file before every test file; where test files share a process (isolate: false in
// vitest.config.ts) it runs again in the same process: one subscriber and one list for all of them
const shared = globalThis as typeof globalThis & { wire5gSbiExchanges?: Recorded[] };
const fresh = shared.wire5gSbiExchanges === undefined;
const recorded: Recorded[] = (shared.wire5gSbiExchanges ??= []);

const snapshot = (body: unknown) => (body === undefined ? undefined : body instanceof SbiMultipart ? { multipart: true, json: JSON.stringify(body.json ?? null) } : { multipart: false, json: JSON.stringify(body) });
const revive = (r: Recorded['request']) => (r === undefined ? undefined : r.multipart ? new SbiMultipart(JSON.parse(r.json), {}) : JSON.parse(r.json));

if (fresh) {
  subscribe('wire5g:sbi-exchange', (m) => {
    const e = m as SbiExchange;
    const request = snapshot(e.requestBody), response = snapshot(e.responseBody);
    recorded.push({ op: e.op, status: e.status, ...(request ? { request } : {}), ...(response ? { response } : {}) });
  });
}

afterEach(() => {
  if (!recorded.length) return;
  const exchanges = recorded.splice(0);
  const seen = new Map<string, number>();
  for (const r of exchanges) {
    for (const v of validateExchange(r.op, revive(r.request), r.status, revive(r.response))) {
      const line = formatViolation(v);
      seen.set(line, (seen.get(line) ?? 0) + 1);
    }
  }
  if (seen.size) {
    const lines = [...seen].map(([l, n]) => (n > 1 ? `${l} (x${n})` : l));
    throw new Error(`SBI bodies that do not match the 3GPP Rel-18 OpenAPI schemas (spec/openapi-rel18):\n  ${lines.slice(0, 30).join('\n  ')}`);
  }
});
