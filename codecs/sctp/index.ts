// SCTP packet codec (RFC 4960 clause 3): the common header with its CRC32c, every chunk of the
// base protocol, and the typed decoder `decodeSctp` used by `wire5g decode`.
export * from './packet.ts';
