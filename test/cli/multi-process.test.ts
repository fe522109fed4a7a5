// README's multi-process recipe as pasted (issue 13): every `wire5g start <nf>` and the
// `wire5g run --external-core` started at the same moment, in no order. Each NF prints its ready
// line, the run waits for the core (the SMF for its UPF association, the gNB's NG Setup retried)
// and succeeds; each NF stops with an empty ledger. Judged from the real bin/wire5g.js processes'
// exit status and output, on addresses 127.0.46.x of this test alone.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, lastLine, type Wire5gProcess } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { TracingSbiClient } from '../../nodes/common/sbi-host.ts';

describe('multi-process mode as README writes it', () => {
  it('thirteen NFs (the NRF and NSSF too) and the run started together, in no order: the run waits for the core and succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-mp-cli-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: testConfig(46).addresses, udr: { database: join(dir, 'udr.sqlite') } }));
    const nfs = ['amf', 'smf', 'upf', 'pcf', 'ausf', 'udm', 'udr', 'bsf', 'chf', 'nwdaf', 'af', 'nrf', 'nssf'];
    const procs: [string, Wire5gProcess][] = nfs.map((nf) => [nf, startWire5g(['start', nf, '--config', config])]);
    try {
      const run = await startWire5g(['run', '--external-core', '--config', config, '--out', join(dir, 'out')]).done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(lastLine(run.stdout)).toMatch(/^OK: 1 UE\(s\)/);
      expect(run.stdout).toContain("the gNB's ledger is back where it started (the core NFs run elsewhere");
      expect(run.stdout).not.toContain('every NF ledger');
      for (const [nf, p] of procs) expect(p.stdout(), nf).toContain(`wire5g ${nf} ready on 127.0.46.`);
    } finally {
      for (const [, p] of procs) p.child.kill('SIGTERM');
    }
    for (const [nf, p] of procs) {
      const r = await p.done;
      const line = /stopping; ledger (\{.*\})/.exec(r.stdout);
      expect(line, `${nf}: ${r.stdout}${r.stderr}`).not.toBeNull();
      // the NRF's registered instances depend on which of the processes, all stopped at once, deregistered before it stopped
      for (const [k, v] of Object.entries(JSON.parse(line![1]) as Record<string, number>)) if (!['PFCP associations', 'NG associations', 'subscribers', 'NF instances'].includes(k)) expect(`${nf} ${k}=${v}`).toBe(`${nf} ${k}=0`);
    }
  }, 180_000);

  it('run --external-core with no core: says which NFs it waits for and why, then FAILED, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-nocore-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: testConfig(47).addresses }));
    const r = await startWire5g(['run', '--external-core', '--core-wait', '2', '--config', config, '--out', join(dir, 'out')]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('wire5g run: waiting for the core: UDR 127.0.47.20:8080: ECONNREFUSED, UDM 127.0.47.12:8080: ECONNREFUSED');
    expect(r.stdout).toContain("the core is not reachable: UDR 127.0.47.20:8080: ECONNREFUSED");
    expect(r.stdout).toContain('nothing written: the network did not start');
    expect(lastLine(r.stdout)).toMatch(/^FAILED: 1 procedure\(s\) failed/);
  }, 60_000);

  it("an unreachable peer is logged with its name, address and why (node:http2's client against a closed port)", async () => {
    const lines: string[] = [];
    const http = new Http2SbiClient({ userAgent: 'AMF', localAddress: '127.0.46.5', retries: 0 });
    const client = new TracingSbiClient(http, 'AMF', (h) => (h === '127.0.46.11' ? 'AUSF' : h), (l) => lines.push(l));
    await expect(client.call('POST', 'http://127.0.46.11:8080/nausf-auth/v1/ue-authentications', {}, { operation: 'Nausf_UEAuthentication_Authenticate' })).rejects.toThrow(/ECONNREFUSED/);
    await http.close();
    expect(lines).toEqual(['[AMF] AUSF 127.0.46.11:8080: ECONNREFUSED (Nausf_UEAuthentication_Authenticate not sent: peer unreachable)']);
  });
});
