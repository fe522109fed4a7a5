// Where the allocation churn comes from (issue 21 goal 3: garbage collection is the largest CPU
// share). Runs a wire5g command in this process under V8's sampling heap profiler with the objects
// collected by scavenges and mark-compacts kept in the profile (`--heap-prof` keeps only what is
// alive at the end, which is not the churn), then prints the bytes allocated per function (self)
// and per first wire5g frame on the stack (what in wire5g caused the allocation, node's internals
// included).
// Usage: npx tsx tools/alloc-profile.ts [--interval BYTES] [--top N] [--out FILE] -- <wire5g args>
// e.g. npx tsx tools/alloc-profile.ts -- run --config NET --ues 2000 --parallel 200 --pings 1 --no-capture --quiet

import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const root = join(fileURLToPath(import.meta.url), '..', '..');

/** A source URL as a path inside the checkout, or node's module id, or '' (native). */
function where(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url).replace(`${root}/`, '');
  return url;
}

function own(url: string): boolean {
  const w = where(url);
  return w !== '' && !w.startsWith('node:') && !w.includes('node_modules') && !w.startsWith('/');
}

/** Bytes per self function and per first wire5g frame (innermost) on the stack. */
export function allocations(head: HeapNode): { self: Map<string, number>; owner: Map<string, number>; total: number } {
  const self = new Map<string, number>();
  const owner = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode, ownFrame: string | undefined): void => {
    const { functionName, url, lineNumber } = n.callFrame;
    const name = `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    const mine = own(url) ? name : ownFrame;
    if (n.selfSize > 0) {
      total += n.selfSize;
      self.set(name, (self.get(name) ?? 0) + n.selfSize);
      const o = mine ?? '(no wire5g frame)';
      owner.set(o, (owner.get(o) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, mine);
  };
  walk(head, undefined);
  return { self, owner, total };
}

function table(title: string, m: Map<string, number>, total: number, top: number): string {
  const rows = [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = rows.map(([k, b]) => `| ${k} | ${(b / 1048576).toFixed(1)} | ${((100 * b) / total).toFixed(1)}% |`);
  return [`| ${title} | MiB | share |`, '| --- | --- | --- |', ...lines].join('\n');
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r as T))));
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dash = args.indexOf('--');
  const mine = dash >= 0 ? args.slice(0, dash) : args;
  const opt = (flag: string, dflt: string): string => (mine.includes(flag) ? mine[mine.indexOf(flag) + 1] : dflt);
  const interval = Number(opt('--interval', '16384'));
  const top = Number(opt('--top', '40'));
  const out = opt('--out', '');
  const session = new Session();
  session.connect();
  await post(session, 'HeapProfiler.enable');
  await post(session, 'HeapProfiler.startSampling', {
    samplingInterval: interval,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.argv = [process.argv[0], join(root, 'bin', 'wire5g.js'), ...(dash >= 0 ? args.slice(dash + 1) : [])];
  let done = false;
  process.on('beforeExit', () => {
    if (done) return;
    done = true;
    // the in-thread session answers synchronously, so this completes before the process exits
    session.post('HeapProfiler.stopSampling', (e, r) => {
      if (e) throw e;
      const { profile } = r as { profile: { head: HeapNode } };
      if (out) writeFileSync(out, JSON.stringify(profile));
      const { self, owner, total } = allocations(profile.head);
      process.stderr.write(`sampled allocations: ${(total / 1048576).toFixed(1)} MiB (interval ${interval} B)\n\n`);
      process.stderr.write(`${table('allocating function (self)', self, total, top)}\n\n`);
      process.stderr.write(`${table('innermost wire5g frame', owner, total, top)}\n`);
      session.disconnect();
    });
  });
  await import(join(root, 'cli', 'main.ts'));
}
