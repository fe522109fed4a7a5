// TS 38.413 clause 10 error handling: from a decode error to the Error Indication a node sends,
// with Criticality Diagnostics naming the procedure and the offending IE.

import type { DecodeError } from '../bytes/errors.ts';
import { BitReader } from '../per/bits.ts';
import { ngapPdu } from './build.ts';
import { ngapCodec, type NgapPdu } from './ngap.ts';
import type { Cause, CriticalityDiagnostics } from './generated/types.ts';

export interface ErrorIndicationContext {
  /** Procedure code and triggering message, when the PDU header could be read. */
  procedureCode?: number;
  triggeringMessage?: 'initiating-message' | 'successful-outcome' | 'unsuccessful-outcome';
  procedureCriticality?: 'reject' | 'ignore' | 'notify';
  amfUeNgapId?: number;
  ranUeNgapId?: number;
}

/**
 * TS 38.413 10.2/10.3: an abstract syntax error (transfer syntax error when nothing could be read)
 * answered with ERROR INDICATION carrying Criticality Diagnostics.
 */
export function errorIndicationFor(e: DecodeError, ctx: ErrorIndicationContext = {}): NgapPdu {
  const transferSyntax = ctx.procedureCode === undefined;
  const cause: Cause = transferSyntax
    ? { protocol: 'transfer-syntax-error' }
    : { protocol: e.code === 'MISSING_IE' ? 'abstract-syntax-error-reject' : e.code === 'UNKNOWN_TYPE' ? 'abstract-syntax-error-ignore-and-notify' : 'abstract-syntax-error-falsely-constructed-message' };
  const diagnostics: CriticalityDiagnostics = {};
  if (ctx.procedureCode !== undefined) diagnostics.procedureCode = ctx.procedureCode;
  if (ctx.triggeringMessage) diagnostics.triggeringMessage = ctx.triggeringMessage;
  if (ctx.procedureCriticality) diagnostics.procedureCriticality = ctx.procedureCriticality;
  if (e.ie !== undefined) diagnostics.iEsCriticalityDiagnostics = [{ iECriticality: ieCriticality(ctx, e.ie), 'iE-ID': e.ie, typeOfError: e.code === 'MISSING_IE' ? 'missing' : 'not-understood' }];
  return ngapPdu('ErrorIndication', {
    ...(ctx.amfUeNgapId !== undefined ? { 'AMF-UE-NGAP-ID': ctx.amfUeNgapId } : {}),
    ...(ctx.ranUeNgapId !== undefined ? { 'RAN-UE-NGAP-ID': ctx.ranUeNgapId } : {}),
    Cause: cause,
    ...(Object.keys(diagnostics).length ? { CriticalityDiagnostics: diagnostics } : {}),
  });
}

/** The criticality the IE's entry in the triggering message's IE set gives it (reject when unknown). */
function ieCriticality(ctx: ErrorIndicationContext, id: number): 'reject' | 'ignore' | 'notify' {
  const proc = ctx.procedureCode === undefined ? undefined : ngapCodec.procedure(ctx.procedureCode);
  const msg = !proc ? undefined : ctx.triggeringMessage === 'successful-outcome' ? proc.successful : ctx.triggeringMessage === 'unsuccessful-outcome' ? proc.unsuccessful : proc.initiating;
  const t = msg ? ngapCodec.schema.types[msg] : undefined;
  const f = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs') : undefined;
  return (f && f.type.k === 'ies' ? ngapCodec.setEntry(f.type.set, id)?.criticality : undefined) ?? 'reject';
}

const TRIGGERING = ['initiating-message', 'successful-outcome', 'unsuccessful-outcome'] as const;
const CRITICALITY = ['reject', 'ignore', 'notify'] as const;

/**
 * What of an undecodable NGAP-PDU's header can be read (choice, procedure code, criticality), for
 * errorIndicationFor: empty when even that is unreadable (a transfer syntax error).
 */
export function ngapErrorContext(bytes: Uint8Array): ErrorIndicationContext {
  const r = new BitReader(bytes);
  try {
    if (r.bits(1) === 1) return {};
    const triggeringMessage = TRIGGERING[r.bits(2)];
    r.align();
    const procedureCode = r.bits(8);
    const procedureCriticality = CRITICALITY[r.bits(2)];
    if (!triggeringMessage || !procedureCriticality) return {};
    return { procedureCode, triggeringMessage, procedureCriticality };
  } catch {
    return {};
  }
}
