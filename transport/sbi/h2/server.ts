// A listening socket whose connections speak wire5g's own HTTP/2 as the server (h2c with prior
// knowledge, RFC 9113 3.3): each complete request goes to `onRequest`.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { H2Connection } from './connection.ts';
import type { H2Stream } from './stream.ts';

export class OwnHttp2Server {
  private readonly server: net.Server;
  private readonly connections = new Set<H2Connection>();

  constructor(onRequest: (s: H2Stream) => void, log?: (line: string) => void) {
    this.server = net.createServer((socket) => {
      const c = new H2Connection({ role: 'server', socket, onRequest, ...(log ? { log } : {}), onClose: () => this.connections.delete(c) });
      this.connections.add(c);
    });
  }

  listen(port: number, address: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** GOAWAY to every connection; those whose streams do not finish within a second are destroyed. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    const timer = setTimeout(() => {
      for (const c of this.connections) c.destroy();
    }, 1000);
    timer.unref();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    clearTimeout(timer);
  }
}
