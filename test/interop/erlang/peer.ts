// Erlang/OTP's ASN.1 compiler as the independent aligned-PER codec of the NGAP differential test
// (docs/decisions.md, "Erlang asn1 as the independent APER codec"). The NGAP modules of spec/ are
// compiled once with `erlc -bper +maps` (optimisation passes off, ERLC_OPTIONS; PER = ALIGNED in Erlang; maps for SEQUENCEs) into a cache
// directory keyed by the ASN.1 text and the OTP release, and ngap_peer.erl runs the compiled
// module on the requests we send it.
//
// Values cross as Erlang terms written from our value and our schema: SEQUENCE -> map of the
// present components, CHOICE -> {Alternative, Value}, ENUMERATED -> atom, INTEGER -> integer,
// BIT STRING -> bitstring, OCTET STRING (CONTAINING too: Erlang keeps it as octets) -> binary,
// PrintableString/VisibleString -> string, UTF8String -> UTF-8 binary, BOOLEAN -> true/false,
// NULL -> 'NULL', OBJECT IDENTIFIER -> tuple of arcs; protocol IE fields -> #{id, criticality,
// value} (extensionValue in extension containers), the value decoded by the id as Erlang's
// information object sets do.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AsnType } from '../../../codecs/per/schema.ts';
import type { AperCodec, BitStringValue, PrivateIe, ProcedureValue, ProtocolIe } from '../../../codecs/per/aper.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SPEC = join(here, '../../../spec/ngap-38413-h40');
/** The modules in dependency order, as a set file lists them (erlc compiles them as one module). */
const MODULES = ['NGAP-CommonDataTypes.asn', 'NGAP-Constants.asn', 'NGAP-Containers.asn', 'NGAP-IEs.asn', 'NGAP-PDU-Contents.asn', 'NGAP-PDU-Descriptions.asn'];

/**
 * erlc options for the generated NGAP module (~140k lines of Erlang): without the SSA, binary
 * match and boolean optimisation passes it compiles in ~14 s of CPU instead of ~28 s, and runs the
 * test's requests as fast (measured: docs/decisions.md, "Test-suite speed"). The passes only
 * optimise; what the module encodes and decodes is the same.
 */
const ERLC_OPTIONS = ['+no_ssa_opt', '+no_bsm_opt', '+no_bool_opt'];

let availability: { ok: true } | { ok: false; why: string } | undefined;

/**
 * Whether erl and erlc run and OTP's asn1 application is installed. Under CI
 * (`CI=true`) its absence is a failure, not a skip: .ci/run installs erlang-asn1.
 */
export function erlangAsn1Available(): boolean {
  if (!availability) {
    const probe = spawnSync('erl', ['-noshell', '-eval', 'case code:lib_dir(asn1) of {error, _} -> halt(1); _ -> halt(0) end.'], { stdio: 'ignore' });
    const erlc = spawnSync('erlc', [], { stdio: 'ignore' });
    if (probe.error || erlc.error) availability = { ok: false, why: 'erl/erlc not found' };
    else if (probe.status !== 0) availability = { ok: false, why: "Erlang's asn1 application is not installed" };
    else availability = { ok: true };
    if (!availability.ok) {
      if (process.env.CI === 'true') throw new Error(`${availability.why}: CI needs Erlang's ASN.1 compiler (apt-get install -y erlang-base erlang-asn1)`);
      console.warn(`[erlang] ${availability.why}: the APER differential tests against Erlang/OTP asn1 are SKIPPED (install the Debian packages erlang-base erlang-asn1)`);
    }
  }
  return availability.ok;
}

function otpRelease(): string {
  return spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' }).stdout.trim();
}

/**
 * The directory holding NGAP.beam and ngap_peer.beam, compiled on first use (about 15 s) and
 * kept in the system's temporary directory under a key of the ASN.1 text, the peer script and the
 * OTP release; concurrent first uses each compile into their own directory and rename it in.
 */
export async function compiledNgap(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of MODULES) hash.update(readFileSync(join(SPEC, m)));
  hash.update(readFileSync(join(here, 'ngap_peer.erl')));
  hash.update(otpRelease());
  hash.update(ERLC_OPTIONS.join(' '));
  const dir = join(tmpdir(), `wire5g-erlang-ngap-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'NGAP.beam')) && existsSync(join(dir, 'ngap_peer.beam'))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'wire5g-erlang-build-'));
  try {
    for (const m of MODULES) writeFileSync(join(work, m), readFileSync(join(SPEC, m)));
    writeFileSync(join(work, 'NGAP.set.asn'), `${MODULES.join('\n')}\n`);
    writeFileSync(join(work, 'ngap_peer.erl'), readFileSync(join(here, 'ngap_peer.erl')));
    await run('erlc', ['-bper', '+maps', ...ERLC_OPTIONS, 'NGAP.set.asn'], work);
    await run('erlc', ['ngap_peer.erl'], work);
    const out = `${work}-out`;
    mkdirSync(out);
    for (const f of readdirSync(work).filter((x) => x.endsWith('.beam'))) writeFileSync(join(out, f), readFileSync(join(work, f)));
    try {
      renameSync(out, dir);
    } catch {
      rmSync(out, { recursive: true, force: true }); // another process got there first
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/** Runs a command to its end without blocking the test worker; its standard output, or an Error with both outputs. */
function run(cmd: string, args: string[], cwd: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (status === 0) resolve(stdout);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${status}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)} ${stdout.slice(-2000)}`));
    });
    child.stdin.end(input ?? '');
  });
}

export interface PeerRequest {
  /** The ASN.1 type, e.g. 'NGAP-PDU' or 'PDUSessionResourceSetupRequestTransfer'. */
  type: string;
  /** Our encoding. */
  ours: Uint8Array;
  /** The value we encoded, as an Erlang term (toErlang). */
  term: string;
}

export interface PeerAnswer {
  /** Erlang's encoding of the value, or `error:...`. */
  theirs: string;
  /** 'ok' when Erlang decodes our octets to the value, else `diff:<path> expected .. got ..` or `error:...`. */
  decoded: string;
  /** 'ok' when Erlang re-encodes its decoding of our octets to our octets, else its octets or `error:...`. */
  reencoded: string;
}

/** Runs the Erlang peer on the requests (one process for all of them). */
export async function runPeer(requests: PeerRequest[]): Promise<PeerAnswer[]> {
  const dir = await compiledNgap();
  const input = requests.map((q, i) => `${i}\t${q.type}\t${Buffer.from(q.ours).toString('hex')}\t${q.term}.\n`).join('');
  const stdout = await run('erl', ['-noshell', '-pa', dir, '-run', 'ngap_peer', 'main', dir, 'NGAP', '-s', 'init', 'stop'], dir, input);
  const answers = new Array<PeerAnswer | undefined>(requests.length);
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [id, theirs, decoded, reencoded] = line.split('\t');
    answers[Number(id)] = { theirs: theirs.toLowerCase(), decoded, reencoded: reencoded === 'ok' ? 'ok' : reencoded.toLowerCase() };
  }
  const missing = answers.findIndex((a) => a === undefined);
  if (missing >= 0) throw new Error(`the Erlang peer gave no answer for request ${missing}`);
  return answers as PeerAnswer[];
}

// --- our values as Erlang terms ----------------------------------------------------------------

function atom(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function binary(b: Uint8Array): string {
  return `<<${Array.from(b).join(',')}>>`;
}

function bitstring(b: BitStringValue): string {
  const whole = b.length >> 3;
  const rest = b.length & 7;
  const parts = Array.from(b.value.subarray(0, whole), String);
  if (rest) parts.push(`${b.value[whole] >> (8 - rest)}:${rest}`);
  return `<<${parts.join(',')}>>`;
}

/** OBJECT IDENTIFIER contents octets (X.690 8.19) as Erlang's tuple of arcs. */
function oidArcs(b: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const x of b) {
    v = v * 128 + (x & 0x7f);
    if (x & 0x80) continue;
    if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
    else arcs.push(v);
    v = 0;
  }
  return `{${arcs.join(',')}}`;
}

function erlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Our value of type `t` as the Erlang term Erlang's asn1 (maps mode) has for it. */
export function toErlang(codec: AperCodec, t0: AsnType, v: unknown): string {
  const t = t0.k === 'ref' ? codec.resolve(t0) : t0;
  switch (t.k) {
    case 'seq': {
      const o = v as Record<string, unknown>;
      const parts: string[] = [];
      for (const f of [...t.fields, ...t.extFields]) if (o[f.name] !== undefined) parts.push(`${atom(f.name)}=>${toErlang(codec, f.type, o[f.name])}`);
      if (o.$unknownExtensions !== undefined) throw new Error('unknown extension additions have no Erlang form');
      return `#{${parts.join(',')}}`;
    }
    case 'seqof':
      return `[${(v as unknown[]).map((x) => toErlang(codec, t.of, x)).join(',')}]`;
    case 'choice': {
      const [name, cv] = Object.entries(v as Record<string, unknown>)[0];
      const alt = [...t.alts, ...t.extAlts].find((a) => a.name === name);
      if (!alt) throw new Error(`no alternative ${name}`);
      return `{${atom(name)},${toErlang(codec, alt.type, cv)}}`;
    }
    case 'enum':
      return atom(v as string);
    case 'int':
      return String(v);
    case 'bits':
      return bitstring(v as BitStringValue);
    case 'octets':
      return binary(v as Uint8Array);
    case 'str':
      return t.kind === 'UTF8String' ? binary(new TextEncoder().encode(v as string)) : erlString(v as string);
    case 'bool':
      return v ? 'true' : 'false';
    case 'null':
      return "'NULL'";
    case 'oid':
      return oidArcs(v as Uint8Array);
    case 'ies':
    case 'exts':
      return `[${(v as ProtocolIe[]).map((ie) => ieField(codec, t.set, ie, t.k === 'ies' ? 'value' : 'extensionValue')).join(',')}]`;
    case 'iesingle':
      return ieField(codec, t.set, v as ProtocolIe, 'value');
    case 'private':
      return `[${(v as PrivateIe[]).map((p) => `#{id=>${p.id.global ? `{global,${oidArcs(p.id.global)}}` : `{local,${p.id.local ?? 0}}`},criticality=>${p.criticality},value=>${binary(p.raw)}}`).join(',')}]`;
    case 'procedure':
      throw new Error('a procedure value is written by pduToErlang');
    case 'ref':
      throw new Error(`unresolved type ${t.name}`);
  }
}

function ieField(codec: AperCodec, set: string, ie: ProtocolIe, valueKey: string): string {
  const entry = codec.setEntry(set, ie.id);
  if (!entry || ie.raw) throw new Error(`IE ${ie.id} of ${set} has no typed value`);
  return `#{id=>${ie.id},criticality=>${ie.criticality},${valueKey}=>${toErlang(codec, entry.type, ie.value)}}`;
}

/** An NGAP-PDU value ({ initiatingMessage | successfulOutcome | unsuccessfulOutcome: ProcedureValue }) as an Erlang term. */
export function pduToErlang(codec: AperCodec, pdu: Record<string, ProcedureValue>): string {
  const [kind, p] = Object.entries(pdu)[0];
  const proc = codec.procedure(p.procedureCode);
  const name = kind === 'initiatingMessage' ? proc?.initiating : kind === 'successfulOutcome' ? proc?.successful : proc?.unsuccessful;
  if (!name || p.raw) throw new Error(`procedure ${p.procedureCode} has no ${kind} message`);
  return `{${kind},#{procedureCode=>${p.procedureCode},criticality=>${p.criticality},value=>${toErlang(codec, { k: 'ref', name }, p.value)}}}`;
}
