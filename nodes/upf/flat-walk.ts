// The UPF's flat SDF precedence walk (issue 20, docs/decisions/20-multi-pdr-speed.md): among the
// PDRs of a shared TEID and QFI whose PDI matches, the one of highest precedence (TS 29.244 5.2.1),
// decided from int32 candidates and filters read in one pass. Called per packet by
// UpfDatapath.uplinkChecked (datapath.ts); its words are written by walkWords below (for install.ts
// writeClassifier), beside the reader of the same layout; tested against sdfMatches in
// test/upf/flat-walk.test.ts.

import { WALK_FILTER as FILTER, type PdrState } from './tables.ts';

/**
 * The precedence walk over a flat candidate list at `t[at]` (the datapath's `classifiers`, written
 * by walkWords, placed by install.ts writeClassifier): the same decision as UpfDatapath's
 * classify() over the same PDRs, with the packet's fields read once and every candidate and
 * filter in consecutive int32 — [n, then per candidate: slot, flags (1:
 * uplink, 2: UE address condition), UE address, filters f, then f filters of WALK_FILTER words:
 * protocol or -1, ToS (value | mask << 8 | 1 << 16, or 0), remote net, mask, UE-side net, mask,
 * negations (1: remote, 2: UE side), remote port lo, hi, UE-side port lo, hi (lo -1: any port,
 * even none)]. sdfMatches' address kinds are folded into net and mask: any is mask 0, "assigned"
 * the PDR's address under mask -1, IPv6 a net no masked address equals.
 */
export function flatWalk(t: Int32Array, at: number, b: Uint8Array, start: number, length: number): number {
  let src = 0, dst = 0, proto = -1, tos = 0, sport = -1, dport = -1;
  const long = length >= 20;
  if (long) {
    src = (b[start + 12] << 24) | (b[start + 13] << 16) | (b[start + 14] << 8) | b[start + 15];
    dst = (b[start + 16] << 24) | (b[start + 17] << 16) | (b[start + 18] << 8) | b[start + 19];
    if (b[start] >> 4 === 4) {
      proto = b[start + 9];
      tos = b[start + 1];
      // ports: only in the first fragment, after the IPv4 header
      const ihl = (b[start] & 15) * 4;
      if ((((b[start + 6] << 8) | b[start + 7]) & 0x1fff) === 0 && length >= ihl + 4) {
        sport = (b[start + ihl] << 8) | b[start + ihl + 1];
        dport = (b[start + ihl + 2] << 8) | b[start + ihl + 3];
      }
    }
  }
  const n = t[at];
  let c = at + 1;
  for (let i = 0; i < n; i++) {
    const flags = t[c + 1], next = c + 4 + t[c + 3] * FILTER;
    const uplink = (flags & 1) !== 0;
    if (!(flags & 2) || (long && (uplink ? src : dst) === t[c + 2])) {
      if (next === c + 4) return t[c];
      if (proto >= 0) {
        const ueSide = uplink ? src : dst, remoteSide = uplink ? dst : src;
        const uePort = uplink ? sport : dport, remotePort = uplink ? dport : sport;
        for (let g = c + 4; g < next; g += FILTER) {
          const x = t[g], tw = t[g + 1], nots = t[g + 6];
          if ((x >= 0 && x !== proto) || (tw !== 0 && (tos & (tw >> 8) & 0xff) !== (tw & 0xff))) continue;
          if (((remoteSide & t[g + 3]) === t[g + 2]) === ((nots & 1) !== 0) || ((ueSide & t[g + 5]) === t[g + 4]) === ((nots & 2) !== 0)) continue;
          if (remotePort < t[g + 7] || remotePort > t[g + 8] || uePort < t[g + 9] || uePort > t[g + 10]) continue;
          return t[c];
        }
      }
    }
    c = next;
  }
  return -1;
}

/**
 * A QFI's candidates (in precedence order) as flatWalk reads them, or undefined when a filter has
 * several port ranges (the walk over the objects matches those). The address kinds of sdf.ts
 * (addressMatches) become net and mask here.
 */
export function walkWords(list: PdrState[]): number[] | undefined {
  const out = [list.length];
  const address = (kind: number, net: number, mask: number, assigned: number): [number, number] => (kind === 0 ? [0, 0] : kind === 1 ? [assigned, -1] : kind === 2 ? [net, mask] : [1, 0]);
  const ports = (r: Int32Array | undefined): [number, number] | undefined => (!r ? [-1, 0xffff] : r.length === 2 ? [r[0], r[1]] : undefined);
  for (const p of list) {
    out.push(p.slot, (p.uplink ? 1 : 0) | (p.hasUe ? 2 : 0), p.ue, p.sdf.length);
    for (const f of p.sdf) {
      const rp = ports(f.remotePorts), up = ports(f.uePorts);
      if (!rp || !up) return undefined;
      const tw = f.tos >= 0 ? (f.tos & f.tosMask & 0xff) | ((f.tosMask & 0xff) << 8) | (1 << 16) : 0;
      out.push(f.proto, tw, ...address(f.remoteKind, f.remoteNet, f.remoteMask, p.assigned), ...address(f.ueKind, f.ueNet, f.ueMask, p.assigned), (f.remoteNot ? 1 : 0) | (f.ueNot ? 2 : 0), ...rp, ...up);
    }
  }
  return out;
}
