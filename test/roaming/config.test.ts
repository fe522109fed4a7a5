// The `roaming` configuration block (issue 17): what config/default.yaml documents, and the
// settings that cannot work refused with their path before anything starts.
import { describe, it, expect } from 'vitest';
import { configFromYaml } from '../../nodes/common/config.ts';
import { nfFqdn, plmnOfFqdn } from '../../nodes/common/roaming-config.ts';

describe('roaming configuration', () => {
  it('is off by default; on, it keeps the home PLMN 208/93 and its subscriber', () => {
    expect(configFromYaml('').roaming.enabled).toBe(false);
    const c = configFromYaml('roaming:\n  enabled: true\n  n32Port: 9443');
    expect(c.roaming.home.plmn).toEqual({ mcc: '208', mnc: '93' });
    expect(c.roaming.home.subscribers.map((s) => s.supi)).toEqual(['imsi-208930000000001']);
    // local breakout (issue 16): none by default, every roamer's session home-routed
    expect(c.roaming.localBreakout).toEqual([]);
    expect(configFromYaml('roaming:\n  enabled: true\n  localBreakout: [internet]').roaming.localBreakout).toEqual(['internet']);
  });

  it.each([
    ['roaming:\n  enabled: true\n  vsepp: 127.0.0.5', /roaming\.vsepp: 127\.0\.0\.5 is also addresses\.amf/],
    ['roaming:\n  enabled: true\n  home:\n    addresses:\n      udm: 127.0.2.13', /roaming\.home\.addresses\.pcf: 127\.0\.2\.13 is also roaming\.home\.addresses\.udm/],
    ['roaming:\n  enabled: true\n  home:\n    plmn: { mcc: "001", mnc: "01" }\n    subscribers: [{ supi: imsi-001010000000009 }]', /roaming\.home\.plmn: 001\/01 is the serving PLMN too/],
    ['roaming:\n  enabled: true\n  home:\n    subscribers: [{ supi: imsi-001010000000009 }]', /roaming\.home\.subscribers\[0\]\.supi: imsi-001010000000009 is not a subscriber of the home PLMN 208\/93/],
    ['roaming:\n  enabled: maybe', /roaming\.enabled: expected true or false/],
    ['roaming:\n  n32: 1', /roaming\.n32: unknown key/],
    ['roaming:\n  enabled: true\n  localBreakout: [ims]', /roaming\.localBreakout\[0\]: ims is not a DNN the visited SMF serves \(dnn: internet\)/],
    ['roaming:\n  localBreakout: internet', /roaming\.localBreakout/],
  ])('refuses %j', (yaml, message) => {
    expect(() => configFromYaml(yaml)).toThrow(message);
  });

  it('names NFs by TS 23.003 28.3.2.3 FQDNs, the MNC on 3 digits, and reads them back', () => {
    expect(nfFqdn('udm', { mcc: '208', mnc: '93' })).toBe('udm.5gc.mnc093.mcc208.3gppnetwork.org');
    expect(plmnOfFqdn('sepp.5gc.mnc001.mcc001.3gppnetwork.org')).toEqual({ nf: 'sepp', mcc: '001', mnc3: '001' });
    expect(plmnOfFqdn('127.0.0.1')).toBeUndefined();
  });
});
