import { describe, it, expect } from 'vitest';
import { loadConfig, configFromYaml, DEFAULT_CONFIG } from '../../nodes/common/config.ts';

describe('network configuration (YAML over the embedded defaults)', () => {
  it('config/default.yaml documents exactly the embedded defaults', () => {
    expect(loadConfig('config/default.yaml')).toEqual(DEFAULT_CONFIG);
  });
  it('a partial file merges over the defaults; unknown keys and wrong types are refused with their path', () => {
    const c = configFromYaml('addresses: { amf: 127.0.214.5 }\nsecurity: { ciphering: NEA2 }\n');
    expect(c.addresses.amf).toBe('127.0.214.5');
    expect(c.addresses.smf).toBe(DEFAULT_CONFIG.addresses.smf);
    expect(c.security).toEqual({ integrity: 'NIA2', ciphering: 'NEA2' });
    expect(() => configFromYaml('adresses: {}')).toThrow(/adresses: unknown key/);
    expect(() => configFromYaml('tac: one')).toThrow(/tac: expected number/);
  });
  it('gnb.admission (issue 21): merged key by key, each limit a whole number of 1 or more, the floor not above the ceiling', () => {
    const c = configFromYaml('gnb: { admission: { maxEstablishing: 8 } }\n');
    expect(c.gnb.admission).toEqual({ ...DEFAULT_CONFIG.gnb.admission, maxEstablishing: 8 });
    expect(DEFAULT_CONFIG.gnb.admission.adaptive).toBe(true);
    expect(configFromYaml('gnb: { admission: { adaptive: false, targetLatencyMs: 500 } }\n').gnb.admission).toEqual({ ...DEFAULT_CONFIG.gnb.admission, adaptive: false, targetLatencyMs: 500 });
    expect(() => configFromYaml('gnb: { admission: { minEstablishing: 9, maxEstablishing: 8 } }')).toThrow(/gnb\.admission\.minEstablishing: 9 is more than gnb\.admission\.maxEstablishing \(8\)/);
    expect(configFromYaml('gnb: { admission: { adaptive: false, minEstablishing: 9, maxEstablishing: 8 } }').gnb.admission.maxEstablishing).toBe(8);
    expect(() => configFromYaml('gnb: { admission: { adaptive: sometimes } }')).toThrow(/gnb\.admission\.adaptive/);
    expect(() => configFromYaml('gnb: { admission: { targetLatencyMs: 0 } }')).toThrow(/gnb\.admission\.targetLatencyMs/);
    expect(c.gnb.name).toBe(DEFAULT_CONFIG.gnb.name);
    expect(() => configFromYaml('gnb: { admission: { maxEstablishing: 0 } }')).toThrow(/gnb\.admission\.maxEstablishing/);
    expect(() => configFromYaml('gnb: { admission: { setupsPerSecond: 2.5 } }')).toThrow(/gnb\.admission\.setupsPerSecond/);
    expect(() => configFromYaml('gnb: { admission: { queue: 3 } }')).toThrow(/gnb\.admission\.queue: unknown key/);
  });
  it('sbi.http2 (issue 21): node or own, anything else refused with its path', () => {
    expect(configFromYaml('sbi: { http2: own }\n').sbi).toEqual({ http2: 'own' });
    expect(configFromYaml('sbi: { http2: node }\n').sbi).toEqual({ http2: 'node' });
    expect(() => configFromYaml('sbi: { http2: nghttp2 }')).toThrow(/sbi\.http2: expected own or node/);
    expect(() => configFromYaml('sbi: { http2: OWN }')).toThrow(/sbi\.http2: expected own or node/);
    expect(() => configFromYaml('sbi: { tls: true }')).toThrow(/sbi\.tls: unknown key/);
  });
  it('nrf and nssf (issue 18): merged key by key, each value checked with its path; discovery refused with roaming', () => {
    const c = configFromYaml('nrf: { discovery: true }\nnssf: { amfSets: [{ regionId: 2, setId: 2, snssais: [{ sst: 3 }] }] }\n');
    expect(c.nrf).toEqual({ ...DEFAULT_CONFIG.nrf, discovery: true });
    expect(c.nssf.amfSets).toEqual([{ regionId: 2, setId: 2, snssais: [{ sst: 3 }], amfs: [] }]);
    expect(() => configFromYaml('nrf: { discovery: yes please }')).toThrow(/nrf\.discovery: expected true or false/);
    expect(() => configFromYaml('nrf: { heartBeatSeconds: 0 }')).toThrow(/nrf\.heartBeatSeconds/);
    expect(() => configFromYaml('nssf: { trackingAreas: [{ tac: 1 }] }')).toThrow(/nssf\.trackingAreas\[0\]: snssais is required/);
    expect(() => configFromYaml('nssf: { amfSets: [{ regionId: 2, setId: 1024, snssais: [{ sst: 1 }] }] }')).toThrow(/nssf\.amfSets\[0\]\.setId/);
    expect(() => configFromYaml('nssf: { amfSets: [{ regionId: 2, setId: 1, snssais: [{ sst: 1 }], amfs: [nope] }] }')).toThrow(/nssf\.amfSets\[0\]\.amfs\[0\]: expected an IPv4 address/);
    expect(() => configFromYaml('addresses: { nrf: 127.0.0.5 }')).toThrow(/each NF needs its own address/);
    expect(() => configFromYaml('nrf: { discovery: true }\nroaming: { enabled: true }')).toThrow(/nrf\.discovery: not with roaming\.enabled/);
  });
});
