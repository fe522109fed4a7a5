import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { UdrStore, InvalidSubscriber } from '../../nodes/udr/store.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';

describe('UDR store (SQLite)', () => {
  it('keeps subscribers and their SQN across a restart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wire5g-udr-')), 'udr.sqlite');
    let s = new UdrStore(file);
    expect(s.seed([DEFAULT_SUBSCRIBER])).toBe(1);
    expect(s.setSqn(DEFAULT_SUBSCRIBER.supi, '0000000000a0')).toBe(true);
    s.close();
    s = new UdrStore(file);
    expect(s.seed([DEFAULT_SUBSCRIBER])).toBe(0); // seeding never overwrites the stored SQN
    expect(s.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe('0000000000a0');
    s.close();
  });

  it('deducts usage from the remaining allowed usage, never below zero (TS 23.502 4.16.6 step 3)', () => {
    const s = new UdrStore(':memory:');
    s.upsert({ ...DEFAULT_SUBSCRIBER, allowedUsageOctets: 1000 });
    expect(s.deductUsage(DEFAULT_SUBSCRIBER.supi, 'internet', '1', 300)).toBe(700);
    expect(s.deductUsage(DEFAULT_SUBSCRIBER.supi, 'internet', '1', 5000)).toBe(0);
    expect(s.deductUsage(DEFAULT_SUBSCRIBER.supi, 'ims', '1', 1)).toBeUndefined();
    expect(s.remove(DEFAULT_SUBSCRIBER.supi)).toBe(true);
    expect(s.usage(DEFAULT_SUBSCRIBER.supi, 'internet', '1')).toBeUndefined(); // cascaded
    s.close();
  });

  it("a record read again is current: after this store's writes and after another connection's commit to the same file", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wire5g-udr-')), 'udr.sqlite');
    const s = new UdrStore(file);
    const other = new UdrStore(file);
    s.upsert(DEFAULT_SUBSCRIBER);
    const first = s.get(DEFAULT_SUBSCRIBER.supi)!;
    expect(s.get(DEFAULT_SUBSCRIBER.supi)).toBe(first); // read once, kept
    expect(Object.isFrozen(first) && Object.isFrozen(first.snssais) && Object.isFrozen(first.snssais[0])).toBe(true);
    expect(() => (first.dnns as string[]).push('ims')).toThrowError(TypeError);
    expect(s.setSqn(DEFAULT_SUBSCRIBER.supi, '0000000000b0')).toBe(true);
    expect(s.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe('0000000000b0');
    s.upsert({ ...DEFAULT_SUBSCRIBER, dnns: ['internet', 'ims'] });
    expect(s.get(DEFAULT_SUBSCRIBER.supi)?.dnns).toEqual(['internet', 'ims']);
    // another process (wire5g subscriber update) writes the file: its commit is seen
    expect(other.setSqn(DEFAULT_SUBSCRIBER.supi, '0000000000c0')).toBe(true);
    expect(s.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe('0000000000c0');
    expect(other.remove(DEFAULT_SUBSCRIBER.supi)).toBe(true);
    expect(s.get(DEFAULT_SUBSCRIBER.supi)).toBeUndefined();
    s.upsert(DEFAULT_SUBSCRIBER);
    expect(s.remove(DEFAULT_SUBSCRIBER.supi)).toBe(true);
    expect(s.get(DEFAULT_SUBSCRIBER.supi)).toBeUndefined();
    other.close();
    s.close();
  });

  it('subscribers provisioned alike share their frozen S-NSSAIs, DNNs, QoS and UE-AMBR; one provisioned otherwise has its own', () => {
    const s = new UdrStore(':memory:');
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000101' });
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000102' });
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000103', dnns: ['internet', 'ims'] });
    const a = s.get('imsi-001010000000101')!, b = s.get('imsi-001010000000102')!, c = s.get('imsi-001010000000103')!;
    expect(a).not.toBe(b);
    expect(b.snssais).toBe(a.snssais);
    expect(b.dnns).toBe(a.dnns);
    expect(b.sessionQos).toBe(a.sessionQos);
    expect(b.ueAmbr).toBe(a.ueAmbr);
    expect(c.dnns).toEqual(['internet', 'ims']);
    expect(a.dnns).toEqual(DEFAULT_SUBSCRIBER.dnns);
    expect(c.snssais).toBe(a.snssais);
    expect(Object.isFrozen(c.dnns) && Object.isFrozen(b.sessionQos[0])).toBe(true);
    s.close();
  });

  it("the remaining allowed usage read is current after this store's writes and after another connection's commit", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wire5g-udr-')), 'udr.sqlite');
    const s = new UdrStore(file);
    const other = new UdrStore(file);
    const supi = DEFAULT_SUBSCRIBER.supi;
    s.upsert({ ...DEFAULT_SUBSCRIBER, allowedUsageOctets: 1000, monitoringKeys: [{ key: 'mk1', octets: 50 }] });
    const left = () => s.usageOf(supi).map((u) => u.remainingOctets);
    const keys = () => s.monitoringKeyUsageOf(supi).map((m) => m.remainingOctets);
    expect(left()).toEqual([1000]);
    expect(keys()).toEqual([50]);
    expect(() => ((s.usageOf(supi)[0] as { remainingOctets: number | null }).remainingOctets = 1)).toThrowError(TypeError);
    expect(s.setUsage(supi, 'internet', '1', 900)).toBe(true);
    expect(left()).toEqual([900]);
    expect(s.deductUsage(supi, 'internet', '1', 100)).toBe(800);
    expect(left()).toEqual([800]);
    expect(s.setMonitoringKeyUsage(supi, 'internet', '1', 'mk1', 40)).toBe(true);
    expect(keys()).toEqual([40]);
    // another process (wire5g subscriber update) writes the file: its commit is seen
    expect(other.setUsage(supi, 'internet', '1', 700)).toBe(true);
    expect(other.setMonitoringKeyUsage(supi, 'internet', '1', 'mk1', 30)).toBe(true);
    expect(left()).toEqual([700]);
    expect(keys()).toEqual([30]);
    s.upsert({ ...DEFAULT_SUBSCRIBER, allowedUsageOctets: 5 });
    expect(left()).toEqual([5]);
    expect(keys()).toEqual([]);
    expect(s.remove(supi)).toBe(true);
    expect(s.usageOf(supi)).toEqual([]);
    other.close();
    s.close();
  });

  it('rejects malformed subscriber data', () => {
    const s = new UdrStore(':memory:');
    expect(() => s.upsert({ ...DEFAULT_SUBSCRIBER, k: 'abc' })).toThrowError(InvalidSubscriber);
    expect(() => s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'nai-x' })).toThrowError(/SUPI/);
    s.close();
  });

  it('wire5g subscriber add/list/remove manage the database', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'wire5g-udr-')), 'udr.sqlite');
    const run = (...a: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'subscriber', ...a, '--db', db], { encoding: 'utf8' });
    expect(run('add', '--supi', 'imsi-001010000000042', '--sqn', '000000000001')).toMatch(/added imsi-001010000000042/);
    expect(run('list')).toMatch(/imsi-001010000000042 .* sqn 000000000001 /);
    expect(run('remove', 'imsi-001010000000042')).toMatch(/removed/);
    expect(run('list')).toBe('');
  });
});
