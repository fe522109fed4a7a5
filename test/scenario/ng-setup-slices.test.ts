// NG Setup (TS 38.413 8.7.1) matches slices by the whole S-NSSAI (TS 23.003 28.4.2: SST and, when
// present, SD): a gNB whose only slice has an SD the AMF does not serve is refused with NG Setup
// Failure, one with the AMF's slice is accepted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb, NgSetupFailed } from '../../nodes/gnb/gnb.ts';
import { testConfig } from '../helpers/network.ts';

const cfg = testConfig(127);
let core: Core;

beforeAll(async () => {
  core = await startCore({ ...cfg, subscribers: [DEFAULT_SUBSCRIBER] }, { database: ':memory:' });
});
afterAll(async () => {
  await core?.stop();
});

const gnbWith = (snssai: { sst: number; sd?: string }, id: number) =>
  Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai, gnbId: id, name: `slice-gnb-${id}` });

describe('NG Setup slice support (TS 38.413 8.7.1)', () => {
  it('refuses a gNB whose slice has the AMF\'s SST but an SD the AMF does not serve', async () => {
    const e = await gnbWith({ sst: 1, sd: '000002' }, 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NgSetupFailed);
  });

  it('accepts a gNB with the AMF\'s slice (SST 1, no SD)', async () => {
    const g = await gnbWith({ sst: 1 }, 2);
    expect(g.ngSetup).toBeDefined();
    await g.stop();
  });
});
