// Self time of a V8 CPU profile (`node --cpu-prof`) per layer of wire5g (issue 21: "measure where
// the CPU goes, per layer"). Functions are attributed by their script: node's own modules by
// name (http2, net/streams/timers/events), wire5g's sources by directory; a run of `wire5g` from
// its esbuild bundle is mapped back to the source files by the `// path/file.ts` line esbuild
// writes before each module. Usage: npx tsx tools/profile-layers.ts FILE.cpuprofile
// With `--functions [N]` it prints, after the layers, the N (default 40) functions with the most
// self time, each with its layer and source file (to see what inside a layer costs).

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

interface Sample {
  layer: string;
  fn: string;
  us: number;
}

function samplesOf(p: Profile): Sample[] {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const maps = new Map<string, ((line: number) => string) | undefined>();
  const out: Sample[] = [];
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    let layer: string;
    let src = url;
    if (functionName === '(garbage collector)') layer = 'garbage collection';
    else if (url === '') layer = 'native, unattributed';
    else {
      if (!maps.has(url)) maps.set(url, bundleMap(url));
      const root = '/work/';
      src = maps.get(url)?.(lineNumber) ?? url.replace(/^file:\/\/\/.*?\/(cli|nodes|codecs|transport|crypto)\//, '$1/').replace(root, '');
      layer = LAYERS.find(([, re]) => re.test(src))?.[0] ?? (src.includes('node_modules') ? 'other packages' : 'other');
    }
    out.push({ layer, fn: `${functionName || '(anonymous)'} ${src}`, us });
  }
  return out;
}

function shares(samples: Sample[], key: (s: Sample) => string): { key: string; ms: number; share: number }[] {
  const totals = new Map<string, number>();
  let all = 0;
  for (const s of samples) {
    all += s.us;
    totals.set(key(s), (totals.get(key(s)) ?? 0) + s.us);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ key: k, ms: us / 1000, share: us / all }));
}

export function layerShares(p: Profile): { layer: string; ms: number; share: number }[] {
  return shares(samplesOf(p), (s) => s.layer).map(({ key, ms, share }) => ({ layer: key, ms, share }));
}

/** Self time per function (name and source file), with the function's layer. */
export function functionShares(p: Profile): { fn: string; layer: string; ms: number; share: number }[] {
  const samples = samplesOf(p);
  const layerOf = new Map(samples.map((s) => [s.fn, s.layer]));
  return shares(samples, (s) => s.fn).map(({ key, ms, share }) => ({ fn: key, layer: layerOf.get(key)!, ms, share }));
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--functions');
  const count = at >= 0 && /^\d+$/.test(args[at + 1] ?? '') ? Number(args[at + 1]) : 40;
  const file = args.find((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1 && /^\d+$/.test(a)));
  if (!file) {
    console.error('usage: tsx tools/profile-layers.ts FILE.cpuprofile [--functions [N]]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const rows = layerShares(profile);
  const total = rows.reduce((n, r) => n + r.ms, 0);
  console.log(`| layer | ms | share |\n| --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.layer} | ${r.ms.toFixed(0)} | ${(100 * r.share).toFixed(1)}% |`);
  console.log(`| total (busy) | ${total.toFixed(0)} | 100% |`);
  if (at >= 0) {
    console.log(`\n| function (source) | layer | ms | share |\n| --- | --- | --- | --- |`);
    for (const r of functionShares(profile).slice(0, count)) {
      console.log(`| ${r.fn} | ${r.layer} | ${r.ms.toFixed(0)} | ${(100 * r.share).toFixed(1)}% |`);
    }
  }
}
