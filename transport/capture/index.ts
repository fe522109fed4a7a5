export { Capture, type CaptureOptions } from './capture.ts';
export { PcapngWriter, FileSink, LinkType, type PcapngPacket, type PcapngSink } from './pcapng.ts';
export * from './synth.ts';
