// The BSF's Nbsf_Management (TS 29.521) as the PCF uses it, through the typed consumer: every
// request and answer body is checked by Ajv against the Release 18 OpenAPI (test/helpers/sbi-schema-setup.ts).
import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { bsfRoutes } from '../../nodes/bsf/service.ts';
import { consumer } from '../../nodes/common/sbi/client.ts';
import { BSF } from '../../nodes/common/sbi/operations.ts';
import { SbiProblem } from '../../nodes/common/sbi.ts';

const ROOT = 'http://127.0.22.15:8080';
const PCF1 = [{ ipv4Address: '127.0.22.13', port: 8080 }];
const PCF2 = [{ ipv4Address: '127.0.22.14', port: 8080 }];

function bsf() {
  const sbi = new LocalSbi();
  const b = bsfRoutes(ROOT);
  sbi.serve(ROOT, b.routes);
  return { ...b, api: consumer(sbi, ROOT, BSF).management };
}

const binding = (ipv4Addr: string, supi: string, pcfIpEndPoints = PCF1) => ({ supi, ipv4Addr, dnn: 'internet', snssai: { sst: 1 }, pcfIpEndPoints });

describe('BSF Nbsf_Management (TS 29.521)', () => {
  it('a registration for a UE address whose binding was never deregistered replaces the stale binding (issue 21: it was a 403 that failed every later session given the address)', async () => {
    const { api, ledger, stats } = bsf();
    const stale = await api.register(binding('10.45.0.7', 'imsi-001010000000001'));
    // the address released with its session, given to another UE's session: its PCF registers
    const fresh = await api.register(binding('10.45.0.7', 'imsi-001010000000002', PCF2));
    expect(fresh.status).toBe(201);
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 1 });
    expect(stats.replaced).toBe(1);
    // an AF finds the PCF of the session that holds the address now
    const found = await api.discover({ query: { ipv4Addr: '10.45.0.7', dnn: 'internet' } });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ supi: 'imsi-001010000000002', pcfIpEndPoints: PCF2 });
    // the stale binding is gone: its PCF's late deregistration is a 404, the new one stays
    await expect(api.deregister(stale.headers.location!)).rejects.toMatchObject({ problem: { status: 404 } });
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 1 });
    await api.deregister(fresh.headers.location!);
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 0 });
    expect((await api.discover({ query: { ipv4Addr: '10.45.0.7' } })).status).toBe(204);
  });

  it('the same address on another DNN or IP domain is another binding', async () => {
    const { api, ledger, stats } = bsf();
    await api.register(binding('10.45.0.7', 'imsi-001010000000001'));
    await api.register({ ...binding('10.45.0.7', 'imsi-001010000000002'), dnn: 'ims' });
    await api.register({ ...binding('10.45.0.7', 'imsi-001010000000003'), ipDomain: 'corp' });
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 3 });
    expect(stats.replaced).toBe(0);
    expect((await api.discover({ query: { ipv4Addr: '10.45.0.7', dnn: 'ims' } })).body).toMatchObject({ supi: 'imsi-001010000000002' });
    expect((await api.discover({ query: { supi: 'imsi-001010000000003' } })).body).toMatchObject({ ipDomain: 'corp' });
  });

  it('SamePcf: a registration with a parameter combination that has a binding is 403 EXISTING_BINDING_INFO_FOUND with the existing PCF (ExtProblemDetails)', async () => {
    const { api, ledger } = bsf();
    await api.register(binding('10.45.0.7', 'imsi-001010000000001'));
    const paraCom = { supi: 'imsi-001010000000001', dnn: 'internet', snssai: { sst: 1 } };
    const e = await api.register({ ...binding('10.45.0.8', 'imsi-001010000000001', PCF2), paraCom }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SbiProblem);
    const reply = (e as { reply: { status: number; body: unknown } }).reply;
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ cause: 'EXISTING_BINDING_INFO_FOUND', pcfSmIpEndPoints: PCF1 });
    // another S-NSSAI is another combination
    expect((await api.register({ ...binding('10.45.0.9', 'imsi-001010000000001', PCF2), snssai: { sst: 2 }, paraCom: { ...paraCom, snssai: { sst: 2 } } })).status).toBe(201);
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 2 });
  });

  it('Nbsf_Management_Update moves a binding to a new UE address (merge patch): found by the new one only', async () => {
    const { api } = bsf();
    const r = await api.register(binding('10.45.0.7', 'imsi-001010000000001'));
    const u = await api.update(r.headers.location!, { ipv4Addr: '10.45.0.70', pcfIpEndPoints: PCF2 });
    expect(u.body).toMatchObject({ ipv4Addr: '10.45.0.70', pcfIpEndPoints: PCF2 });
    expect((await api.discover({ query: { ipv4Addr: '10.45.0.7' } })).status).toBe(204);
    expect((await api.discover({ query: { ipv4Addr: '10.45.0.70' } })).body).toMatchObject({ supi: 'imsi-001010000000001' });
    await expect(api.update(`${ROOT}/nbsf-management/v1/pcfBindings/99`, { ipv4Addr: '10.45.0.71' })).rejects.toMatchObject({ problem: { status: 404 } });
  });

  it('5,000 bindings (the address index kept with them): registered, found by address, deregistered, ledger back at 0', async () => {
    const { api, ledger } = bsf();
    const uris: string[] = [];
    for (let i = 0; i < 5_000; i++) uris.push((await api.register(binding(`10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, `imsi-0010100${String(i).padStart(8, '0')}`))).headers.location!);
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 5_000 });
    expect((await api.discover({ query: { ipv4Addr: '10.64.19.135' } })).body).toMatchObject({ supi: 'imsi-001010000004999' });
    for (const u of uris) await api.deregister(u);
    expect(ledger.snapshot()).toEqual({ 'PCF bindings': 0 });
  });
});
