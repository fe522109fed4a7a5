// The sending process of benchmarks/transport.bench.ts: blasts raw UDP datagrams or SCTP-shim
// messages at the parent for a bounded time, then exits.
import dgram from 'node:dgram';
import { SctpUdpEndpoint } from '../transport/sctp-udp/endpoint.ts';

const [mode, host, portText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const until = Date.now() + Number(secondsText) * 1000;
const payload = new Uint8Array(100).fill(7);

if (mode === 'dgram') {
  const s = dgram.createSocket('udp4');
  const pump = () => {
    for (let i = 0; i < 64; i++) s.send(payload, port, host);
    if (Date.now() < until) setImmediate(pump);
    else s.close();
  };
  s.bind(0, '127.1.0.92', pump);
} else {
  const ep = await SctpUdpEndpoint.open({ address: '127.1.0.92', udpPort: 0, timers: { rtoMinMs: 50, rtoInitialMs: 100, sackDelayMs: 5 } });
  const a = await ep.connect({ address: host, udpPort: port });
  const pump = () => {
    while (a.bufferedChunks < 512) a.send(0, 60, payload);
    if (Date.now() < until) setTimeout(pump, 0);
    else void ep.close().then(() => process.exit(0));
  };
  pump();
}
