// The causes the AMF and the SMF put in Nsmf_PDUSession bodies are values of TS 29.502 6.1.6.3.2
// Cause, read from the Release 18 OpenAPI file itself (spec/openapi-rel18): the judge is 3GPP's
// enumeration, not a list of ours. Before issue 15's fix the AMF sent REL_DUE_TO_UE_DEREG on a
// de-registration and the SMF REL_DUE_TO_UE_REQUEST in its status notification: neither is listed.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { serve } from '../../nodes/common/sbi/routes.ts';
import { SMF } from '../../nodes/common/sbi/operations.ts';
import { Amf } from '../../nodes/amf/amf.ts';
import type { AmfUe, GnbContext } from '../../nodes/amf/context.ts';
import { releaseSessions } from '../../nodes/amf/procedures/held-resources.ts';

type Yaml = { components: { schemas: Record<string, { anyOf?: { enum?: string[] }[] }> } };
const spec = load(readFileSync(join(import.meta.dirname, '..', '..', 'spec', 'openapi-rel18', 'TS29502_Nsmf_PDUSession.yaml'), 'utf8')) as Yaml;
const CAUSES = new Set(spec.components.schemas.Cause.anyOf?.flatMap((a) => a.enum ?? []) ?? []);

const SMF_URI = 'http://127.0.31.4:8080';

function amfWith(sbi: LocalSbi): Amf {
  return new Amf({
    address: '127.0.31.5', sbiPort: 8080, instanceId: '6f1c0a43-1f7e-4a59-9d0c-5b3c2f5e8a01', name: 'amf', plmn: { mcc: '001', mnc: '01' }, tacs: [1],
    snssais: [{ sst: 1 }], dnn: 'internet', guami: { regionId: 2, setId: 1, pointer: 0 }, relativeCapacity: 255, t3512Seconds: 3240,
    security: { ciphering: 'NEA0' }, uris: { ausf: 'http://127.0.31.11:8080', udm: 'http://127.0.31.12:8080', pcf: 'http://127.0.31.13:8080', smf: SMF_URI }, baseUri: 'http://127.0.31.5:8080',
  }, sbi);
}

function ueWithSessions(psis: number[]): AmfUe {
  const gnb = { ues: new Map(), setUp: true } as unknown as GnbContext;
  return {
    amfUeNgapId: 1, ranUeNgapId: 1, gnb, stream: 1, state: '5GMM-REGISTERED', supi: 'imsi-001010000000001',
    sessions: new Map(psis.map((p) => [p, { pduSessionId: p, smContextUri: `${SMF_URI}/nsmf-pdusession/v1/sm-contexts/${p}/release`.replace('/release', ''), snssai: { sst: 1 }, dnn: 'internet', state: 'active' as const }])),
    waiters: [], busy: Promise.resolve(), ngapWaiters: new Map(), released: false, received: [],
  };
}

describe('Nsmf_PDUSession causes are TS 29.502 6.1.6.3.2 values', () => {
  it('the enumeration was read from the spec (REL_DUE_TO_UNSPECIFIED_REASON is in it, REL_DUE_TO_UE_DEREG is not)', () => {
    expect(CAUSES.has('REL_DUE_TO_UNSPECIFIED_REASON')).toBe(true);
    expect(CAUSES.has('PDU_SESSION_STATUS_MISMATCH')).toBe(true);
    expect(CAUSES.has('REL_DUE_TO_UE_DEREG')).toBe(false);
  });

  it('ReleaseSMContext on a network-initiated de-registration: no cause outside the list; ngApCause nas/deregister and the 5GMM cause say why', async () => {
    const bodies: Record<string, unknown>[] = [];
    const sbi = new LocalSbi().serve(SMF_URI, [serve(SMF.pduSession.releaseSmContext, (req) => {
      bodies.push(req.body as Record<string, unknown>);
      return { status: 204 as const };
    })]);
    const amf = amfWith(sbi);
    const ue = ueWithSessions([1, 2]);
    await releaseSessions(amf, ue, '4.2.2.3.3 step 4', 7);
    expect(bodies).toHaveLength(2);
    expect(ue.sessions.size).toBe(0);
    for (const b of bodies) {
      if (b.cause !== undefined) expect(CAUSES.has(String(b.cause)), `cause ${String(b.cause)}`).toBe(true);
      // TS 29.571 NgApCause: group 2 (nas), value 2 (deregister), TS 38.413 9.3.1.2
      expect(b.ngApCause).toEqual({ group: 2, value: 2 });
      expect(b['5gMmCauseValue']).toBe(7);
    }
    // a UE-initiated de-registration has no 5GMM cause to give
    const ue2 = ueWithSessions([3]);
    await releaseSessions(amf, ue2, '4.2.2.3.2 step 2');
    expect(bodies[2]).not.toHaveProperty('5gMmCauseValue');
    expect(bodies[2]).not.toHaveProperty('cause');
  });
});
