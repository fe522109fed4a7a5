// transport/sbi/body.ts: the text of a body's octets is TextDecoder's (its judge), malformed
// UTF-8 and a byte order mark included; a body sent as its JSON text has the octets
// Buffer.from(JSON.stringify(body)) had; multipart bodies round-trip.
import { describe, expect, it } from 'vitest';
import { utf8Text, parseSbiBody, sbiBodyOut, bodyOctets, serializeSbiBody } from '../../transport/sbi/body.ts';
import { SbiMultipart, SbiProblem } from '../../transport/sbi/api.ts';
import { Rng } from '../helpers/fuzz.ts';

const td = new TextDecoder();

describe('utf8Text', () => {
  it('reads random octets (mostly malformed UTF-8) as TextDecoder does', () => {
    const rng = new Rng(21);
    // bytes biased to the lead and continuation ranges, so that sequences are cut and overlong
    const pool = [0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x8f];
    for (let i = 0; i < 20_000; i++) {
      const n = rng.int(12);
      const b = new Uint8Array(n);
      for (let k = 0; k < n; k++) b[k] = rng.int(3) === 0 ? rng.int(256) : rng.pick(pool);
      expect(utf8Text(b)).toBe(td.decode(b));
      expect(utf8Text(Buffer.from(b))).toBe(td.decode(b));
    }
  });
  it('drops a leading byte order mark as TextDecoder does, keeps a later one', () => {
    const b = Buffer.from('\ufeff{"a":"\ufeff"}', 'utf8');
    expect(utf8Text(b)).toBe(td.decode(b));
    expect(parseSbiBody('application/json', b)).toEqual({ a: '\ufeff' });
  });
  it('reads a view inside a larger buffer', () => {
    const whole = Buffer.from('xx{"é":1}yy', 'utf8');
    expect(utf8Text(whole.subarray(2, whole.length - 2))).toBe('{"é":1}');
    expect(utf8Text(new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4))).toBe('{"é":1}');
  });
});

describe('bodies', () => {
  it('a JSON body goes as its text, whose octets are those of Buffer.from(JSON.stringify(body))', () => {
    const body = { supi: 'imsi-001010000000001', name: 'Zoë \ud83d\ude00', lone: '\ud800' };
    const out = sbiBodyOut(body, false);
    expect(out.contentType).toBe('application/json');
    expect(typeof out.data).toBe('string');
    expect(bodyOctets(out.data!)).toEqual(Buffer.from(JSON.stringify(body), 'utf8'));
    expect(serializeSbiBody(body, true)).toEqual({ contentType: 'application/problem+json', data: Buffer.from(JSON.stringify(body), 'utf8') });
    expect(serializeSbiBody(undefined, false)).toEqual({});
  });
  it('a multipart body round-trips with its binary parts', () => {
    const m = new SbiMultipart({ n1MessageContainer: { n1MessageContent: { contentId: 'n1' } } }, { n1: { contentType: 'application/vnd.3gpp.5gnas', data: Uint8Array.of(0x7e, 0, 0x41) } });
    const { contentType, data } = serializeSbiBody(m, false);
    expect(contentType).toMatch(/^multipart\/related; boundary=/);
    const back = parseSbiBody(contentType, data!) as SbiMultipart;
    expect(back.json).toEqual(m.json);
    expect(back.binaries.n1.contentType).toBe('application/vnd.3gpp.5gnas');
    expect([...back.binaries.n1.data]).toEqual([0x7e, 0, 0x41]);
  });
  it('a body that is not JSON is 400 INVALID_MSG_FORMAT', () => {
    expect(() => parseSbiBody('application/json', Buffer.from('{"a":', 'utf8'))).toThrowError(SbiProblem);
  });
});
