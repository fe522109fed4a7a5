// How `wire5g decode` prints what cli/decode.ts found: exactly one text line, or one JSON object,
// per captured frame. A frame carries zero or more protocol messages (an NGAP message and the
// NAS inside it, several HTTP/2 frames in one TCP segment), an error, or the reason it was
// ignored; all of them go on the frame's line, in the order found. Nothing is dropped.

import type { JsonValue } from '../codecs/bytes/json.ts';
import type { DecodedRecord } from './decode.ts';
import { describeMessage } from '../codecs/capture/describe.ts';

/** Everything decoded from one frame. */
export interface FrameReport {
  frame: number;
  time: number;
  src?: string;
  dst?: string;
  /** The records of the frame without frame/time/addresses, in the order they were found. */
  messages: Omit<DecodedRecord, 'frame' | 'time' | 'src' | 'dst'>[];
}

/** Groups the records of decodeCapture (which come in frame order) into one report per frame. */
export function* framesOf(records: Iterable<DecodedRecord>): Generator<FrameReport> {
  let cur: FrameReport | undefined;
  for (const rec of records) {
    const { frame, time, src, dst, ...rest } = rec;
    if (!cur || cur.frame !== frame || frame === 0) {
      if (cur) yield cur;
      cur = { frame, time, ...(src !== undefined ? { src } : {}), ...(dst !== undefined ? { dst } : {}), messages: [] };
    }
    cur.messages.push(rest);
  }
  if (cur) yield cur;
}

const LABELS: Record<string, string> = { ngap: 'NGAP', 'nas-5gs': 'NAS', pfcp: 'PFCP', gtpu: 'GTP-U', http2: 'HTTP/2', sctp: 'SCTP', tcp: 'TCP', ip: 'IP', pcap: 'pcap' };

function label(protocol: string | null): string {
  return protocol === null ? '' : (LABELS[protocol] ?? protocol);
}

function errorText(e: JsonValue): string {
  if (e && typeof e === 'object' && !Array.isArray(e)) {
    const o = e as Record<string, JsonValue>;
    const where = o.offset !== undefined ? ` at offset ${String(o.offset)}${o.path ? ` (${String(o.path)})` : ''}` : '';
    return `${o.code !== undefined ? String(o.code) : 'error'}${where}: ${String(o.reason ?? '')}`;
  }
  return String(e);
}

/** One part of a frame's line: "NGAP InitialUEMessage", "NAS ERROR ...", "ignored: why". */
export function partText(m: FrameReport['messages'][number]): string {
  const head = label(m.protocol);
  const parts: string[] = [];
  if (m.message !== undefined) {
    const detail = describeMessage(m.protocol ?? '', m.message, m.fields ?? null);
    parts.push(`${head} ${m.message}${detail ? ` (${detail})` : ''}`);
  }
  if (m.error !== undefined) parts.push(`${head ? `${head} ` : ''}ERROR ${errorText(m.error)}`);
  if (m.ignored !== undefined) parts.push(`${head ? `${head} ` : ''}ignored: ${m.ignored}`);
  // what the decoder accepted although the sender should not have sent it, with its offset
  for (const w of m.warnings ?? []) parts.push(`${head ? `${head} ` : ''}WARNING ${errorText(w)}`);
  // Anything else a record carries is printed, never dropped.
  for (const [k, v] of Object.entries(m)) {
    if (k === 'protocol' || k === 'message' || k === 'fields' || k === 'error' || k === 'warnings' || k === 'ignored' || v === undefined) continue;
    parts.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ');
}

/** The frame's one text line. */
export function frameLine(f: FrameReport): string {
  const where = f.src !== undefined ? `${f.src.padEnd(21)} -> ${(f.dst ?? '').padEnd(21)} ` : `${''.padEnd(46)}`;
  return `${String(f.frame).padStart(5)}  ${where} ${f.messages.map(partText).join(' | ')}`;
}

/** The frame's one JSON object. */
export function frameJson(f: FrameReport): string {
  return JSON.stringify(f);
}
