// A network run with nrf.discovery on (issue 18): every NF registers its profile at the NRF when it
// starts, and each NF that calls others finds them by Nnrf_NFDiscovery before it serves; the
// default scenario (registration, PDU session, pings, deregistration) then succeeds with every
// ledger back at its start. tshark (an HTTP/2 dissector we did not write) reads the capture: the
// NFRegister PUTs and their 201s, each discovery GET with its target and requester NF types before
// the first call to the peer, and no malformed frame or expert warning. Then discoverPeers is shown
// to take the NRF's word over the configuration: a UDM registered at an address the configuration
// does not give is the one an AUSF would call.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { startNf } from '../../nodes/core.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { nrfClient } from '../../nodes/common/sbi/client.ts';
import { discoverPeers } from '../../nodes/common/nrf-discovery.ts';
import { nfProfileOf } from '../../nodes/common/nrf-registration.ts';
import { nfInstanceId } from '../../nodes/common/nf-instance.ts';

describe('a network with nrf.discovery on', () => {
  it('registers every NF, discovers the peers by NFDiscovery, runs the default scenario clean; tshark reads it all', async () => {
    const cfg = testConfig(182);
    cfg.nrf = { ...cfg.nrf, discovery: true };
    const r = await runScenario(cfg, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-disc-')), database: ':memory:', pings: 1 });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.leftBehind).toEqual({});
    // eleven NFs registered (all but the NRF itself and the UPF, which has no SBI) while the run went on
    expect((r.summary.ledgers as { before: Record<string, Record<string, number>> }).before.NRF['NF instances']).toBe(11);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    // every HTTP/2 request in order: ':method :path' from tshark's header fields
    const requests: string[] = [];
    for (const f of frames) {
      const names = f.fields.get('http2.header.name') ?? [];
      const values = f.fields.get('http2.header.value') ?? [];
      let method: string | undefined;
      names.forEach((n, i) => {
        if (n === ':method') method = values[i];
        if (n === ':path' && method) requests.push(`${method} ${values[i]}`);
      });
    }
    const at = (re: RegExp) => {
      const i = requests.findIndex((x) => re.test(x));
      expect(i, `${re} in\n${requests.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const registers = requests.filter((x) => /^PUT \/nnrf-nfm\/v1\/nf-instances\/[0-9a-f-]{36}$/.test(x));
    expect(registers).toHaveLength(11);
    // TS 29.510 6.2.3.2.3.1: the AMF asks for each peer by NF type, requester and service
    const amfForUdm = at(/^GET \/nnrf-disc\/v1\/nf-instances\?target-nf-type=UDM&requester-nf-type=AMF&service-names=nudm-uecm&target-plmn-list=/);
    const amfForSmf = at(/^GET \/nnrf-disc\/v1\/nf-instances\?target-nf-type=SMF&requester-nf-type=AMF&service-names=nsmf-pdusession&.*snssais=.*&dnn=internet/);
    at(/^GET \/nnrf-disc\/v1\/nf-instances\?target-nf-type=BSF&requester-nf-type=PCF/);
    at(/^GET \/nnrf-disc\/v1\/nf-instances\?target-nf-type=UDR&requester-nf-type=UDM/);
    // discovery before use: the UDM's registration of the AMF and the SMF context come after
    expect(amfForUdm).toBeLessThan(at(/^PUT \/nudm-uecm\/v1\/imsi-[0-9]+\/registrations\/amf-3gpp-access$/));
    expect(amfForSmf).toBeLessThan(at(/^POST \/nsmf-pdusession\/v1\/sm-contexts$/));
    // and each NF's registration before anyone discovers it: the SMF's PUT before the AMF's GET for an SMF
    expect(at(new RegExp(`^PUT /nnrf-nfm/v1/nf-instances/${nfInstanceId('SMF', cfg.addresses.smf)}$`))).toBeLessThan(amfForSmf);
    const statuses = frames.flatMap((f) => f.fields.get('http2.headers.status') ?? []);
    expect(statuses).toContain('201');
  }, 60_000);

  it("discoverPeers takes the NRF's address over the configuration (a UDM registered elsewhere is the one called)", async () => {
    const cfg = testConfig(182);
    const nrf = await startNf('nrf', cfg);
    const http = new Http2SbiClient({ userAgent: 'AUSF', localAddress: cfg.addresses.ausf });
    try {
      // a UDM the configuration does not know, at 127.0.182.99
      const udm = nfProfileOf('UDM', nfInstanceId('UDM', '127.0.182.99'), '127.0.182.99', cfg, [{ method: 'POST', path: '/nudm-ueau/v1/{supiOrSuci}/security-information/generate-auth-data', operation: 'Nudm_UEAuthentication_Get', handler: () => ({ status: 200 }) }]);
      await nrfClient(http, `http://${cfg.addresses.nrf}:8080`).nfManagement.register(udm.nfInstanceId, udm);
      const peers = await discoverPeers('ausf', cfg, http, `http://${cfg.addresses.nrf}:8080`);
      expect(peers.get('udm')).toBe('http://127.0.182.99:8080');
      // no such peer at all: asked again, then one line naming it
      await expect(discoverPeers('af', cfg, http, `http://${cfg.addresses.nrf}:8080`, { attempts: 2, waitMs: 10 })).rejects.toThrow('AF: the NRF http://127.0.182.10:8080 knows no BSF offering nbsf-management (nrf.discovery is on; is the BSF started?)');
      await nrfClient(http, `http://${cfg.addresses.nrf}:8080`).nfManagement.deregister(udm.nfInstanceId);
    } finally {
      await http.close();
      await nrf.stop();
    }
  });
});
