// Wireshark as the independent judge: run tshark on a capture we wrote and return, per frame,
// the dissected fields (flattened `name -> values`) and every expert-info item. Golden tests
// assert field values and that no frame is malformed or carries an expert warning/error.

import { execFileSync, spawnSync } from 'node:child_process';

let available: boolean | undefined;

/** True when `tshark` runs. Under CI (`CI=true`) its absence is a failure, not a skip. */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    available = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!available) {
      if (process.env.CI === 'true') throw new Error('tshark is required under CI (apt-get install -y tshark)');
      console.warn('[tshark] tshark not found: the tshark golden tests are SKIPPED (install the Debian package tshark)');
    }
  }
  return available;
}

export interface ExpertItem {
  frame: number;
  severity: string; // 'chat' | 'note' | 'warning' | 'error' (as tshark prints them)
  group: string;
  message: string;
}

export interface DissectedFrame {
  frame: number;
  /** Protocols in the frame, e.g. ['raw','ip','udp','pfcp']. */
  protocols: string[];
  /** Every field name (e.g. 'pfcp.seid') with all its values in frame order, as strings. */
  fields: Map<string, string[]>;
  expert: ExpertItem[];
  malformed: boolean;
  /**
   * The fields of each message of one protocol in the frame, in frame order: a datagram may carry
   * several (PFCP messages bundled with the FO flag, TS 29.244 7.2.2.1), which `fields` runs together.
   */
  messages(protocol: string): Map<string, string[]>[];
}

export interface DissectOptions {
  /** `-d` decode-as rules, e.g. ['udp.port==9999,pfcp']. */
  decodeAs?: string[];
  /** `-o` preference overrides, e.g. ['nas-5gs.null_decipher:TRUE']. */
  prefs?: string[];
  /** Extra display filter applied to output (-Y). */
  filter?: string;
}

type JsonNode = string | number | null | JsonNode[] | { [k: string]: JsonNode };

function collect(node: JsonNode, fields: Map<string, string[]>, expert: ExpertItem[], frame: number, state: { malformed: boolean }): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) collect(n, fields, expert, frame, state);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const name = key.endsWith('_tree') ? key.slice(0, -5) : key;
    if (name === '_ws.malformed' || name.startsWith('_ws.malformed')) state.malformed = true;
    if (name === '_ws.expert' && value && typeof value === 'object' && !Array.isArray(value)) {
      const e = value as Record<string, JsonNode>;
      expert.push({
        frame,
        severity: String(e['_ws.expert.severity'] ?? ''),
        group: String(e['_ws.expert.group'] ?? ''),
        message: String(e['_ws.expert.message'] ?? ''),
      });
    }
    if (typeof value === 'string' || typeof value === 'number') {
      const list = fields.get(name);
      if (list) list.push(String(value));
      else fields.set(name, [String(value)]);
    } else if (value !== null) {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
        const list = fields.get(name) ?? [];
        for (const v of value) list.push(String(v));
        fields.set(name, list);
      } else {
        collect(value, fields, expert, frame, state);
      }
    }
  }
}

// tshark prints the numeric severity in -T json: 2097152 chat, 4194304 note, 6291456 warn, 8388608 error.
const SEVERITY_NAMES: Record<string, string> = {
  '1048576': 'comment',
  '2097152': 'chat',
  '4194304': 'note',
  '6291456': 'warning',
  '8388608': 'error',
};

/** Dissects a capture file with tshark and returns one entry per frame. */
export function dissect(file: string, opts: DissectOptions = {}): DissectedFrame[] {
  const args = ['-r', file, '-T', 'json', '--no-duplicate-keys', '-o', 'tcp.analyze_sequence_numbers:TRUE'];
  for (const d of opts.decodeAs ?? []) args.push('-d', d);
  for (const o of opts.prefs ?? []) args.push('-o', o);
  if (opts.filter) args.push('-Y', opts.filter);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const packets = JSON.parse(out) as { _source: { layers: Record<string, JsonNode> } }[];
  return packets.map((p, i) => {
    const layers = p._source.layers;
    const fields = new Map<string, string[]>();
    const expert: ExpertItem[] = [];
    const state = { malformed: false };
    const frameNo = Number((layers.frame as Record<string, JsonNode> | undefined)?.['frame.number'] ?? i + 1);
    collect(layers, fields, expert, frameNo, state);
    for (const e of expert) e.severity = SEVERITY_NAMES[e.severity] ?? e.severity;
    const protocols = String(fields.get('frame.protocols')?.[0] ?? '').split(':');
    const messages = (protocol: string): Map<string, string[]>[] => {
      // --no-duplicate-keys: a protocol layer that occurs more than once is an array of its trees
      const layer = layers[protocol];
      const trees = layer === undefined ? [] : Array.isArray(layer) ? layer : [layer];
      return trees.map((t) => {
        const m = new Map<string, string[]>();
        collect(t, m, [], frameNo, { malformed: false });
        return m;
      });
    };
    return { frame: frameNo, protocols, fields, expert, malformed: state.malformed || protocols.includes('_ws.malformed'), messages };
  });
}

/** Expert items of severity warning or error, and malformed frames, as readable strings. */
export function problems(frames: DissectedFrame[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    if (f.malformed) out.push(`frame ${f.frame}: malformed packet`);
    for (const e of f.expert) if (e.severity === 'warning' || e.severity === 'error') out.push(`frame ${f.frame}: ${e.severity}: ${e.message}`);
  }
  return out;
}

/** The single value of a field in a frame (throws if absent), for terse assertions. */
export function field(f: DissectedFrame, name: string, index = 0): string {
  const v = f.fields.get(name);
  if (!v || v.length <= index) throw new Error(`frame ${f.frame}: field ${name} absent (protocols ${f.protocols.join(':')})`);
  return v[index];
}
