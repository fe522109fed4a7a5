export * from './types.ts';
export * from './ies.ts';
export * from './message.ts';
export * from './build.ts';
export { dissectPfcp, pfcpToJson } from './dissect.ts';
export * from './build-n9.ts';
