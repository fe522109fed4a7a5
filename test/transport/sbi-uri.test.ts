// transport/sbi/uri.ts gives what `new URL` gives (its only judge): origin, host, hostname and
// pathname + search of absolute URIs, pathname and query parameters of request-targets, for the
// SBI's usual forms and for every form the shortcut leaves to URL itself.
import { describe, expect, it } from 'vitest';
import { parseRequestTarget, splitSbiUri, encodeComponent, decodeComponent } from '../../transport/sbi/uri.ts';

const TARGETS = [
  '/nudm-sdm/v2/imsi-001010000000001/am-data?plmn-id=%7B%22mcc%22%3A%22001%22%2C%22mnc%22%3A%2201%22%7D',
  '/nausf-auth/v1/ue-authentications',
  '/nudr-dr/v2/subscription-data/imsi-001010000000001/authentication-data/authentication-subscription',
  '/npcf-smpolicycontrol/v1/sm-policies/1/delete',
  '/nnrf-disc/v1/nf-instances?target-nf-type=UDM&requester-nf-type=AMF&service-names=nudm-sdm,nudm-uecm',
  '/x?', '/x?a', '/x?a=1&a=2&b=', '/x?a+b=c+d&e=%20%41', '/x?q=it\'s', '/', '/a/./b', '/a/../b', '/a/%2e%2E/b', '/a/%2Fb',
  '/a b', '/a"b', '/a<b>', '/a`b', '/a{b}', '/a#frag', '/a?b#frag', '/a\\b', '/é', '/a?é=ü', '/a%zz', '/.', '/..', '/a/.', '/x?/./y',
];

describe('splitSbiUri', () => {
  const prefixes = ['http://127.0.0.12:8080', 'http://127.0.0.12', 'http://127.0.0.12:80', 'https://nf.example:443', 'http://NF.Example:8080', 'http://[::1]:8080', 'http://127.1:8080', 'http://user:pw@127.0.0.1:8080'];
  for (const p of prefixes) {
    for (const t of TARGETS) {
      it(`${p}${t} splits as URL does`, () => {
        const u = new URL(p + t);
        expect(splitSbiUri(p + t)).toEqual({ origin: u.origin, host: u.host, hostname: u.hostname, target: u.pathname + u.search });
        // the second time the authority is known
        expect(splitSbiUri(p + t)).toEqual({ origin: u.origin, host: u.host, hostname: u.hostname, target: u.pathname + u.search });
      });
    }
  }
  it('an URI without a path is URL\'s, "/" as its path', () => {
    expect(splitSbiUri('http://127.0.0.12:8080')).toEqual({ origin: 'http://127.0.0.12:8080', host: '127.0.0.12:8080', hostname: '127.0.0.12', target: '/' });
  });
  it('an URI with an empty authority is URL\'s: its slashes skipped, the next segment the host', () => {
    for (const uri of ['http:///nudm-sdm/v2/x', 'http:////a:8080/b?c=d', 'https:///h/p']) {
      const u = new URL(uri);
      expect(splitSbiUri(uri)).toEqual({ origin: u.origin, host: u.host, hostname: u.hostname, target: u.pathname + u.search });
    }
    expect(() => splitSbiUri('http:///')).toThrow(TypeError);
  });
  it('an URI that is not an URI throws as URL does', () => {
    expect(() => splitSbiUri('not a uri')).toThrow(TypeError);
  });
});

describe('parseRequestTarget', () => {
  for (const t of [...TARGETS, '//evil.example/x', '*', 'http://a/b?c=d']) {
    it(`${t} reads as URL reads it`, () => {
      const u = new URL(t, 'http://sbi');
      expect(parseRequestTarget(t)).toEqual({ pathname: u.pathname, query: Object.fromEntries(u.searchParams) });
    });
  }
});

describe('parseRequestTarget queries', () => {
  it('reads random queries as URL and URLSearchParams do', () => {
    const pool = ['a', 'b', 'plmn-id', '=', '=', '&', '&', '+', '%', '%2', '%zz', '%20', '%2B', '%26', '%3D', '%7B%22mcc%22%3A%22001%22%7D', '%E2%82%AC', '%C0', '%ED%A0%80', '__proto__', 'constructor', '1', '?', '/', ':', '@', '~'];
    let seed = 5;
    const pick = () => pool[(seed = (seed * 1103515245 + 12345) >>> 0) % pool.length];
    for (let i = 0; i < 20_000; i++) {
      const t = `/x/y?${Array.from({ length: 1 + (i % 9) }, pick).join('')}`;
      const u = new URL(t, 'http://sbi');
      const got = parseRequestTarget(t);
      expect(got, t).toEqual({ pathname: u.pathname, query: Object.fromEntries(u.searchParams) });
      expect(Object.getPrototypeOf(got.query), t).toBe(Object.prototype);
      expect(Object.keys(got.query), t).toEqual(Object.keys(Object.fromEntries(u.searchParams)));
    }
  });
});

describe('encodeComponent and decodeComponent', () => {
  it('answer (or throw) as encodeURIComponent and decodeURIComponent do, for random strings', () => {
    const pool = ['a', 'Z', '0', '-', '_', '.', '!', '~', '*', "'", '(', ')', '%', '%2', '%2D', '%zz', '%E2%82%AC', '%C0', '/', ' ', '+', '?', '=', '&', 'é', '€', '\ud83d\ude00', '\ud800', 'imsi-001010000000001'];
    let seed = 11;
    const pick = () => pool[(seed = (seed * 1103515245 + 12345) >>> 0) % pool.length];
    const outcome = (f: (s: string) => string, s: string) => {
      try {
        return f(s);
      } catch (e) {
        return `throws ${(e as Error).name}`;
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const s = Array.from({ length: i % 6 }, pick).join('');
      expect(outcome(encodeComponent, s), s).toBe(outcome(encodeURIComponent, s));
      expect(outcome(decodeComponent, s), s).toBe(outcome(decodeURIComponent, s));
    }
  });
});
