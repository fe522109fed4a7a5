// Splitting the SBI's URIs without a WHATWG URL object per request (issue 21 goal 3: `new URL`
// was a tenth of the SBI layer's allocations). The answers are those of `new URL`: a URI or
// request-target the shortcut cannot vouch for (a character URL would percent-encode or drop, a
// dot segment, a "//" target, an authority seen for the first time) goes through URL itself.

/**
 * Characters URL keeps as they are in a path and in a query of an http(s) URI (WHATWG URL 1.3:
 * none of the path and special-query percent-encode sets; `'` is encoded in a special query, so it
 * is left out; `#` starts a fragment, `\` is a slash for http). `%` is kept by URL unchanged.
 */
const PLAIN = /^[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/;

/** Whether URL would give `target`'s path (up to `?`) unchanged: no dot segment, plain or encoded. */
function noDotSegment(target: string, end: number): boolean {
  const dot = target.indexOf('/.');
  if (dot >= 0 && dot < end) return false;
  const enc = target.indexOf('%2');
  if (enc < 0 || enc >= end) return true;
  return !/%2e/i.test(target.slice(0, end));
}

/** The parts of an absolute URI the SBI client uses. */
export interface SbiUriParts {
  /** Scheme, host and port as URL's `origin` ("http://127.0.0.12:8080"). */
  readonly origin: string;
  /** Host and port as URL's `host`. */
  readonly host: string;
  /** The host alone as URL's `hostname` (an IPv6 address in brackets). */
  readonly hostname: string;
  /** URL's `pathname + search`: the request-target of the :path pseudo-header (RFC 9113 8.3.1). */
  readonly target: string;
}

/** Origin and host per "scheme://authority" as written, as URL normalised them (few: one per NF). */
const authorities = new Map<string, { origin: string; host: string; hostname: string }>();

function viaUrl(uri: string): SbiUriParts {
  const u = new URL(uri);
  return { origin: u.origin, host: u.host, hostname: u.hostname, target: u.pathname + u.search };
}

/** The last URI split and its parts: the tracing client and the HTTP/2 client below it split the same URI in turn. */
let lastUri = '';
let lastParts: SbiUriParts | undefined;

/** `new URL(uri)`'s origin, host, hostname, pathname + search, for an absolute http or https URI (the parts are only read). */
export function splitSbiUri(uri: string): SbiUriParts {
  if (uri === lastUri && lastParts) return lastParts;
  lastParts = split(uri);
  lastUri = uri;
  return lastParts;
}

function split(uri: string): SbiUriParts {
  const from = uri.startsWith('http://') ? 7 : uri.startsWith('https://') ? 8 : -1;
  if (from < 0) return viaUrl(uri);
  const slash = uri.indexOf('/', from);
  // no path, or no authority before it ("http:///a": URL skips the slashes and reads host "a")
  if (slash <= from) return viaUrl(uri);
  const target = uri.slice(slash);
  const q = target.indexOf('?');
  if (!PLAIN.test(target) || !noDotSegment(target, q < 0 ? target.length : q)) return viaUrl(uri);
  const prefix = uri.slice(0, slash);
  let a = authorities.get(prefix);
  if (!a) {
    if (/[^A-Za-z0-9.:[\]-]/.test(prefix.slice(from))) return viaUrl(uri); // user info, odd characters
    const u = new URL(prefix);
    a = { origin: u.origin, host: u.host, hostname: u.hostname };
    if (authorities.size >= 1024) authorities.clear();
    authorities.set(prefix, a);
  }
  // URL drops an empty query ("?" alone) from `search`
  return { origin: a.origin, host: a.host, hostname: a.hostname, target: q === target.length - 1 ? target.slice(0, q) : target };
}

/** The characters encodeURIComponent leaves as they are (ECMA-262 uriUnreserved: letters, digits, `-_.!~*'()`). */
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

/**
 * encodeURIComponent(s), without its work when there is nothing to encode (a SUPI, a context
 * reference: a tight loop measured 60 -> 27 ns).
 */
export function encodeComponent(s: string): string {
  return UNRESERVED.test(s) ? s : encodeURIComponent(s);
}

/** decodeURIComponent(s) (it throws as that does), without its work when there is no `%` (131 -> 8 ns). */
export function decodeComponent(s: string): string {
  return s.indexOf('%') < 0 ? s : decodeURIComponent(s);
}

/** What the SBI server reads of a request's :path: URL's pathname and its query's parameters. */
export interface RequestTarget {
  pathname: string;
  query: Record<string, string>;
}

/** `new URL(path, 'http://sbi')`'s pathname and `Object.fromEntries(searchParams)`. */
export function parseRequestTarget(path: string): RequestTarget {
  const q = path.indexOf('?');
  const end = q < 0 ? path.length : q;
  if (path[0] !== '/' || path[1] === '/' || !PLAIN.test(path) || !noDotSegment(path, end)) {
    const u = new URL(path, 'http://sbi');
    return { pathname: u.pathname, query: Object.fromEntries(u.searchParams) };
  }
  return { pathname: q < 0 ? path : path.slice(0, q), query: q < 0 || q === path.length - 1 ? {} : queryParameters(path.slice(q + 1)) };
}

/**
 * URL's searchParams of a query, as an object: URLSearchParams of a string drops one leading `?`,
 * which URL keeps in the first name ("??a" is "?a"), so the string starts with an empty `&` piece.
 */
function searchParams(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(`&${query}`));
}

/**
 * A name or value of a query as application/x-www-form-urlencoded reads it (WHATWG URL 5.1: `+`
 * is a space, then percent-decoding, then UTF-8), or undefined when a `%` sequence is not
 * well-formed UTF-8 (URLSearchParams would keep it or read U+FFFD: the caller asks it instead).
 */
function formDecode(s: string): string | undefined {
  const spaced = s.indexOf('+') < 0 ? s : s.replaceAll('+', ' ');
  if (spaced.indexOf('%') < 0) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/**
 * `Object.fromEntries(new URLSearchParams(query))` of a query of the PLAIN characters, without a
 * URLSearchParams, its list and iterator per request (~0.9 us a query such as `plmn-id=%7B...%7D`).
 */
function queryParameters(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let from = 0; from < query.length; ) {
    let amp = query.indexOf('&', from);
    if (amp < 0) amp = query.length;
    if (amp > from) {
      const eq = query.indexOf('=', from);
      const named = eq >= 0 && eq < amp;
      const name = formDecode(named ? query.slice(from, eq) : query.slice(from, amp));
      const value = named ? formDecode(query.slice(eq + 1, amp)) : '';
      // `out[name] =` would set the prototype for this name where fromEntries defines a property
      if (name === undefined || value === undefined || name === '__proto__') return searchParams(query);
      out[name] = value;
    }
    from = amp + 1;
  }
  return out;
}
