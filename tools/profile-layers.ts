// Self time of a V8 CPU profile (`node --cpu-prof`) per layer of wire5g (issue 21: "measure where
// the CPU goes, per layer"). Functions are attributed by their script: node's own modules by
// name (http2, net/streams/timers/events), wire5g's sources by directory; a run of `wire5g` from
// its esbuild bundle is mapped back to the source files by the `// path/file.ts` line esbuild
// writes before each module. Usage: npx tsx tools/profile-layers.ts FILE.cpuprofile

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First matching rule names the layer; checked against the source path or node's module id. */
const LAYERS: [string, RegExp][] = [
  ['node:http2 internals', /^node:internal\/http2|^node:http2/],
  ['wire5g HTTP/2 (transport/sbi/h2, codecs/http2)', /transport\/sbi\/h2\/|codecs\/http2\//],
  ['our SBI layer (transport/sbi, nodes/common/sbi*)', /transport\/sbi\/|nodes\/common\/sbi/],
  ["node's net, streams, timers, events", /^node:(internal\/)?(net|stream|streams|timers|events|internal\/stream_base_commons|internal\/async_hooks|internal\/process\/task_queues)/],
  ['SQLite (UDR)', /better-sqlite3|nodes\/udr\/store/],
  ['crypto (Milenage, KDFs, NIA2, SUCI)', /^crypto\/|\/crypto\/|node:internal\/crypto|@noble/],
  ['NGAP/APER codec', /codecs\/ngap|codecs\/per|codecs\/asn1/],
  ['NAS codec', /codecs\/nas/],
  ['PFCP', /codecs\/pfcp|transport\/pfcp|nodes\/upf\/pfcp/],
  ['SCTP shim', /transport\/sctp/],
  ['other codecs', /^codecs\//],
  ['NF logic (nodes/)', /^nodes\//],
  ['other wire5g (transport, cli)', /^(transport|cli)\//],
  ['other node internals', /^node:/],
];

function bundleMap(url: string): ((line: number) => string) | undefined {
  if (!url.endsWith('.mjs')) return undefined;
  let text: string;
  try {
    text = readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
  const marks: [number, string][] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:cli|nodes|codecs|transport|crypto|types|spec)\/\S+\.ts)$/.exec(l) ?? /^\/\/ node_modules\/(\S+)$/.exec(l);
    if (m) marks.push([i, m[1]]);
  });
  return (line: number) => {
    let lo = 0, hi = marks.length - 1, found = 'bundle';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

export function layerShares(p: Profile): { layer: string; ms: number; share: number }[] {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const maps = new Map<string, ((line: number) => string) | undefined>();
  const totals = new Map<string, number>();
  let all = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    all += us;
    let layer: string;
    if (functionName === '(garbage collector)') layer = 'garbage collection';
    else if (url === '') layer = 'native, unattributed';
    else {
      if (!maps.has(url)) maps.set(url, bundleMap(url));
      const root = '/work/';
      const src = maps.get(url)?.(lineNumber) ?? url.replace(/^file:\/\/\/.*?\/(cli|nodes|codecs|transport|crypto)\//, '$1/').replace(root, '');
      layer = LAYERS.find(([, re]) => re.test(src))?.[0] ?? (src.includes('node_modules') ? 'other packages' : 'other');
    }
    totals.set(layer, (totals.get(layer) ?? 0) + us);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([layer, us]) => ({ layer, ms: us / 1000, share: us / all }));
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx tools/profile-layers.ts FILE.cpuprofile');
    process.exit(2);
  }
  const rows = layerShares(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const total = rows.reduce((n, r) => n + r.ms, 0);
  console.log(`| layer | ms | share |\n| --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.layer} | ${r.ms.toFixed(0)} | ${(100 * r.share).toFixed(1)}% |`);
  console.log(`| total (busy) | ${total.toFixed(0)} | 100% |`);
}
