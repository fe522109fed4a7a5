// The far end of the socket forwarding figure in benchmarks/upf.bench.ts, in its own process: a
// GTP-U peer that keeps `window` G-PDUs in flight towards a forwarder (the UPF or a raw
// node:dgram forwarder), sends one more for each that comes back, and prints how many came back
// per second after a warm-up.
import dgram from 'node:dgram';
import { encodeGtpu, gPdu } from '../codecs/gtpu/index.ts';
import { udpPacket } from '../transport/capture/synth.ts';

const [own, target, targetPortText, teidsText, secondsText, windowText] = process.argv.slice(2);
const teids = teidsText.split(',').map(Number);
const payload = udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '198.51.100.1', port: 9 }, new Uint8Array(64));
const packets = teids.map((t) => encodeGtpu(gPdu(t, payload, { pduType: 1, qfi: 9 })));
const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
let next = 0;
let received = 0;
let counting = false;
const send = () => s.send(packets[next++ % packets.length], Number(targetPortText), target);
s.on('message', () => {
  if (counting) received++;
  send();
});
s.bind(2152, own, () => {
  for (let i = 0; i < Number(windowText); i++) send();
  setTimeout(() => {
    counting = true;
    const t0 = performance.now();
    setTimeout(() => {
      counting = false;
      const seconds = (performance.now() - t0) / 1000;
      process.stdout.write(JSON.stringify({ packetsPerSecond: received / seconds }) + '\n');
      s.close();
    }, Number(secondsText) * 1000);
  }, 200);
});
