// JSON Patch (IETF RFC 6902) over JSON Pointers (IETF RFC 6901), as Nnrf_NFManagement_NFUpdate
// carries it (TS 29.510 5.2.2.3.1: PATCH with application/json-patch+json, PatchItem[]). Pure: the
// document is copied, the patch applied in order, and the first operation that cannot be applied
// fails the whole patch (RFC 6902 section 5), leaving the original untouched.

export interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** A patch that cannot be applied: the index of the operation and why. */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

type Container = Record<string, unknown> | unknown[];

/** RFC 6901 section 3-4: '/a/b~1c' -> ['a', 'b/c']; '' is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`'${pointer}' is not a JSON Pointer (RFC 6901: it starts with '/')`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** The container holding the last token of `tokens`, and that token. */
function parentOf(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (!isContainer(node)) throw new JsonPatchError(`${pointer}: '${t}' is under a value that is not an object or array`);
    node = Array.isArray(node) ? node[arrayIndex(node, t, pointer, false)] : node[t];
    if (node === undefined) throw new JsonPatchError(`${pointer}: no member '${t}'`);
  }
  if (!isContainer(node)) throw new JsonPatchError(`${pointer}: the target's parent is not an object or array`);
  return { parent: node, key: tokens[tokens.length - 1] };
}

/** RFC 6901 section 4 array index ('-' only where adding appends). */
function arrayIndex(arr: unknown[], token: string, pointer: string, adding: boolean): number {
  if (adding && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`${pointer}: '${token}' is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!adding && i === arr.length)) throw new JsonPatchError(`${pointer}: index ${i} is out of the array (length ${arr.length})`);
  return i;
}

function get(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, key, pointer, false)] : Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined;
  if (v === undefined) throw new JsonPatchError(`${pointer}: no such member`);
  return v;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens.length) throw new JsonPatchError('removing the whole document is not allowed');
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, pointer, false), 1)[0];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new JsonPatchError(`${pointer}: no such member to remove`);
  const v = parent[key];
  delete parent[key];
  return v;
}

/** Adds (RFC 6902 4.1); returns the new document (it changes when the pointer is ''). */
function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Applies `patch` to a copy of `doc` (RFC 6902 section 4); throws JsonPatchError naming the failing operation. */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  if (!Array.isArray(patch)) throw new JsonPatchError('a JSON Patch is an array of operations (RFC 6902 section 3)');
  let out: unknown = structuredClone(doc);
  patch.forEach((p: unknown, i) => {
    const o = p as Partial<PatchOperation>;
    const at = `operation ${i}`;
    if (!isContainer(p) || typeof o.op !== 'string' || typeof o.path !== 'string') throw new JsonPatchError(`${at}: needs 'op' and 'path' strings`);
    const needsValue = o.op === 'add' || o.op === 'replace' || o.op === 'test';
    if (needsValue && !('value' in o)) throw new JsonPatchError(`${at} (${o.op} ${o.path}): 'value' is required`);
    try {
      switch (o.op) {
        case 'add':
          out = add(out, o.path, structuredClone(o.value));
          break;
        case 'remove':
          remove(out, o.path);
          break;
        case 'replace':
          // RFC 6902 4.3: the target must exist
          get(out, o.path);
          if (o.path === '') out = structuredClone(o.value);
          else {
            remove(out, o.path);
            out = add(out, o.path, structuredClone(o.value));
          }
          break;
        case 'move':
        case 'copy': {
          if (typeof o.from !== 'string') throw new JsonPatchError(`'from' is required`);
          if (o.op === 'move' && (o.path === o.from || o.path.startsWith(`${o.from}/`))) {
            if (o.path === o.from) break;
            throw new JsonPatchError(`cannot move ${o.from} into one of its children`);
          }
          const v = o.op === 'move' ? remove(out, o.from) : structuredClone(get(out, o.from));
          out = add(out, o.path, v);
          break;
        }
        case 'test':
          if (!deepEqual(get(out, o.path), o.value)) throw new JsonPatchError(`the value at ${o.path} is not the one tested`);
          break;
        default:
          throw new JsonPatchError(`unknown op '${o.op}' (RFC 6902: add, remove, replace, move, copy, test)`);
      }
    } catch (e) {
      if (e instanceof JsonPatchError && !e.message.startsWith('operation ')) throw new JsonPatchError(`${at} (${o.op} ${o.path}): ${e.message}`);
      throw e;
    }
  });
  return out as T;
}
