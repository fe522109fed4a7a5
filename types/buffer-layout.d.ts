// The part of buffer-layout (1.2, CommonJS, no bundled types) wire5g measures: fixed structures.
declare module 'buffer-layout' {
  export interface Layout<T = unknown> {
    span: number;
    decode(b: Buffer, offset?: number): T;
    encode(src: T, b: Buffer, offset?: number): number;
  }
  export function struct<T = Record<string, unknown>>(fields: Layout[], property?: string): Layout<T>;
  export function u8(property?: string): Layout<number>;
  export function u16be(property?: string): Layout<number>;
  export function u32be(property?: string): Layout<number>;
  export function nu64be(property?: string): Layout<number>;
  export function blob(length: number, property?: string): Layout<Buffer>;
  const _default: { struct: typeof struct; u8: typeof u8; u16be: typeof u16be; u32be: typeof u32be; nu64be: typeof nu64be; blob: typeof blob };
  export default _default;
}
