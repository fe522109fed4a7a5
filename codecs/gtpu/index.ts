export * from './gtpu.ts';
export * from './ext/pdu-session-container.ts';
export * from './view.ts';
export * from './build.ts';
export { dissectGtpu, gtpuToJson } from './dissect.ts';
export { GpduFrame, decodeGpduInto, tPduOf, writeGpduFrom, writeGpduHeader, writeGpduHeaderAt } from './g-pdu-into.ts';
