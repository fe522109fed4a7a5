export { ByteReader } from './reader.ts';
export { ByteWriter } from './writer.ts';
export { DecodeError, DecodeErrorCode, EncodeError, decodeSafely, type DecodeErrorDetails } from './errors.ts';
export { toHex, fromHex, bytesEqual } from './hex.ts';
export { crc32c, sctpChecksum, writeSctpChecksum, readSctpChecksum, onesSum, foldChecksum, internetChecksum } from './checksum.ts';
export { toJsonValue, type JsonValue, type DissectedMessage } from './json.ts';
export { parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from './ip.ts';
export { encodeMultipart, decodeMultipart, MULTIPART_RELATED, type MultipartPart } from './multipart.ts';
export { concatBytes } from './concat.ts';
