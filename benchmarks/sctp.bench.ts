// SCTP over UDP (issue 6): messages per second through the shim over loopback between two
// processes, against raw node:dgram datagrams per second measured the same way in the same run
// (the ratio is the shim's cost), plus the packet codec's per-packet costs.
//
// This file is also the receiving process: the parent spawns `node --import tsx sctp.bench.ts
// --receiver <mode> <address>`, which binds, reports its port over IPC, counts what arrives
// and, when told to stop, reports the count and the time between the first and last arrival.
// Reference: on this kind of machine node:dgram receives about 0.3 million datagrams per second
// on one core. Every measurement is bounded (SECONDS of sending).

import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSuite, type BenchResult } from './lib.ts';
import { SctpUdpEndpoint } from '../transport/sctp-udp/endpoint.ts';
import { encodeSctpPacket, decodeSctpPacket, decodeDataChunk, dataChunk, sackChunk, SctpChunkType } from '../codecs/sctp/index.ts';
import { crc32c } from '../codecs/bytes/checksum.ts';

const SECONDS = 2;
const PAYLOAD = 100; // octets: the size of a small NGAP message
const RECEIVER = '127.1.0.201';
const SENDER = '127.1.0.202';

type ToParent = { ready: number } | { count: number; ms: number };

// --- the receiving process --------------------------------------------------------------------

async function receiver(mode: string, address: string): Promise<void> {
  let n = 0, first = 0, last = 0;
  const tick = () => {
    if (n++ === 0) first = performance.now();
    last = performance.now();
  };
  const send = (m: ToParent) => process.send!(m);
  let stop: () => Promise<void>;
  if (mode === 'dgram') {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    s.on('message', tick);
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    stop = () => new Promise<void>((r) => s.close(() => r()));
    send({ ready: s.address().port });
  } else {
    const ep = await SctpUdpEndpoint.listen({ address, udpPort: 0, timers: { rtoInitialMs: 200, rtoMinMs: 100, sackDelayMs: 200 } });
    ep.on('association', (a) => a.on('message', tick));
    stop = () => ep.close();
    send({ ready: ep.local.port });
  }
  process.on('message', () => {
    void stop().then(() => {
      send({ count: n, ms: last - first });
      process.disconnect();
    });
  });
}

// --- the measuring process -----------------------------------------------------------------------

function spawnReceiver(mode: 'dgram' | 'sctp'): Promise<{ child: ChildProcess; port: number; result: Promise<{ count: number; ms: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--receiver', mode, RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let done: (r: { count: number; ms: number }) => void = () => {};
    const result = new Promise<{ count: number; ms: number }>((r) => (done = r));
    child.on('message', (m: ToParent) => ('ready' in m ? resolve({ child, port: m.ready, result }) : done(m)));
    child.on('error', reject);
  });
}

function rate(name: string, count: number, ms: number): BenchResult {
  const perSec = (count * 1000) / ms;
  return { name, nsPerOp: 1e9 / perSec, opsPerSec: perSec, samples: count, rme: null };
}

const DGRAM = 'raw node:dgram: datagrams received per second (100 B, sender in another process)';
const SHIM = 'SCTP-over-UDP shim: messages received per second (100 B, PPID 60, sender in another process)';

async function dgramRate(): Promise<BenchResult> {
  const r = await spawnReceiver('dgram');
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, SENDER, () => ok()));
  s.connect(r.port, RECEIVER);
  await new Promise((ok) => s.once('connect', ok));
  const payload = new Uint8Array(PAYLOAD).fill(7);
  const end = performance.now() + SECONDS * 1000;
  await new Promise<void>((ok) => {
    const pump = () => {
      for (let i = 0; i < 64; i++) s.send(payload);
      if (performance.now() < end) setImmediate(pump);
      else ok();
    };
    pump();
  });
  await new Promise((ok) => setTimeout(ok, 200));
  s.close();
  r.child.send('stop');
  const { count, ms } = await r.result;
  return rate(DGRAM, count, ms);
}

async function shimRate(): Promise<BenchResult> {
  const r = await spawnReceiver('sctp');
  const a = await SctpUdpEndpoint.connect({ localAddress: SENDER, remoteAddress: RECEIVER, remoteUdpPort: r.port, timers: { rtoInitialMs: 200, rtoMinMs: 100, sackDelayMs: 200 } });
  const payload = new Uint8Array(PAYLOAD).fill(7);
  const end = performance.now() + SECONDS * 1000;
  await new Promise<void>((ok) => {
    const pump = () => {
      // keep about 1,000 messages queued or in flight: backpressure through bufferedChunks
      while (a.bufferedChunks < 1000) a.send(0, 60, payload);
      if (performance.now() < end) setImmediate(pump);
      else ok();
    };
    pump();
  });
  await new Promise<void>((ok) => {
    const drained = () => (a.bufferedChunks === 0 ? ok() : setTimeout(drained, 5));
    drained();
  });
  const retransmitted = a.stats.retransmitted;
  a.close();
  await new Promise((ok) => setTimeout(ok, 100));
  r.child.send('stop');
  const { count, ms } = await r.result;
  if (retransmitted) console.log(`sctp bench: ${retransmitted} DATA chunks retransmitted during the run`);
  return rate(SHIM, count, ms);
}

async function main(): Promise<void> {
  const loopback = [await dgramRate(), await shimRate()];
  for (const r of loopback) console.log(`${r.name}: ${Math.round(r.opsPerSec).toLocaleString('en')}/s`);
  const payload = new Uint8Array(PAYLOAD).fill(7);
  const packet = encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: 0x1234, chunks: [sackChunk({ cumulativeTsnAck: 1, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] }), dataChunk({ flags: 3, tsn: 2, streamId: 0, streamSeq: 0, ppid: 60, userData: payload })] });
  await runSuite(
    'sctp',
    [
      // the packet the decode row reads: a SACK and a DATA chunk (the name said so; only the DATA was encoded)
      { name: 'encode SACK + DATA packet (100 B user data) with CRC32c', fn: () => encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: 0x1234, chunks: [sackChunk({ cumulativeTsnAck: 1, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] }), dataChunk({ flags: 3, tsn: 2, streamId: 0, streamSeq: 0, ppid: 60, userData: payload })] }) },
      {
        name: 'decode SACK + DATA packet, checksum verified, DATA fields read',
        fn: () => {
          const p = decodeSctpPacket(packet);
          for (const c of p.chunks) if (c.type === SctpChunkType.DATA) decodeDataChunk(c);
          return p;
        },
      },
      { name: 'CRC32c over a 144-octet packet (slicing-by-8 tables)', fn: () => crc32c(packet) },
    ],
    {
      extraResults: loopback,
      ratios: [['SCTP shim cost per message vs a raw dgram datagram (ns per message ratio)', SHIM, DGRAM]],
      notes: { reference: { 'node:dgram receive rate on one core (datagrams/s)': 300_000 }, secondsPerMeasurement: SECONDS, payloadOctets: PAYLOAD },
    },
  );
}

if (process.argv[2] === '--receiver') await receiver(process.argv[3], process.argv[4]);
else await main();
