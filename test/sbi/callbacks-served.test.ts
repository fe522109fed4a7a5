// Issue 23, callbacks that exist: every callback URI an NF of wire5g hands out (callbackUri(...,
// CALLBACKS.x) in a request body: notificationUri, callbackReference, deregCallbackUri,
// smContextStatusUri, notifUri, n1n2FailureTxfNotifURI, vsmfPduSessionUri, ...) has a route
// behind it (serve(CALLBACKS.x, ...)) in some NF. On commit 8c1eab1 eight were handed out without
// one (AMF x4, SMF x2, PCF, UDM); after the first fixes, the SMF's sm-policy update and SDM
// notifications and the UDM's data-change callback were still missing. A new callback handed out
// without a route fails here. The live answers of each are tested with the procedure they belong
// to (test/scenario/session-modification.test.ts, policy-update-notify.test.ts, ...).

import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CALLBACKS } from '../../nodes/common/sbi/operations.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === 'sbi-types' ? [] : sources(p)) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = sources('nodes').map((p) => ({ p, text: readFileSync(p, 'utf8') }));
const handedOut = new Map<string, string[]>();
const served = new Set<string>();
for (const { p, text } of files) {
  for (const m of text.matchAll(/callbackUri\([^()]*?CALLBACKS\.(\w+)/g)) handedOut.set(m[1], [...(handedOut.get(m[1]) ?? []), p]);
  for (const m of text.matchAll(/serve\(CALLBACKS\.(\w+)/g)) served.add(m[1]);
}

describe('every callback URI handed out is served (issue 23)', () => {
  it('finds the URIs handed out (the scan works)', () => {
    expect(handedOut.size).toBeGreaterThanOrEqual(12);
    for (const name of ['smPolicyUpdateNotify', 'smfSdmModificationNotify', 'subscriptionDataChangeNotify', 'amPolicyUpdateNotify', 'deregistrationNotify']) expect(handedOut.has(name), name).toBe(true);
  });
  it('each has a route in some NF', () => {
    const missing = [...handedOut].filter(([name]) => !served.has(name)).map(([name, where]) => `${name} (handed out in ${where.join(', ')})`);
    expect(missing).toEqual([]);
  });
  it('each names an operation of the CALLBACKS table', () => {
    expect([...handedOut.keys()].filter((n) => !(n in CALLBACKS))).toEqual([]);
  });
});
