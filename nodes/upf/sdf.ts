// SDF filters of a PDR's PDI (TS 29.244 8.2.5): the Flow Description is an IPFilterRule of
// RFC 6733 4.3 as TS 29.212 5.4.2 restricts it for a 5GC —
//
//   permit out <proto> from <addr>[/<mask>] [<ports>] to <addr>[/<mask>] [<ports>]
//
// with proto a number or "ip" (any), addr "any", "assigned" (the UE's address), an IPv4 or IPv6
// address, optionally preceded by "!" (not), and ports a comma list of ports and lo-hi ranges.
// TS 29.212 5.4.2: the rule is written for the downlink ("out", from the network to the UE); an
// uplink packet matches it with source and destination exchanged. A ToS/Traffic Class is matched
// under its mask (8.2.5). Anything else (options such as "frag", "established", an SPI or a flow
// label, which an IPv4 UPF cannot match) is refused when the rule is created, never ignored.

export class SdfParseError extends Error {}

interface AddressMatch {
  /** 0 any, 1 the UE's address, 2 IPv4 network, 3 IPv6 (never matches the IPv4 packets this UPF carries). */
  kind: 0 | 1 | 2 | 3;
  net: number;
  mask: number;
  not: boolean;
}

/** Flat (no nested objects: the precedence walk reads one object per filter). */
export interface CompiledSdf {
  /** IP protocol number, or -1 for any ("ip"). */
  proto: number;
  /** Remote side ("from" in the downlink-written rule): AddressMatch's fields. */
  remoteKind: AddressMatch['kind'];
  remoteNet: number;
  remoteMask: number;
  remoteNot: boolean;
  remotePorts: Int32Array | undefined;
  /** UE side ("to"). */
  ueKind: AddressMatch['kind'];
  ueNet: number;
  ueMask: number;
  ueNot: boolean;
  uePorts: Int32Array | undefined;
  /** ToS/Traffic Class value and mask (8.2.5), or -1. */
  tos: number;
  tosMask: number;
  text: string;
}

function parseV4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

function parseAddress(tok: string): AddressMatch {
  let not = false;
  if (tok.startsWith('!')) {
    not = true;
    tok = tok.slice(1);
  }
  if (tok === 'any') return { kind: 0, net: 0, mask: 0, not };
  if (tok === 'assigned') return { kind: 1, net: 0, mask: 0, not };
  const [addr, bitsText] = tok.split('/');
  if (addr.includes(':')) {
    if (!/^[0-9a-fA-F:.]+$/.test(addr) || (bitsText !== undefined && !(Number(bitsText) >= 0 && Number(bitsText) <= 128))) throw new SdfParseError(`bad IPv6 address '${tok}'`);
    return { kind: 3, net: 0, mask: 0, not };
  }
  const net = parseV4(addr);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new SdfParseError(`bad IPv4 address '${tok}'`);
  // signed 32-bit, as the packet path computes addresses (no heap numbers above 2^31)
  const mask = bits === 0 ? 0 : 0xffffffff << (32 - bits);
  return { kind: 2, net: net & mask, mask, not };
}

function parsePorts(tok: string): Int32Array | undefined {
  if (!/^[0-9,-]+$/.test(tok)) return undefined;
  const out: number[] = [];
  for (const part of tok.split(',')) {
    const [lo, hi] = part.split('-');
    const a = Number(lo), b = hi === undefined ? a : Number(hi);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > 65535 || a > b || lo === '' || hi === '') throw new SdfParseError(`bad port range '${part}'`);
    out.push(a, b);
  }
  return Int32Array.from(out);
}

/** Parses one Flow Description (TS 29.212 5.4.2). Throws SdfParseError for what it cannot match. */
export function parseFlowDescription(text: string, tos?: number): CompiledSdf {
  const t = text.trim().split(/\s+/);
  let i = 0;
  const next = (what: string) => {
    const x = t[i++];
    if (x === undefined) throw new SdfParseError(`'${text}': ${what} missing`);
    return x;
  };
  if (next('action') !== 'permit') throw new SdfParseError(`'${text}': only "permit" is allowed (TS 29.212 5.4.2)`);
  if (next('direction') !== 'out') throw new SdfParseError(`'${text}': only "out" is allowed (TS 29.212 5.4.2)`);
  const protoText = next('protocol');
  const proto = protoText === 'ip' ? -1 : Number(protoText);
  if (!Number.isInteger(proto) || proto < -1 || proto > 255) throw new SdfParseError(`'${text}': bad protocol '${protoText}'`);
  if (next('from') !== 'from') throw new SdfParseError(`'${text}': "from" expected`);
  const remote = parseAddress(next('source address'));
  let remotePorts: Int32Array | undefined;
  let x = next('"to"');
  if (x !== 'to') {
    remotePorts = parsePorts(x);
    if (!remotePorts) throw new SdfParseError(`'${text}': bad source ports '${x}'`);
    x = next('"to"');
  }
  if (x !== 'to') throw new SdfParseError(`'${text}': "to" expected`);
  const ue = parseAddress(next('destination address'));
  let uePorts: Int32Array | undefined;
  if (i < t.length) {
    uePorts = parsePorts(t[i]);
    if (uePorts) i++;
  }
  if (i < t.length) throw new SdfParseError(`'${text}': option '${t[i]}' is not supported`);
  if ((remotePorts || uePorts) && proto !== 6 && proto !== 17 && proto !== 132) throw new SdfParseError(`'${text}': ports need TCP, UDP or SCTP`);
  return { proto, remoteKind: remote.kind, remoteNet: remote.net, remoteMask: remote.mask, remoteNot: remote.not, remotePorts, ueKind: ue.kind, ueNet: ue.net, ueMask: ue.mask, ueNot: ue.not, uePorts, tos: tos === undefined ? -1 : tos >> 8, tosMask: tos === undefined ? 0 : tos & 0xff, text };
}

function addressMatches(kind: number, net: number, mask: number, not: boolean, a: number, ueAddress: number): boolean {
  let hit: boolean;
  if (kind === 0) hit = true;
  else if (kind === 1) hit = a === ueAddress;
  else if (kind === 2) hit = (a & mask) === net;
  else hit = false;
  return hit !== not;
}

function portMatches(ranges: Int32Array | undefined, port: number): boolean {
  if (!ranges) return true;
  if (port < 0) return false;
  for (let i = 0; i < ranges.length; i += 2) if (port >= ranges[i] && port <= ranges[i + 1]) return true;
  return false;
}

/**
 * Whether the IPv4 packet at `b[at..]` matches `f`. `uplink`: the packet goes from the UE (its
 * source is the rule's "to"), else to the UE. `ueAddress` stands for "assigned" (signed 32-bit,
 * like every address here: `a | 0` of the dotted quad's number).
 */
export function sdfMatches(f: CompiledSdf, b: Uint8Array, at: number, length: number, uplink: boolean, ueAddress: number): boolean {
  if (length < 20 || b[at] >> 4 !== 4) return false;
  const proto = b[at + 9];
  if (f.proto >= 0 && proto !== f.proto) return false;
  if (f.tos >= 0 && (b[at + 1] & f.tosMask) !== (f.tos & f.tosMask)) return false;
  const src = (b[at + 12] << 24) | (b[at + 13] << 16) | (b[at + 14] << 8) | b[at + 15];
  const dst = (b[at + 16] << 24) | (b[at + 17] << 16) | (b[at + 18] << 8) | b[at + 19];
  const ueSide = uplink ? src : dst;
  const remoteSide = uplink ? dst : src;
  if (!addressMatches(f.remoteKind, f.remoteNet, f.remoteMask, f.remoteNot, remoteSide, ueAddress) || !addressMatches(f.ueKind, f.ueNet, f.ueMask, f.ueNot, ueSide, ueAddress)) return false;
  if (!f.remotePorts && !f.uePorts) return true;
  // ports: only in the first fragment, after the IPv4 header
  const ihl = (b[at] & 15) * 4;
  const firstFragment = (((b[at + 6] << 8) | b[at + 7]) & 0x1fff) === 0;
  const hasPorts = firstFragment && length >= ihl + 4;
  const sport = hasPorts ? (b[at + ihl] << 8) | b[at + ihl + 1] : -1;
  const dport = hasPorts ? (b[at + ihl + 2] << 8) | b[at + ihl + 3] : -1;
  return portMatches(f.remotePorts, uplink ? dport : sport) && portMatches(f.uePorts, uplink ? sport : dport);
}
