// Numbers for a PFCP endpoint's peers and for their requests, the keys of its maps: a template
// string per message (`address:port/seq`) and its hashing in each map were most of the endpoint's
// own time per message (issue 21 goal 3, docs/decisions/21-ran-path-3.md).

import type { Endpoint } from '../tap.ts';

export class PeerIds {
  /** By address, then port. */
  private readonly ids = new Map<string, Map<number, number>>();
  private next = 0;

  /** The peer's number: made on first sight and kept (one per address and port the endpoint has exchanged PFCP with). */
  of(peer: Endpoint): number {
    let byPort = this.ids.get(peer.address);
    if (byPort === undefined) this.ids.set(peer.address, (byPort = new Map()));
    let id = byPort.get(peer.port);
    if (id === undefined) byPort.set(peer.port, (id = this.next++));
    return id;
  }

  /** A request of the peer's by its sequence number (24 bits, TS 29.244 7.2.2.1): one number, exact below 2^53. */
  request(peer: Endpoint, seq: number): number {
    return this.of(peer) * 0x1000000 + seq;
  }

  /**
   * Deletes the peer's requests from `byRequest` (keyed by `request`): a peer that restarted on the
   * same address and port (TS 29.244 6.2.2) keeps its number but numbers its requests anew, so what
   * was kept for the requests of the peer that went away (the responses of TS 29.244 6.4) is not
   * for its requests.
   */
  forgetRequests(byRequest: Map<number, unknown>, peer: Endpoint): void {
    const first = this.request(peer, 0);
    for (const k of byRequest.keys()) if (k >= first && k < first + 0x1000000) byRequest.delete(k);
  }
}
