// Path templates filled and resource URIs parsed from templates compiled once
// (nodes/common/sbi/operation.ts), and the route matcher's index by API name (transport/sbi/api.ts):
// the same URIs, parameters and matches as the plain reading of TS 29.501 4.4.1's
// `{apiRoot}/{apiName}/{apiVersion}/{apiSpecificResourceUriPart}`.

import { describe, expect, it } from 'vitest';
import { fillPath, fillPathInOrder, paramNames, parseResourceUri, plainResourceTarget, queryString, resourceShape, type SbiOperation } from '../../nodes/common/sbi/operation.ts';
import { AMF, AUSF, PCF, SMF, UDM } from '../../nodes/common/sbi/operations.ts';
import { matchRoute, type SbiRoute } from '../../transport/sbi/api.ts';

describe('path templates', () => {
  it('fills parameters by name and in order, percent-encoding each value, and refuses a missing one', () => {
    const t = '/{ueId}/registrations/smf-registrations/{pduSessionId}';
    expect(paramNames(t)).toEqual(['ueId', 'pduSessionId']);
    expect(fillPath(t, { ueId: 'imsi-001010000000001', pduSessionId: 5 })).toBe('/imsi-001010000000001/registrations/smf-registrations/5');
    expect(fillPathInOrder(t, ['a/b c', 7])).toBe('/a%2Fb%20c/registrations/smf-registrations/7');
    expect(fillPath('/sm-contexts', {})).toBe('/sm-contexts');
    expect(() => fillPath(t, { ueId: 'x' })).toThrow(/pduSessionId missing/);
    expect(() => fillPathInOrder(t, ['x'])).toThrow(/pduSessionId missing/);
  });
});

describe('queryString', () => {
  it('serializes as TS 29.501 5.2.3 says: arrays comma-separated, objects as JSON, each percent-encoded, undefined left out', () => {
    expect(queryString(undefined)).toBe('');
    expect(queryString({})).toBe('');
    expect(queryString({ a: undefined })).toBe('');
    const plmn = { mcc: '001', mnc: '01' };
    expect(queryString({ 'target-nf-type': 'UDM', 'requester-nf-type': 'AMF', skip: undefined, 'service-names': ['nudm-sdm', 'nudm-uecm'], 'plmn-id': plmn, n: 3 })).toBe(
      `?target-nf-type=UDM&requester-nf-type=AMF&service-names=${encodeURIComponent('nudm-sdm,nudm-uecm')}&plmn-id=${encodeURIComponent(JSON.stringify(plmn))}&n=3`,
    );
    expect(queryString({ 'a b': 'c&d' })).toBe('?a%20b=c%26d');
    // own parameters only
    expect(queryString(Object.assign(Object.create({ inherited: 1 }) as Record<string, unknown>, { own: 2 }))).toBe('?own=2');
  });
});

describe('parseResourceUri', () => {
  const op = SMF.pduSession.releaseSmContext;

  it('splits a plain http URI without the URL parser the same way the URL parser does', () => {
    for (const uri of [
      'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/12',
      'http://127.0.0.4/nsmf-pdusession/v1/sm-contexts/a%2Fb',
      'http://smf.example:29502/prefix/x/nsmf-pdusession/v1/sm-contexts/7',
      // forms the URL parser changes: the fast path must leave them to it
      'http://127.0.0.4:80/nsmf-pdusession/v1/sm-contexts/1',
      'http://SMF.example:8080/nsmf-pdusession/v1/sm-contexts/1',
      'http://127.000.0.4:8080/nsmf-pdusession/v1/sm-contexts/1',
      'http://127.0.0.4:8080/x/../nsmf-pdusession/v1/sm-contexts/1',
      'http://127.0.0.4:8080/x/%2e%2e/nsmf-pdusession/v1/sm-contexts/1',
      'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/a b',
      'http://[::1]:8080/nsmf-pdusession/v1/sm-contexts/1',
    ]) {
      const u = new URL(uri);
      const at = u.pathname.indexOf('/nsmf-pdusession/v1/');
      expect(parseResourceUri(op, uri), uri).toEqual({
        apiRoot: u.origin + u.pathname.slice(0, at),
        params: { smContextRef: decodeURIComponent(u.pathname.slice(at).split('/')[4]) },
      });
    }
  });

  it('refuses a URI that is not a resource of the template, or not a URI', () => {
    expect(parseResourceUri(op, 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts')).toBeUndefined();
    expect(parseResourceUri(op, 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/')).toBeUndefined();
    expect(parseResourceUri(op, 'http://127.0.0.4:8080/nsmf-pdusession/v1/pdu-sessions/3')).toBeUndefined();
    expect(parseResourceUri(op, 'http://127.0.0.4:8080/nudm-sdm/v2/sm-contexts/3')).toBeUndefined();
    expect(parseResourceUri(op, 'http://127.0.0.4:99999/nsmf-pdusession/v1/sm-contexts/3')).toBeUndefined();
    expect(parseResourceUri(op, 'not a uri')).toBeUndefined();
    // a host name the URL parser refuses for its label's bad Punycode (UTS #46 section 4 step 4): not a URI either
    expect(() => new URL('http://xn--a:8080/')).toThrow(TypeError);
    expect(parseResourceUri(op, 'http://xn--a:8080/nsmf-pdusession/v1/sm-contexts/3')).toBeUndefined();
    expect(parseResourceUri(op, 'http://smf.xn--9/nsmf-pdusession/v1/sm-contexts/3')).toBeUndefined();
    // a good Punycode label is the URL parser's to keep
    expect(parseResourceUri(op, 'http://xn--ls8h:8080/nsmf-pdusession/v1/sm-contexts/3')).toEqual({ apiRoot: 'http://xn--ls8h:8080', params: { smContextRef: '3' } });
    const two = UDM.ueau.deleteAuth;
    expect(parseResourceUri(two, 'http://127.0.0.12:8080/nudm-ueau/v1/imsi-1/auth-events/e1')).toEqual({
      apiRoot: 'http://127.0.0.12:8080',
      params: { supi: 'imsi-1', authEventId: 'e1' },
    });
  });
});

describe('plainResourceTarget', () => {
  /** What a typed consumer sent a resource operation to before: the URI parsed, the operation's path filled. */
  function parsedAndFilled(op: SbiOperation, uri: string): string | undefined | Error {
    try {
      const r = parseResourceUri(op, uri);
      return r && `${r.apiRoot}/${op.api}/${op.version}${fillPath(op.path, r.params)}`;
    } catch (e) {
      return e as Error;
    }
  }

  it('gives the URI parsed and filled, or leaves it to them, over URIs of every shape', () => {
    const ops = [SMF.pduSession.releaseSmContext, SMF.pduSession.updateSmContext, UDM.ueau.deleteAuth, PCF.smPolicyControl.update, AUSF.ueAuthentication.confirm5gAka, AMF.communication.n1n2MessageTransfer];
    const hosts = ['http://127.0.0.4:8080', 'http://127.0.0.4', 'http://127.0.0.4:80', 'http://smf.example:29502', 'http://SMF.example', 'http://127.000.0.4:1', 'http://xn--ls8h:8080', 'http://[::1]:8080', 'https://127.0.0.4'];
    const prefixes = ['', '', '/prefix', '/x/..', '/x/%2e', '/a%20b'];
    const values = ['12', 'imsi-001010000000001', 'a%2Fb', '%41', 'a b', 'é', '.', '..', '', "it's", 'x~y*z', '%zz', 'a(1)!', 'a:b', 'a@b', 'a;b=c'];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => {
      // xorshift32: every residue comes up (an LCG's low bits repeat with a short period)
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return xs[(seed >>> 0) % xs.length];
    };
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const op = pick(ops);
      const segments = op.resource!.split('/').map((p) => (p.startsWith('{') ? pick(values) : p));
      const extra = pick([0, 0, 0, 0, 1, 2]);
      if (extra === 1) segments.push('more');
      if (extra === 2) segments.pop();
      const uri = `${pick(hosts)}${pick(prefixes)}/${op.api}/${pick([op.version, op.version, 'v9'])}${segments.join('/')}`;
      const plain = plainResourceTarget(resourceShape(op)!, uri);
      if (plain === undefined) continue;
      fast++;
      expect(plain, uri).toBe(parsedAndFilled(op, uri));
    }
    // the common case (a Location as wire5g's producers give it) takes the shortcut: about one draw in 60 is one
    expect(fast).toBeGreaterThan(150);
    const op = SMF.pduSession.updateSmContext;
    expect(plainResourceTarget(resourceShape(op)!, 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/5')).toBe('http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/5/modify');
  });
});

describe('matchRoute', () => {
  const h = () => ({ status: 204 });
  const routes: SbiRoute[] = [
    { method: 'GET', path: '/nudm-sdm/v2/{supi}/am-data', operation: 'Nudm_SDM_Get', handler: h },
    { method: 'POST', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions', operation: 'Nudm_SDM_Subscribe', handler: h },
    { method: 'GET', path: '/{any}/v9/{supi}/am-data', operation: 'wildcard', handler: h },
    { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access', operation: 'Nudm_UECM_Registration', handler: h },
    // paths two routes serve: the earlier in the table with the method wins, whichever is literal
    { method: 'PUT', path: '/nudm-uecm/v9/{supi}/am-data', operation: 'literal after a parameter', handler: h },
    { method: 'PUT', path: '/{any}/v2/{supi}/am-data', operation: 'parameter after a literal', handler: h },
  ];

  it('finds the route by API, segments and method, with its parameters decoded', () => {
    const m = matchRoute(routes, 'GET', '/nudm-sdm/v2/imsi-001%2D1/am-data');
    expect(m !== undefined && m !== 'method-not-allowed' && [m.route.operation, m.params]).toEqual(['Nudm_SDM_Get', { supi: 'imsi-001-1' }]);
    const w = matchRoute(routes, 'GET', '/other/v9/imsi-1/am-data');
    expect(w !== undefined && w !== 'method-not-allowed' && [w.route.operation, w.params]).toEqual(['wildcard', { any: 'other', supi: 'imsi-1' }]);
    const u = matchRoute(routes, 'PUT', '/nudm-uecm/v1/imsi-1/registrations/amf-3gpp-access');
    expect(u !== undefined && u !== 'method-not-allowed' && u.route.operation).toBe('Nudm_UECM_Registration');
    const operation = (method: string, path: string) => {
      const m = matchRoute(routes, method, path);
      return m === undefined || m === 'method-not-allowed' ? m : m.route.operation;
    };
    expect(operation('GET', '/nudm-uecm/v9/imsi-1/am-data')).toBe('wildcard');
    expect(operation('PUT', '/nudm-uecm/v9/imsi-1/am-data')).toBe('literal after a parameter');
    expect(operation('PUT', '/nudm-sdm/v2/imsi-1/am-data')).toBe('parameter after a literal');
    expect(operation('GET', '/nudm-sdm/v2/imsi-1/am-data')).toBe('Nudm_SDM_Get');
  });

  it('tells a path served with another method from a path not served', () => {
    expect(matchRoute(routes, 'DELETE', '/nudm-sdm/v2/imsi-1/am-data')).toBe('method-not-allowed');
    expect(matchRoute(routes, 'GET', '/nudm-sdm/v2//am-data')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/nudm-sdm/v2/imsi-1/sm-data')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/nudm-sdm/v2/imsi-1')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/nope/v3/imsi-1/am-data')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/nope/v2/imsi-1/am-data')).toBe('method-not-allowed');
  });

  it('answers as a plain scan of the table over split segments, for paths of every shape', () => {
    // the reference: each route in table order, segments of path.split('/'), literals equal and parameters not empty
    const reference = (method: string, path: string) => {
      const parts = path.split('/');
      let pathMatched = false;
      for (const route of routes) {
        const pat = route.path.split('/');
        if (pat.length !== parts.length || !pat.every((p, i) => (p.startsWith('{') ? parts[i] !== '' : p === parts[i]))) continue;
        pathMatched = true;
        if (route.method === method) return route.operation;
      }
      return pathMatched ? 'method-not-allowed' : undefined;
    };
    const pool = ['', 'nudm-sdm', 'nudm-uecm', 'v2', 'v9', 'v1', 'imsi-1', 'am-data', 'am-dat', 'am-dataa', 'registrations', 'amf-3gpp-access', 'sdm-subscriptions', 'x'];
    let seed = 7;
    const pick = () => pool[(seed = (seed * 1103515245 + 12345) >>> 0) % pool.length];
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 5000; i++) {
      // half from a route's template, segments kept or replaced; half segments at random
      const template = routes[(i >> 1) % routes.length].path.split('/').slice(1);
      const segments = i % 2 ? template.map((t) => (t.startsWith('{') || pick().length < 6 ? pick() : t)) : Array.from({ length: 1 + (i % 7) }, pick);
      const path = (i % 11 === 0 ? '' : '/') + segments.join('/');
      for (const method of ['GET', 'POST', 'PUT']) {
        const m = matchRoute(routes, method, path);
        expect(m === undefined || m === 'method-not-allowed' ? m : m.route.operation, `${method} ${path}`).toBe(reference(method, path));
        seen.add(reference(method, path));
      }
    }
    expect([...seen].sort()).toEqual([...routes.map((r) => r.operation), 'method-not-allowed', undefined].sort());
  });
});