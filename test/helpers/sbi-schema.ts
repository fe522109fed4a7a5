// Validates SBI bodies against the 3GPP Release 18 OpenAPI schemas (spec/openapi-rel18) with
// Ajv: the request body an operation sends and the response body of the status it got, found
// the way the OpenAPI file defines them (path item, method, requestBody or responses[status],
// media type; `$ref`s to path items and responses in other files followed). A violation names
// the operation, the direction and the JSON path of the offending member.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { cachedDocs } from './sbi-schema-cache.ts';
import type { SbiOperation } from '../../nodes/common/sbi/operation.ts';
import { SbiMultipart } from '../../nodes/common/sbi.ts';

const SPEC_DIR = join(import.meta.dirname, '..', '..', 'spec', 'openapi-rel18');
const BASE = 'https://wire5g.invalid/openapi-rel18/';

type Json = Record<string, unknown>;

let ajv: Ajv | undefined;
const docs = new Map<string, Json>();
const compiled = new Map<string, ValidateFunction | null>();

/** The spec files' documents, nullable rewritten (from the cache of sbi-schema-cache.ts when it has them). */
function documents(): Map<string, Json> {
  if (docs.size) return docs;
  const read = () => readdirSync(SPEC_DIR).filter((f) => f.endsWith('.yaml')).map((f): [string, Json] => [f, nullableToJsonSchema(load(readFileSync(join(SPEC_DIR, f), 'utf8'))) as Json]);
  for (const [f, doc] of cachedDocs(SPEC_DIR, read)) docs.set(f, doc);
  return docs;
}

function engine(): Ajv {
  if (ajv) return ajv;
  // OpenAPI 3.0 schemas: `nullable` is an Ajv keyword; description/example/discriminator/x-* are
  // not validation keywords (strict: false lets them be); formats from ajv-formats
  ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const [f, doc] of documents()) ajv.addSchema({ ...doc, $id: BASE + f }, BASE + f);
  return ajv;
}

/**
 * OpenAPI 3.0 `nullable: true` as JSON Schema: `type: [t, 'null']` where the schema has a type,
 * else `anyOf: [schema, {type: 'null'}]` (3GPP writes it beside `$ref`/`oneOf`, which Ajv's own
 * `nullable` keyword refuses).
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableToJsonSchema(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Follows a non-schema `$ref` (path item, response, request body): the file and the JSON pointer it names. */
function follow(file: string, pointer: string): { file: string; pointer: string; node: Json } | undefined {
  let node: unknown = documents().get(file);
  for (const part of pointer.split('/').slice(1)) {
    node = (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) return undefined;
  }
  const ref = (node as Json).$ref;
  if (typeof ref === 'string') {
    const [f, p] = ref.split('#');
    return follow(f ? f : file, decodeURIComponent(p ?? ''));
  }
  return { file, pointer, node: node as Json };
}

function validator(file: string, pointer: string): ValidateFunction {
  const key = `${file}#${pointer}`;
  let v = compiled.get(key);
  if (v === undefined) {
    v = engine().compile({ $ref: BASE + key });
    compiled.set(key, v);
  }
  return v!;
}

/** The media type of a body as the OpenAPI content map names it. */
function pickContent(content: Json, body: unknown, contentType?: string): { mediaType: string; json: unknown } | undefined {
  if (body instanceof SbiMultipart) return content['multipart/related'] ? { mediaType: 'multipart/related', json: body.json } : undefined;
  for (const mt of [contentType, 'application/json', 'application/problem+json', 'application/3gppHal+json', 'application/merge-patch+json', 'application/json-patch+json']) {
    if (mt && content[mt]) return { mediaType: mt, json: body };
  }
  return undefined;
}

export interface SchemaViolation {
  operation: string;
  where: 'request' | 'response';
  status?: number;
  path: string;
  message: string;
}

function check(op: SbiOperation, where: 'request' | 'response', status: number | undefined, file: string, pointer: string, content: Json | undefined, body: unknown): SchemaViolation[] {
  if (body === undefined) return [];
  if (!content) return [{ operation: op.name, where, ...(status ? { status } : {}), path: '', message: `the OpenAPI ${where === 'request' ? 'request' : `response ${status}`} has no body, but one was sent` }];
  const picked = pickContent(content, body, op.contentType);
  if (!picked) return [{ operation: op.name, where, ...(status ? { status } : {}), path: '', message: `no media type of ${Object.keys(content).join(', ')} fits the body` }];
  let schemaPointer = `${pointer}/content/${escape(picked.mediaType)}/schema`;
  if (picked.mediaType === 'multipart/related') schemaPointer += '/properties/jsonData';
  const v = validator(file, schemaPointer);
  if (v(picked.json)) return [];
  return (v.errors ?? []).map((e) => ({ operation: op.name, where, ...(status ? { status } : {}), path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}` }));
}

/** The violations of one exchange (empty when both bodies match their schemas). */
export function validateExchange(op: SbiOperation, requestBody: unknown, status: number, responseBody: unknown): SchemaViolation[] {
  const file = `${op.spec}.yaml`;
  if (op.target === 'callback') {
    // a notification: its body is the component schema the table names (an array of them for Nudr's policy data)
    // (a multipart one, as the H-SMF's Nsmf_PDUSession_Update to the V-SMF: its JSON part)
    const json = requestBody instanceof SbiMultipart ? requestBody.json : requestBody;
    const items = Array.isArray(json) && (op.schema === 'PolicyDataChangeNotification' || op.schema === 'NnwdafEventsSubscriptionNotification') ? json : [json];
    const v = validator(file, `/components/schemas/${op.schema}`);
    return items.flatMap((b) => (v(b) ? [] : (v.errors ?? []).map((e) => ({ operation: op.name, where: 'request' as const, path: e.instancePath || '/', message: e.message ?? 'invalid' }))));
  }
  const opAt = follow(file, `/paths/${escape(op.path)}`);
  if (!opAt || !opAt.node[op.method.toLowerCase()]) return [{ operation: op.name, where: 'request', path: '', message: `${op.method} ${op.path} is not in ${file}` }];
  const opPointer = `${opAt.pointer}/${op.method.toLowerCase()}`;
  const out: SchemaViolation[] = [];
  const rb = follow(opAt.file, `${opPointer}/requestBody`);
  out.push(...check(op, 'request', undefined, rb?.file ?? opAt.file, rb?.pointer ?? '', rb?.node.content as Json | undefined, requestBody));
  const responses = (opAt.node[op.method.toLowerCase()] as Json).responses as Json;
  const code = String(status) in responses ? String(status) : 'default' in responses ? 'default' : undefined;
  if (code === undefined) out.push({ operation: op.name, where: 'response', status, path: '', message: `status ${status} is not documented for ${op.method} ${op.path}` });
  else {
    const r = follow(opAt.file, `${opPointer}/responses/${code}`)!;
    if (!r.node.content && status >= 400) {
      // TS 29.500 5.2.7.2: an error answer the operation documents without a body may carry ProblemDetails
      const v = validator('TS29571_CommonData.yaml', '/components/schemas/ProblemDetails');
      if (responseBody !== undefined && !v(responseBody)) out.push(...(v.errors ?? []).map((e) => ({ operation: op.name, where: 'response' as const, status, path: e.instancePath || '/', message: e.message ?? 'invalid' })));
    } else out.push(...check(op, 'response', status, r.file, r.pointer, r.node.content as Json | undefined, responseBody));
  }
  return out;
}

export function formatViolation(v: SchemaViolation): string {
  return `${v.operation} ${v.where}${v.status ? ` ${v.status}` : ''} at ${v.path}: ${v.message}`;
}
