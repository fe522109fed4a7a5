// TS 38.413 clause 10 error handling: from a decode error to the Error Indication a node sends,
// with Criticality Diagnostics naming the procedure and the offending IE.

import type { DecodeError } from '../bytes/errors.ts';
import { ngapPdu } from './build.ts';
import type { NgapPdu } from './ngap.ts';

export interface ErrorIndicationContext {
  /** Procedure code and triggering message, when the PDU header could be read. */
  procedureCode?: number;
  triggeringMessage?: 'initiating-message' | 'successful-outcome' | 'unsuccessfull-outcome';
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
  const cause = transferSyntax
    ? { protocol: 'transfer-syntax-error' }
    : { protocol: e.code === 'MISSING_IE' ? 'abstract-syntax-error-reject' : e.code === 'UNKNOWN_TYPE' ? 'abstract-syntax-error-ignore-and-notify' : 'abstract-syntax-error-falsely-constructed-message' };
  const diagnostics: Record<string, unknown> = {};
  if (ctx.procedureCode !== undefined) diagnostics.procedureCode = ctx.procedureCode;
  if (ctx.triggeringMessage) diagnostics.triggeringMessage = ctx.triggeringMessage;
  if (ctx.procedureCriticality) diagnostics.procedureCriticality = ctx.procedureCriticality;
  if (e.ie !== undefined) diagnostics.iEsCriticalityDiagnostics = [{ iECriticality: 'reject', 'iE-ID': e.ie, typeOfError: e.code === 'MISSING_IE' ? 'missing' : 'not-understood' }];
  return ngapPdu('ErrorIndication', {
    ...(ctx.amfUeNgapId !== undefined ? { 'AMF-UE-NGAP-ID': ctx.amfUeNgapId } : {}),
    ...(ctx.ranUeNgapId !== undefined ? { 'RAN-UE-NGAP-ID': ctx.ranUeNgapId } : {}),
    Cause: cause,
    ...(Object.keys(diagnostics).length ? { CriticalityDiagnostics: diagnostics } : {}),
  });
}
