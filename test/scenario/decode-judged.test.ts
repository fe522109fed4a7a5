// The default run's capture read twice, by `wire5g decode` and by tshark (the independent judge):
// one decode line per frame tshark counts, and the values decode prints equal tshark's fields
// (SUCI MSIN, MCC/MNC, 5G-GUTI parts, UE NGAP IDs, causes, NAS message types after a 5G-EA0
// Security Mode Command, HTTP/2 method, path and status).

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { testConfig } from '../helpers/network.ts';
import { dissect, tsharkAvailable, type DissectedFrame } from '../helpers/tshark.ts';
import { decodeCaptureFile } from '../../cli/decode.ts';
import { framesOf, frameLine, type FrameReport } from '../../cli/decode-format.ts';
import type { JsonValue } from '../../codecs/bytes/json.ts';

type Obj = Record<string, JsonValue>;

/** Every value under `key` anywhere in a JSON tree, in document order. */
function valuesOf(v: JsonValue | undefined, key: string, out: JsonValue[] = []): JsonValue[] {
  if (v === null || v === undefined || typeof v !== 'object') return out;
  if (Array.isArray(v)) {
    for (const x of v) valuesOf(x, key, out);
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    if (k === key) out.push(x);
    valuesOf(x, key, out);
  }
  return out;
}

function messagesOf(f: FrameReport, protocol: string): Obj[] {
  return f.messages.filter((m) => m.protocol === protocol && m.fields).map((m) => m.fields as Obj);
}

describe.skipIf(!tsharkAvailable())('the default run, read by wire5g decode and by tshark', () => {
  let capture: string;
  let summaryPath: string;
  let ours: FrameReport[];
  let theirs: DissectedFrame[];
  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-judged-'));
    const r = await runScenario(testConfig(200), { outDir, database: ':memory:' });
    expect(r.ok).toBe(true);
    capture = r.files.capture!;
    summaryPath = r.files.summary!;
    ours = [...framesOf(decodeCaptureFile(capture))]; // as `wire5g decode` reads it, a block at a time
    theirs = dissect(capture, { prefs: ['nas-5gs.null_decipher:TRUE'] });
  }, 60_000);

  const byFrame = (n: number) => theirs.find((f) => f.frame === n)!;
  const nums = (f: DissectedFrame, name: string) => (f.fields.get(name) ?? []).map(Number);

  it('prints one line for every frame tshark counts, and no error', () => {
    expect(ours.map((f) => f.frame)).toEqual(theirs.map((f) => f.frame));
    expect(ours.map(frameLine).filter((l) => / ERROR /.test(l))).toEqual([]);
  });

  it('NAS: message types (also after the 5G-EA0 Security Mode Command), SUCI MSIN, MCC/MNC, 5G-GUTI parts equal tshark\'s', () => {
    let checkedMsin = 0, checkedGuti = 0, nasFrames = 0;
    for (const f of ours) {
      const nas = messagesOf(f, 'nas-5gs');
      if (!nas.length) continue;
      nasFrames++;
      const t = byFrame(f.frame);
      const types = nas.map((m) => Number(m.messageType)).sort();
      expect(types, `frame ${f.frame}`).toEqual([...nums(t, 'nas_5gs.mm.message_type'), ...nums(t, 'nas_5gs.sm.message_type')].sort());
      for (const id of nas.flatMap((m) => [...valuesOf(m, 'mobileIdentity'), ...valuesOf(m, 'fiveGGuti')]) as Obj[]) {
        if (id.type === 'suci') {
          expect(id.msin).toBe(t.fields.get('nas_5gs.mm.suci.msin')?.[0]);
          expect(Number((id.plmn as Obj).mcc)).toBe(nums(t, 'e212.mcc')[0]);
          expect(Number((id.plmn as Obj).mnc)).toBe(nums(t, 'e212.mnc')[0]);
          checkedMsin++;
        } else if (id.type === '5g-guti') {
          expect([id.amfRegionId, id.amfSetId, id.amfPointer, id.tmsi]).toEqual([nums(t, 'nas_5gs.amf_region_id')[0], nums(t, 'nas_5gs.amf_set_id')[0], nums(t, 'nas_5gs.amf_pointer')[0], nums(t, 'nas_5gs.5g_tmsi')[0]]);
          checkedGuti++;
        }
      }
    }
    expect(nasFrames).toBeGreaterThanOrEqual(10);
    expect(checkedMsin).toBe(2); // the Registration request, and again inside the Security mode complete (TS 24.501 4.4.6)
    expect(checkedGuti).toBe(2); // Registration accept, Deregistration request
  });

  it('NGAP: UE NGAP IDs, causes and PLMNs; PFCP causes equal tshark\'s', () => {
    let causes = 0;
    for (const f of ours) {
      const t = byFrame(f.frame);
      // one SCTP packet may bundle several NGAP messages (DATA chunks): tshark lists a field's
      // values for the whole frame, in chunk order
      const ngap = messagesOf(f, 'ngap');
      if (ngap.length) {
        expect(ngap.flatMap((m) => valuesOf(m, 'AMF-UE-NGAP-ID').concat(valuesOf(m, 'aMF-UE-NGAP-ID'))).map(Number), `frame ${f.frame}`).toEqual(nums(t, 'ngap.AMF_UE_NGAP_ID'));
        expect(ngap.flatMap((m) => valuesOf(m, 'RAN-UE-NGAP-ID').concat(valuesOf(m, 'rAN-UE-NGAP-ID'))).map(Number), `frame ${f.frame}`).toEqual(nums(t, 'ngap.RAN_UE_NGAP_ID'));
      }
      for (const m of ngap) {
        const plmns = valuesOf(m, 'pLMNIdentity') as Obj[];
        const mccs = [...t.fields.entries()].filter(([k]) => /^e212\.(\w+\.)?mcc$/.test(k)).flatMap(([, v]) => v.map(Number));
        for (const p of plmns) expect(mccs).toContain(Number(p.mcc));
        for (const c of valuesOf(m, 'Cause') as Obj[]) {
          // tshark -V prints the cause as "<group>: <name> (<value>)"
          const [group, value] = Object.entries(c)[0];
          const text = execFileSync('tshark', ['-r', capture, '-V', '-Y', `frame.number == ${f.frame}`], { encoding: 'utf8' });
          expect(text).toContain(`${group}: ${String(value)} (`);
          causes++;
        }
      }
      // a frame may carry a bundle of PFCP messages (TS 29.244 7.2.2.1, FO): their causes in order
      const pfcp = messagesOf(f, 'pfcp');
      if (pfcp.length) {
        const ours19 = pfcp.flatMap((m) => (m.ies as Obj[]).filter((ie) => ie.type === 19).map((ie) => Number(ie.value)));
        expect(ours19, `frame ${f.frame}`).toEqual(nums(t, 'pfcp.cause'));
        expect(pfcp.length, `frame ${f.frame}`).toBe(t.fields.get('pfcp.msg_type')?.length);
      }
    }
    expect(causes).toBeGreaterThanOrEqual(1);
  });

  it('HTTP/2 SBI: method, path, status and JSON bodies equal tshark\'s http2 fields', () => {
    let requests = 0, responses = 0, bodies = 0;
    for (const f of ours) {
      const h2 = messagesOf(f, 'http2');
      if (!h2.length) continue;
      const t = byFrame(f.frame);
      const headers = h2.filter((m) => m.headers !== undefined);
      expect(headers.filter((m) => m.method !== undefined).map((m) => m.method), `frame ${f.frame}`).toEqual(t.fields.get('http2.headers.method') ?? []);
      expect(headers.filter((m) => m.path !== undefined).map((m) => m.path)).toEqual(t.fields.get('http2.headers.path') ?? []);
      expect(headers.filter((m) => m.status !== undefined).map((m) => m.status)).toEqual(nums(t, 'http2.headers.status'));
      requests += headers.filter((m) => m.method !== undefined).length;
      responses += headers.filter((m) => m.status !== undefined).length;
      const data = t.fields.get('http2.data.data') ?? [];
      const withBody = h2.filter((m) => m.body !== undefined && !Array.isArray(m.body) && (m.body as Obj).octets === undefined);
      if (withBody.length && data.length === withBody.length) {
        withBody.forEach((m, i) => expect(m.body).toEqual(JSON.parse(Buffer.from(data[i].replace(/:/g, ''), 'hex').toString('utf8'))));
        bodies += withBody.length;
      }
    }
    expect(requests).toBeGreaterThanOrEqual(30);
    expect(responses).toBe(requests);
    expect(bodies).toBeGreaterThanOrEqual(20);
  });

  it('the capture: strict time order, one comment format, each step on the frame that carries its message, no ABORT after SHUTDOWN', () => {
    expect(execFileSync('capinfos', ['-o', capture], { encoding: 'utf8' })).toMatch(/Strict time order:\s+True/);
    const commented = theirs.filter((t) => t.fields.has('frame.comment'));
    // one label per message the frame carries, '; ' between them (one TCP segment may hold two SBI messages)
    for (const t of commented) for (const label of t.fields.get('frame.comment')![0].split('; ')) expect(label, `frame ${t.frame}`).toMatch(/^[^[\]]+ \[(TS|RFC) [^[\]]+\]$/);
    // every SBI request's comment sits on the frame with its HEADERS (not on the preface)
    const sbiComments = commented.filter((t) => /^N[a-z]+_/.test(t.fields.get('frame.comment')![0]));
    expect(sbiComments.length).toBeGreaterThanOrEqual(25); // the requests the NFs tag with a TS 23.502 step
    for (const t of sbiComments) expect(t.fields.get('http2.headers.method'), `frame ${t.frame}`).toBeDefined();
    // the uplink NAS Deregistration Request's NGAP frame carries its TS 23.502 step
    const dereg = theirs.find((t) => (t.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x45'))!;
    expect(dereg.fields.get('frame.comment')?.[0]).toMatch(/\[TS 23\.502 4\.2\.2\.3\.2 step 1\]$/);
    for (const t of theirs.filter((x) => x.fields.has('ngap.procedureCode') && (x.fields.get('ngap.procedureCode') ?? []).includes('46'))) expect(t.fields.get('frame.comment')?.[0], `UplinkNASTransport frame ${t.frame}`).toMatch(/\[TS 23\.502 /);
    // SCTP: the association ends with SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE and nothing after
    const chunks = theirs.flatMap((t) => t.fields.get('sctp.chunk_type') ?? []);
    const complete = chunks.lastIndexOf('14');
    expect(complete).toBeGreaterThan(0);
    expect(chunks.slice(complete + 1)).not.toContain('6');
    expect(chunks).not.toContain('6');
  });

  it('summary.json counts per interface what the capture holds, as tshark counts it', () => {
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { messages: { perInterface: Record<string, number>; in: string } };
    const count = (name: string, value?: string) => theirs.reduce((n, t) => n + (t.fields.get(name) ?? []).filter((v) => value === undefined || v === value).length, 0);
    expect(summary.messages.in).toBe('capture');
    expect(summary.messages.perInterface).toEqual({
      N2: count('ngap.procedureCode'),
      N1: count('ngap.NAS_PDU') + count('ngap.pDUSessionNAS_PDU'),
      N4: count('pfcp.msg_type'),
      N3: count('gtp.message'),
      SBI: count('http2.type', '1'),
    });
  });
});
