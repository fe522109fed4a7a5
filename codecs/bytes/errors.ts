// The one error every wire5g decoder throws on bad bytes.
//
// A decoder never lets a RangeError, TypeError or any other exception escape on malformed
// input: it throws DecodeError with the protocol, the byte offset where decoding stopped and
// the field path that was being read, plus a stable code a node can map to its protocol's own
// error answer (NGAP clause 10, 5GMM/5GSM causes #96-#111, PFCP causes 64-69, ProblemDetails).

export const DecodeErrorCode = {
  /** Fewer bytes than the field needs ("need more bytes" for a streaming framer). */
  TRUNCATED: 'TRUNCATED',
  /** A length field disagrees with the bytes around it or with the field's allowed size. */
  BAD_LENGTH: 'BAD_LENGTH',
  /** A field holds a value the specification does not allow. */
  BAD_VALUE: 'BAD_VALUE',
  /** A message or IE type that the decoder cannot interpret (and may not skip). */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** Bytes remain after a complete message where the spec allows none. */
  TRAILING_BYTES: 'TRAILING_BYTES',
  /** A mandatory IE is absent (PFCP cause 66, NGAP "missing IE", 5GMM/5GSM cause #96). */
  MISSING_IE: 'MISSING_IE',
  /** Grouped IEs or nested containers deeper than the decoder accepts. */
  TOO_DEEP: 'TOO_DEEP',
} as const;
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

export interface DecodeErrorDetails {
  /** Protocol name as used in captures: 'gtpu', 'pfcp', 'nas-5gs', 'ngap', 'sctp', 'pcapng', ... */
  readonly protocol: string;
  readonly code: DecodeErrorCode;
  /** Offset in bytes from the start of the buffer handed to the top-level decoder. */
  readonly offset: number;
  /** Dotted field path, e.g. `SessionEstablishmentRequest.CreatePDR[1].PDI.F-TEID`. */
  readonly path: string;
  readonly reason: string;
  /** Protocol-specific information for the error answer, e.g. the PFCP IE type or NGAP IE id. */
  readonly ie?: number;
}

export class DecodeError extends Error implements DecodeErrorDetails {
  readonly protocol: string;
  readonly code: DecodeErrorCode;
  readonly offset: number;
  readonly path: string;
  readonly reason: string;
  readonly ie?: number;

  constructor(details: DecodeErrorDetails) {
    super(`${details.protocol}: ${details.code} at offset ${details.offset}${details.path ? ` (${details.path})` : ''}: ${details.reason}`);
    this.name = 'DecodeError';
    this.protocol = details.protocol;
    this.code = details.code;
    this.offset = details.offset;
    this.path = details.path;
    this.reason = details.reason;
    if (details.ie !== undefined) this.ie = details.ie;
  }

  toJSON(): DecodeErrorDetails {
    const { protocol, code, offset, path, reason, ie } = this;
    return ie === undefined ? { protocol, code, offset, path, reason } : { protocol, code, offset, path, reason, ie };
  }
}

/**
 * What a decoder accepted although the standard's sender would not have sent it, the way
 * Wireshark and asn1c-based peers accept it (issue 12, "accept what the field sends"): a decoder
 * given a `warnings` list pushes one per anomaly and goes on; without a list it is silent. What
 * the standards make fatal stays a DecodeError.
 */
export const DecodeWarningCode = {
  /** Zero octets after a complete message (NGAP-PDU padded by its sender). */
  TRAILING_PADDING: 'TRAILING_PADDING',
  /** A PFCP node-related message with the S flag set (TS 29.244 7.2.2.1: 0 there); the SEID is ignored. */
  SEID_ON_NODE_MESSAGE: 'SEID_ON_NODE_MESSAGE',
  /** Octets in the datagram beyond what the message's length field covers (GTP-U); ignored. */
  BEYOND_LENGTH: 'BEYOND_LENGTH',
} as const;
export type DecodeWarningCode = (typeof DecodeWarningCode)[keyof typeof DecodeWarningCode];

export interface DecodeWarning {
  readonly protocol: string;
  readonly code: DecodeWarningCode;
  /** Offset in bytes of the anomaly from the start of the decoded buffer. */
  readonly offset: number;
  readonly path: string;
  readonly reason: string;
}

/** Thrown by encoders when a value cannot be represented on the wire (out of range, too long). */
export class EncodeError extends Error {
  readonly protocol: string;
  readonly path: string;
  constructor(protocol: string, path: string, reason: string) {
    super(`${protocol}: cannot encode ${path}: ${reason}`);
    this.name = 'EncodeError';
    this.protocol = protocol;
    this.path = path;
  }
}

/**
 * Runs a decoder and converts any stray exception into a DecodeError, for the outermost layer
 * only (CLI, node receive paths). Codecs themselves must not rely on it: the fuzz tests call the
 * raw decoders and fail on anything that is not a DecodeError.
 */
export function decodeSafely<T>(protocol: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError({ protocol, code: 'BAD_VALUE', offset: -1, path: '', reason: `internal decoder fault: ${String(e)}` });
  }
}
