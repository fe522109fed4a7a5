// `wire5g decode FILE... [--json]`: every 5G message in a pcap/pcapng capture, ours or anyone's.
// decodeCapture yields one record per protocol message: frame (1-based, as Wireshark numbers),
// time, addresses, protocol, message (the spec's name) and the decoded fields; the command prints
// them grouped per frame (cli/decode-format.ts): one line, or one JSON object, for every frame. A frame that cannot be decoded is
// reported with its error; a frame that carries no protocol wire5g knows is reported as ignored,
// with the reason. Nothing is skipped silently.

import { readCaptureFile, type CaptureFrame } from '../codecs/capture/files.ts';
import { ipPacketOf, transportSegmentOf, type TransportSegment } from '../codecs/capture/layers.ts';
import { DecodeError } from '../codecs/bytes/errors.ts';
import type { DissectedMessage, JsonValue } from '../codecs/bytes/json.ts';
import { decodeSctpPacket, SCTP_CHUNK_NAMES, SctpChunkType } from '../codecs/sctp/packet.ts';
import { framesOf, frameLine, frameJson } from './decode-format.ts';
import type { TcpMessageSource, TcpOutcome } from './tcp-http2.ts';
import { defineCommand } from './args.ts';
import type { Writable } from 'node:stream';
import { checkCaptureInput } from './capture-input.ts';
import { readCaptureStream, CaptureFileError, READ_CHUNK_BYTES } from '../transport/capture/read-stream.ts';
import { defaultDissectors, type Dissectors, type SctpMessageSource, SCTP_OVER_UDP_PORT } from './dissectors.ts';

export interface DecodedRecord {
  frame: number;
  time: number;
  src?: string;
  dst?: string;
  protocol: string | null;
  message?: string;
  fields?: JsonValue;
  error?: JsonValue;
  /** What the decoder accepted although the sender should not have sent it (codecs' DecodeWarning). */
  warnings?: JsonValue[];
  ignored?: string;
}

function errorJson(e: unknown): JsonValue {
  if (e instanceof CaptureFileError && e.cause) return errorJson(e.cause);
  if (e instanceof DecodeError) return e.toJSON() as unknown as JsonValue;
  return { reason: e instanceof Error ? e.message : String(e) };
}

/** The records of a capture held in memory. */
export function decodeCapture(bytes: Uint8Array, dissectors: Dissectors = defaultDissectors()): Generator<DecodedRecord> {
  return decodeFrames(() => readCaptureFile(bytes)[Symbol.iterator](), dissectors);
}

/**
 * The records of the capture file at `path`, read a block at a time (transport/capture/read-stream.ts):
 * the same records as decodeCapture of its bytes, for a file of any size (Node will not read one
 * over 2 GiB whole, and a whole file in memory is its size again in RSS).
 */
export function decodeCaptureFile(path: string, dissectors: Dissectors = defaultDissectors(), chunkBytes = READ_CHUNK_BYTES): Generator<DecodedRecord> {
  return decodeFrames(() => readCaptureStream(path, chunkBytes), dissectors);
}

function* decodeFrames(open: () => Iterator<CaptureFrame>, dissectors: Dissectors): Generator<DecodedRecord> {
  const sctp = dissectors.sctp?.();
  const tcp = dissectors.tcp?.();
  let frames: Iterator<CaptureFrame>;
  try {
    frames = open();
  } catch (e) {
    yield { frame: 0, time: 0, protocol: 'pcap', error: errorJson(e) };
    return;
  }
  for (;;) {
    let next: IteratorResult<CaptureFrame>;
    try {
      next = frames.next();
    } catch (e) {
      yield { frame: 0, time: 0, protocol: 'pcap', error: errorJson(e) };
      return;
    }
    if (next.done) return;
    yield* decodeFrame(next.value, dissectors, sctp, tcp);
  }
}

/** Wireshark exported PDU (LINKTYPE_WIRESHARK_UPPER_PDU): tags, then the PDU for a named dissector. */
function exportedPdu(data: Uint8Array): { dissector: string; payload: Uint8Array } | undefined {
  let p = 0;
  let dissector = '';
  while (p + 4 <= data.length) {
    const tag = (data[p] << 8) | data[p + 1];
    const len = (data[p + 2] << 8) | data[p + 3];
    p += 4;
    if (tag === 0) return { dissector, payload: data.subarray(p) };
    if (p + len > data.length) return undefined;
    if (tag === 12) dissector = new TextDecoder().decode(data.subarray(p, p + len)).replace(/\0+$/, '');
    p += len;
  }
  return undefined;
}

function* decodeFrame(f: CaptureFrame, d: Dissectors, sctp: SctpMessageSource | undefined, tcp: TcpMessageSource | undefined): Generator<DecodedRecord> {
  const base = { frame: f.number, time: f.time };
  if (f.linkType === 252) {
    const e = exportedPdu(f.data);
    const named = e ? d.byName.get(e.dissector) : undefined;
    if (!e || !named) {
      yield { ...base, protocol: null, ignored: e ? `exported PDU for dissector '${e.dissector}', which wire5g does not decode` : 'malformed exported PDU tags' };
      return;
    }
    yield* run(base, e.dissector, () => named(e.payload));
    return;
  }
  let seg: TransportSegment | undefined;
  try {
    const ip = ipPacketOf(f.linkType, f.data);
    if (!ip) {
      yield { ...base, protocol: null, ignored: 'not an IP packet' };
      return;
    }
    seg = transportSegmentOf(ip);
  } catch (e) {
    yield { ...base, protocol: e instanceof DecodeError ? e.protocol : 'ip', error: errorJson(e) };
    return;
  }
  if (!seg) {
    yield { ...base, protocol: null, ignored: 'IP protocol other than UDP, TCP or SCTP' };
    return;
  }
  const where = { ...base, src: `${seg.src}:${seg.srcPort}`, dst: `${seg.dst}:${seg.dstPort}` };
  if (seg.fragment) {
    yield { ...where, protocol: 'ip', error: { reason: 'IP fragment: reassembly is not implemented' } };
    return;
  }
  let sctpPacket: Uint8Array | undefined;
  if (seg.protocol === 132) sctpPacket = seg.payload;
  else if (seg.protocol === 17 && (seg.srcPort === SCTP_OVER_UDP_PORT || seg.dstPort === SCTP_OVER_UDP_PORT)) sctpPacket = seg.payload;
  if (sctpPacket) {
    yield* decodeSctp(where, sctpPacket, d, sctp, `${seg.src}>${seg.dst}`);
    return;
  }
  if (seg.protocol === 17) {
    const entry = d.udp.get(seg.dstPort) ?? d.udp.get(seg.srcPort);
    if (!entry) {
      yield { ...where, protocol: null, ignored: `UDP port ${seg.srcPort}->${seg.dstPort} carries no protocol wire5g decodes` };
      return;
    }
    yield* run(where, entry.protocol, () => entry.dissect(seg.payload));
    return;
  }
  if (seg.protocol === 6 && seg.tcp && tcp) {
    yield* decodeTcp(where, tcp.push({ src: where.src, dst: where.dst, ...seg.tcp, payload: seg.payload }));
    return;
  }
  yield { ...where, protocol: null, ignored: `IP protocol ${seg.protocol} ${seg.srcPort}->${seg.dstPort}: no reader in this build` };
}

function* decodeTcp(where: Omit<DecodedRecord, 'protocol'>, outcome: TcpOutcome): Generator<DecodedRecord> {
  if ('ignored' in outcome) {
    yield { ...where, protocol: 'tcp', ignored: outcome.ignored };
    return;
  }
  for (const m of outcome.messages) yield { ...where, protocol: m.protocol, message: m.message, fields: m.fields, ...(m.error !== undefined ? { error: m.error } : {}), ...(m.warnings !== undefined ? { warnings: m.warnings } : {}) };
  if ('error' in outcome) yield { ...where, protocol: outcome.error instanceof DecodeError ? outcome.error.protocol : 'http2', error: errorJson(outcome.error) };
}

function* run(where: Omit<DecodedRecord, 'protocol'>, protocol: string, dissect: () => DissectedMessage[]): Generator<DecodedRecord> {
  try {
    for (const m of dissect()) yield { ...where, protocol: m.protocol, message: m.message, fields: m.fields, ...(m.error !== undefined ? { error: m.error } : {}), ...(m.warnings !== undefined ? { warnings: m.warnings } : {}) };
  } catch (e) {
    yield { ...where, protocol: e instanceof DecodeError ? e.protocol : protocol, error: errorJson(e) };
  }
}

function* decodeSctp(where: Omit<DecodedRecord, 'protocol'>, packet: Uint8Array, d: Dissectors, sctp: SctpMessageSource | undefined, flow: string): Generator<DecodedRecord> {
  if (!sctp) {
    yield { ...where, protocol: 'sctp', error: { reason: 'SCTP decoding is not available in this build' } };
    return;
  }
  let messages: { ppid: number; streamId: number; payload: Uint8Array }[];
  try {
    messages = sctp.push(flow, packet);
  } catch (e) {
    yield { ...where, protocol: 'sctp', error: errorJson(e) };
    return;
  }
  if (messages.length === 0) {
    yield { ...where, protocol: 'sctp', ignored: sctpControlReason(packet) };
    return;
  }
  for (const m of messages) {
    if (m.ppid !== 60 && m.ppid !== 0) {
      yield { ...where, protocol: 'sctp', ignored: `SCTP DATA with PPID ${m.ppid} (not NGAP)` };
    } else if (!d.ngap) {
      yield { ...where, protocol: 'ngap', error: { reason: 'NGAP decoding is not available in this build' } };
    } else {
      const ngap = d.ngap;
      yield* run(where, 'ngap', () => ngap(m.payload));
    }
  }
}

/** Why an SCTP packet gave no user message: its chunk types, e.g. "SACK", "SHUTDOWN ACK". */
function sctpControlReason(packet: Uint8Array): string {
  const chunks = decodeSctpPacket(packet).chunks;
  const names = chunks.map((c) => SCTP_CHUNK_NAMES[c.type] ?? `chunk type ${c.type}`).join(', ');
  const data = chunks.some((c) => c.type === SctpChunkType.DATA);
  return `${names}${data ? ' (a DATA fragment whose message completes in a later frame, or a retransmission already decoded)' : ' (SCTP control, no user message)'}`;
}

/**
 * Until `out` takes more ('drain'). A stream destroyed before that never drains: it fails then
 * (its error, or that it closed), rather than leaving the decoding waiting for ever with the lines
 * lost (stdout's own errors end the command in cli/main.ts first: EPIPE exits 0).
 */
function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(out.errored ?? new Error('the output was closed before it took every line'));
  return new Promise<void>((resolve, reject) => {
    const settle = (e?: Error) => {
      out.off('drain', onDrain).off('error', settle).off('close', onClose);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(out.errored ?? new Error('the output was closed before it took every line'));
    out.on('drain', onDrain).on('error', settle).on('close', onClose);
  });
}

/** Output gathered before one write to stdout. */
const WRITE_BYTES = 1 << 16;

/**
 * The lines of every frame to `out`, with its backpressure: a write the stream cannot take at once
 * (a pipe to a slower reader) is awaited ('drain') before more frames are decoded. Without it a
 * 2.5 GB capture piped to `wc -l` queued its output in memory until it failed (3.6 GB RSS, write
 * ENOBUFS); the reads a block at a time (decodeCaptureFile) bound the input side.
 */
export async function printFrames(records: Iterable<DecodedRecord>, json: boolean, file: string | undefined, out: Writable = process.stdout): Promise<number> {
  let errors = 0;
  let pending = '';
  const flush = async () => {
    const chunk = pending;
    pending = '';
    if (!out.write(chunk)) await drained(out);
  };
  for (const frame of framesOf(records)) {
    if (frame.messages.some((m) => m.error !== undefined)) errors++;
    pending += (!json ? frameLine(frame) : file ? JSON.stringify({ file, ...frame }) : frameJson(frame)) + '\n';
    if (pending.length >= WRITE_BYTES) await flush();
  }
  if (pending) await flush();
  return errors;
}

export const decodeCommand = defineCommand({
  name: 'decode',
  summary: 'print every GTP-U/PFCP/NGAP/NAS-5GS message of pcap/pcapng files',
  description: 'Prints every GTP-U, PFCP, NGAP and NAS-5GS message of one or more pcap/pcapng files (any tool, any common link type): one line per frame (its messages, an error with offset and path, or why it was ignored), or one JSON object per frame with --json. Each file is read a block at a time, so a capture of any size decodes in bounded memory; with several files every file is checked readable first (none is decoded if one cannot be read), then each is decoded in turn. Exits 1 if a frame could not be decoded.',
  positionals: { syntax: 'FILE...', min: 1, max: Number.MAX_SAFE_INTEGER },
  options: {
    json: { kind: 'flag', help: 'one JSON object per frame (frame, time, src, dst, messages with protocol, message, fields, error; ignored; plus file with several files)' },
  },
  async run({ values, positionals }) {
    // every file readable before any is decoded; each is then read a block at a time
    for (const f of positionals) checkCaptureInput(f);
    let errors = 0;
    for (const file of positionals) {
      if (positionals.length > 1 && !values.json) process.stdout.write(`==> ${file} <==\n`);
      errors += await printFrames(decodeCaptureFile(file), values.json, positionals.length > 1 ? file : undefined);
    }
    return errors ? 1 : 0;
  },
});
