// Errors of wire5g's own HTTP/2 (RFC 9113 7): the codes, a connection error with its code, and
// the error a request gets when its connection closes or refuses it (retryable by the caller).

/** RFC 9113 7: error codes. */
export const H2Error = {
  NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, SETTINGS_TIMEOUT: 4, STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9,
} as const;

/** What the peer did wrong: answered with GOAWAY and this code. */
export class H2ProtocolError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'H2ProtocolError';
    this.code = code;
  }
}

/** A request whose connection closed, went away or reset it: `code` is ECONNRESET as for a socket. */
export class H2ClosedError extends Error {
  readonly code = 'ECONNRESET';
  /** The RFC 9113 7 code of the reset, when there was one. */
  readonly http2Code: number | undefined;
  constructor(message: string, http2Code?: number) {
    super(message);
    this.name = 'H2ClosedError';
    this.http2Code = http2Code;
  }
}
