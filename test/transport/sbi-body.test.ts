// transport/sbi/body.ts: a JSON body read from a view, a byte order mark dropped; a body sent as
// its JSON text has the octets Buffer.from(JSON.stringify(body)) had; multipart bodies round-trip.
import { describe, expect, it } from 'vitest';
import { parseSbiBody, sbiBodyOut, bodyOctets, serializeSbiBody } from '../../transport/sbi/body.ts';
import { SbiMultipart, SbiProblem } from '../../transport/sbi/api.ts';

describe('JSON text', () => {
  it('drops a leading byte order mark (RFC 8259 8.1 lets a parser ignore it), keeps a later one', () => {
    expect(parseSbiBody('application/json', Buffer.from('\ufeff{"a":"\ufeff"}', 'utf8'))).toEqual({ a: '\ufeff' });
  });
  it('reads a view inside a larger buffer', () => {
    const whole = Buffer.from('xx{"é":1}yy', 'utf8');
    expect(parseSbiBody('application/json', whole.subarray(2, whole.length - 2))).toEqual({ é: 1 });
    expect(parseSbiBody('application/json', new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4))).toEqual({ é: 1 });
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
