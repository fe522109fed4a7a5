export * from './ies.ts';
export * from './message.ts';
export * from './security.ts';
export { MESSAGES, MESSAGE_BY_NAME, type MessageDef, type Row } from './tables.ts';
export { dissectNas, nasToJson } from './dissect.ts';
