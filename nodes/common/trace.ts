// Every message a node sends or receives is a trace event on one channel
// (node:diagnostics_channel 'wire5g:trace'); the ladder printer, the Mermaid ladder, the run
// summary's counters and tests subscribe to it. The pcapng capture is fed by the transports'
// taps instead, because only they see real endpoints, SCTP chunks and TCP segments; the spec
// step travels to it as the packet comment.

import { channel } from 'node:diagnostics_channel';

// AAA: the NSSAAF's RADIUS towards a DCS's AAA server (TS 29.561 16; 3GPP names no reference point)
export type Interface = 'N1' | 'N2' | 'N3' | 'N4' | 'N6' | 'N9' | 'SBI' | 'N32' | 'Uu' | 'internal' | 'AAA';

export interface TraceEvent {
  /** Milliseconds (performance.now() of the emitting process). */
  time: number;
  from: string;
  to: string;
  interface: Interface;
  protocol: 'NAS-5GS' | 'NGAP' | 'PFCP' | 'GTP-U' | 'HTTP/2' | 'IP' | 'timer' | 'local' | 'RADIUS';
  /** The spec's message name, e.g. 'Registration request', 'Nsmf_PDUSession_ReleaseSMContext'. */
  message: string;
  /** Clause and step, e.g. '4.2.2.3.2 step 3a'. */
  step?: string;
  /** UE the event belongs to (SUPI or a RAN UE id), for per-UE views. */
  ue?: string;
  bytes?: number;
  /** An answer to a request traced before it (drawn dashed in the ladder). */
  response?: boolean;
}

export const traceChannel = channel('wire5g:trace');

/** What the run summary counts of a traced message (RunRecorder): its interface, protocol and message name. */
export type TraceCounter = (iface: Interface, protocol: TraceEvent['protocol'], message: string) => void;

/** The counters (countTrace), given each traced message's names without an event built for it. */
const counters: TraceCounter[] = [];
/** subscribeTrace's subscribers: an event is built and published only while there is one. */
let listeners = 0;
/** Keeps the channel's hasSubscribers true while only counters listen (the emitters test it before building their literal). */
const counting = (): void => undefined;

/**
 * Publishes `e` stamped with the time. The event is built field by field, so that every event has
 * the same shape (absent fields undefined): the callers' literals have many shapes, and a spread
 * of them cost a megamorphic copy per message, as did each subscriber's reads (issue 21 goal 3,
 * docs/decisions/21-nf-cpu-2.md). The counters get the three names first, and the event is built
 * only when a subscriber wants it: a run past its ladder only counts, and built and published an
 * event per message for that (40 MiB of 1,842 per 2,000 UEs, docs/decisions/21-nf-cpu-3.md).
 */
export function trace(e: Omit<TraceEvent, 'time'>): void {
  if (!traceChannel.hasSubscribers) return;
  for (let i = 0; i < counters.length; i++) counters[i](e.interface, e.protocol, e.message);
  if (listeners === 0) return;
  const event: TraceEvent = { time: performance.now(), from: e.from, to: e.to, interface: e.interface, protocol: e.protocol, message: e.message, step: e.step, ue: e.ue, bytes: e.bytes, response: e.response };
  traceChannel.publish(event);
}

/**
 * Publishes an event traced in another thread of this process (nodes/core-threads), its time
 * already on this thread's clock; `counted` false when that thread counts it itself.
 */
export function traceForeign(e: TraceEvent, counted: boolean): void {
  if (!traceChannel.hasSubscribers) return;
  if (counted) for (let i = 0; i < counters.length; i++) counters[i](e.interface, e.protocol, e.message);
  if (listeners > 0) traceChannel.publish(e);
}

export function subscribeTrace(fn: (e: TraceEvent) => void): () => void {
  const h = (m: unknown) => fn(m as TraceEvent);
  traceChannel.subscribe(h);
  listeners++;
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    listeners--;
    traceChannel.unsubscribe(h);
  };
}

/** Calls `fn` with the names of every traced message (before any subscriber sees its event) until the returned function is called. */
export function countTrace(fn: TraceCounter): () => void {
  counters.push(fn);
  if (counters.length === 1) traceChannel.subscribe(counting);
  let counted = true;
  return () => {
    if (!counted) return;
    counted = false;
    counters.splice(counters.indexOf(fn), 1);
    if (counters.length === 0) traceChannel.unsubscribe(counting);
  };
}

/** The compact ladder line: `UE -> AMF  NAS Registration request  [4.2.2.2.2 step 1]`. */
export function ladderLine(e: TraceEvent): string {
  const proto = e.protocol === 'NAS-5GS' ? 'NAS' : e.protocol;
  return `${e.from.padEnd(4)} -> ${e.to.padEnd(4)} ${proto} ${e.message}${e.step ? `  [${e.step}]` : ''}`;
}

/** A Mermaid sequence diagram of a run. */
export function mermaidLadder(events: TraceEvent[]): string {
  const lines = ['```mermaid', 'sequenceDiagram'];
  const actors: string[] = [];
  for (const e of events) for (const a of [e.from, e.to]) if (!actors.includes(a)) actors.push(a);
  for (const a of actors) lines.push(`  participant ${a}`);
  for (const e of events) {
    const label = `${e.protocol === 'NAS-5GS' ? 'NAS' : e.protocol} ${e.message}${e.step ? ` [${e.step}]` : ''}`.replace(/[;#]/g, ' ');
    lines.push(`  ${e.from}${e.response ? '-->>' : '->>'}${e.to}: ${label}`);
  }
  lines.push('```');
  return lines.join('\n') + '\n';
}
