// N6 towards servers outside the built-in data network: a UDP datagram a UE sends to a routed
// destination (address and port in the data network, e.g. the PVS of an onboarding SNPN, TS
// 23.501 5.30.2.10.4) leaves the UPF from a socket of its own address to the server's real
// endpoint; the server's answers come back on that socket and go down the UE's tunnel as
// IPv4/UDP from the routed destination. One socket per flow (UE address and port, destination),
// closed once the answer came (the routed servers answer a request once) or after FLOW_IDLE_MS
// without one; the ledger counts the open flows.

import dgram from 'node:dgram';
import { nullTap, type WireTap, type Endpoint } from '../../transport/tap.ts';
import type { Clock, TimerHandle } from '../../transport/clock.ts';
import { udpDatagram, parseDownlinkPacket } from '../ue/user-plane.ts';
import { DOWNLINK_HEADROOM } from './datapath.ts';

/** A destination of the data network served by a real endpoint. */
export interface N6Route {
  /** The address and port the UE sends to (in the data network). */
  address: string;
  port: number;
  /** The server's socket. */
  to: Endpoint;
}

/** How long a flow stays open after its last datagram. */
export const FLOW_IDLE_MS = 2_000;

interface Flow {
  socket: dgram.Socket;
  local?: Endpoint;
  queue: Uint8Array[];
  timer?: TimerHandle;
}

export class N6Relay {
  private readonly flows = new Map<string, Flow>();
  private readonly tap: WireTap;
  private readonly o: { address: string; routes: readonly N6Route[]; clock: Clock; tap?: WireTap; log?: (line: string) => void };
  /** Injects a downlink IPv4 packet at `b[offset, offset+length)` with DOWNLINK_HEADROOM before it. */
  private readonly downlink: (b: Uint8Array, offset: number, length: number) => void;

  constructor(o: N6Relay['o'], downlink: N6Relay['downlink']) {
    this.o = o;
    this.downlink = downlink;
    this.tap = o.tap ?? nullTap;
  }

  get openFlows(): number {
    return this.flows.size;
  }

  /** An uplink IPv4 packet: relayed (true) when it is UDP to a routed destination. */
  uplink(packet: Uint8Array): boolean {
    if (this.o.routes.length === 0) return false;
    const p = parseDownlinkPacket(packet); // the same IPv4/UDP checks either way
    if (p.kind !== 'udp') return false;
    const route = this.o.routes.find((r) => r.address === p.dst && r.port === p.dstPort);
    if (!route) return false;
    const key = `${p.src}:${p.srcPort}>${p.dst}:${p.dstPort}`;
    let flow = this.flows.get(key);
    if (!flow) flow = this.open(key, route, p.src, p.srcPort);
    this.touch(key, flow);
    const payload = Uint8Array.from(p.payload);
    if (flow.local) this.send(flow, route, payload);
    else flow.queue.push(payload);
    return true;
  }

  async close(): Promise<void> {
    for (const key of [...this.flows.keys()]) this.end(key);
  }

  private open(key: string, route: N6Route, ue: string, uePort: number): Flow {
    const socket = dgram.createSocket('udp4');
    const flow: Flow = { socket, queue: [] };
    this.flows.set(key, flow);
    socket.on('error', (e) => {
      this.o.log?.(`[UPF] N6 flow ${key}: ${e.message}`);
      this.end(key);
    });
    socket.on('message', (msg, rinfo) => {
      const payload = new Uint8Array(msg);
      if (flow.local) this.tap.udp({ address: rinfo.address, port: rinfo.port }, flow.local, payload);
      this.touch(key, flow);
      const ip = udpDatagram(route.address, route.port, ue, uePort, payload);
      const b = new Uint8Array(DOWNLINK_HEADROOM + ip.length);
      b.set(ip, DOWNLINK_HEADROOM);
      this.downlink(b, DOWNLINK_HEADROOM, ip.length);
      // the routed servers answer each request once (the PVS's CoAP: RFC 7252 5.2.1): the exchange is over
      this.end(key);
    });
    socket.bind(0, this.o.address, () => {
      flow.local = { address: this.o.address, port: socket.address().port };
      for (const q of flow.queue.splice(0)) this.send(flow, route, q);
    });
    return flow;
  }

  private send(flow: Flow, route: N6Route, payload: Uint8Array): void {
    this.tap.udp(flow.local!, route.to, payload);
    flow.socket.send(payload, route.to.port, route.to.address);
  }

  private touch(key: string, flow: Flow): void {
    this.o.clock.clearTimeout(flow.timer);
    flow.timer = this.o.clock.setTimeout(() => this.end(key), FLOW_IDLE_MS);
  }

  private end(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    this.o.clock.clearTimeout(flow.timer);
    try {
      flow.socket.close();
    } catch {
      // already closed after an error
    }
  }
}
