import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunRecorder } from '../../nodes/common/run-report.ts';
import { subscribeTrace, trace, type TraceEvent } from '../../nodes/common/trace.ts';

describe('run report', () => {
  it('records the ladder, procedures with outcome, message counts and what the ledgers left behind', async () => {
    const lines: string[] = [];
    const rec = new RunRecorder((l) => lines.push(l));
    rec.ledgers('before', { SMF: { 'SM contexts': 0 }, UPF: { sessions: 0 } });
    await rec.procedure('Registration', 'TS 23.502 4.2.2.2.2', 'imsi-001010000000001', async () => {
      trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: 'Registration request', step: '4.2.2.2.2 step 1' });
      trace({ from: 'AMF', to: 'AUSF', interface: 'SBI', protocol: 'HTTP/2', message: 'Nausf_UEAuthentication_Authenticate', step: '4.2.2.2.2 step 8' });
    });
    await expect(rec.procedure('PDU Session Establishment', 'TS 23.502 4.3.2.2.1', undefined, async () => { throw new Error('UPF down'); })).rejects.toThrow('UPF down');
    rec.ledgers('after', { SMF: { 'SM contexts': 1 }, UPF: { sessions: 0 } });
    rec.close();
    trace({ from: 'X', to: 'Y', interface: 'N2', protocol: 'NGAP', message: 'after close' });
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-run-'));
    const { ladder, summary } = rec.write(dir);
    expect(lines).toEqual(['UE   -> AMF  NAS Registration request  [4.2.2.2.2 step 1]', 'AMF  -> AUSF HTTP/2 Nausf_UEAuthentication_Authenticate  [4.2.2.2.2 step 8]']);
    expect(rec.failed).toBe(true);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.procedures.map((p: { outcome: string }) => p.outcome)).toEqual(['success', 'failure']);
    expect(s.messages.perInterface).toEqual({ N1: 1, SBI: 1 });
    expect(s.ledgers.leftBehind).toEqual({ SMF: { 'SM contexts': { before: 0, after: 1 } } });
    expect(readFileSync(ladder, 'utf8')).toContain('sequenceDiagram');
  });

  it('counts a message name per interface it was traced on and per protocol, in the order first seen', () => {
    const rec = new RunRecorder();
    const t = (iface: 'N4' | 'N9' | 'SBI', protocol: 'PFCP' | 'HTTP/2', message: string) => trace({ from: 'A', to: 'B', interface: iface, protocol, message });
    t('N4', 'PFCP', 'Session Establishment Request');
    t('SBI', 'HTTP/2', 'Session Establishment Request');
    t('N9', 'PFCP', 'Session Establishment Request');
    t('N4', 'PFCP', 'Session Establishment Request');
    t('N4', 'PFCP', 'Heartbeat Request');
    rec.close();
    const s = rec.summary() as { messages: { total: number; perInterface: Record<string, number>; perMessage: Record<string, number> } };
    expect(s.messages.total).toBe(5);
    expect(Object.entries(s.messages.perInterface)).toEqual([['N4', 3], ['SBI', 1], ['N9', 1]]);
    expect(Object.entries(s.messages.perMessage)).toEqual([['PFCP Session Establishment Request', 3], ['HTTP/2 Session Establishment Request', 1], ['PFCP Heartbeat Request', 1]]);
  });

  it('counts every traced message but keeps only those ladder.md can draw (issue 21: a 100,000-UE run kept millions)', () => {
    const rec = new RunRecorder();
    const n = 20_000;
    for (let i = 0; i < n; i++) trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: `Registration request ${i}`, step: '4.2.2.2.2 step 1', ue: `imsi-00101${String(i).padStart(10, '0')}` });
    rec.close();
    // what the 45,000-character diagram can hold of these 70-character events, plus the one that overflows it
    expect(rec.events.length).toBeLessThan(1000);
    const s = rec.summary() as { messages: { total: number; perInterface: Record<string, number>; perMessage: Record<string, number> } };
    expect(s.messages.total).toBe(n);
    expect(s.messages.perInterface).toEqual({ N1: n });
    expect(Object.keys(s.messages.perMessage)).toHaveLength(n);
    const ladder = rec.ladder('t');
    expect(ladder).toContain(`(${n} in all)`);
    expect(ladder).toContain('Registration request 0');
  });

  it('only counts once its ladder is done and nothing prints: no event is built for it, and a later subscriber still gets every event', () => {
    const rec = new RunRecorder();
    trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: 'Registration request' });
    rec.markLadderEnd();
    // an event built from the literal reads its `from`; the counts read only the three names
    let reads = 0;
    const literal = { get from() { reads++; return 'gNB'; }, to: 'AMF', interface: 'N2' as const, protocol: 'NGAP' as const, message: 'InitialUEMessage' };
    trace(literal);
    expect(reads).toBe(0);
    const seen: TraceEvent[] = [];
    const off = subscribeTrace((e) => seen.push(e));
    trace(literal);
    off();
    rec.close();
    expect(reads).toBe(1);
    expect(seen.map((e) => [e.from, e.message])).toEqual([['gNB', 'InitialUEMessage']]);
    expect(rec.events.map((e) => e.message)).toEqual(['Registration request']);
    expect((rec.summary() as { messages: { perMessage: Record<string, number> } }).messages.perMessage).toEqual({ 'NAS-5GS Registration request': 1, 'NGAP InitialUEMessage': 2 });
  });
});
