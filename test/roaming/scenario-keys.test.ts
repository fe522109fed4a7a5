// The scenario file keys of issue 17: `roaming: true`, `smf-release` with plmn / replace-sst /
// replace-sd, `pcf-terminate`; wrong values refused with one line naming the field.
import { describe, it, expect } from 'vitest';
import { parseScenario } from '../../nodes/control/scenario-file.ts';

describe('scenario files: home-routed roaming keys', () => {
  it('reads roaming, smf-release plmn home with a slice replacement, and pcf-terminate', () => {
    const s = parseScenario('description: x\nroaming: true\nsteps:\n  - smf-release: all\n    psi: 1\n    plmn: home\n    replace-sst: 1\n    replace-sd: A1B2C3\n  - pcf-terminate: all\n    psi: 2\n    plmn: home\n    cause: REACTIVATION_REQUESTED', 'f.yaml');
    expect(s.roaming).toBe(true);
    expect(s.steps[0]).toMatchObject({ action: 'smf-release', psi: 1, plmn: 'home', replaceSnssai: { sst: 1, sd: 'a1b2c3' } });
    expect(s.steps[1]).toMatchObject({ action: 'pcf-terminate', psi: 2, plmn: 'home', cause: 'REACTIVATION_REQUESTED' });
  });

  it.each([
    ['description: x\nroaming: yes please\nsteps:\n  - wait: 1', /^f\.yaml: roaming: expected true or false$/],
    ['description: x\nsteps:\n  - smf-release: all\n    psi: 1\n    plmn: mars', /^f\.yaml: steps\[0\]\.plmn: expected visited or home, got "mars"$/],
    ['description: x\nsteps:\n  - smf-release: all\n    psi: 1\n    replace-sst: 1', /^f\.yaml: steps\[0\]\.replace-sst: slice replacement is the H-SMF's: needs plmn: home$/],
    ['description: x\nsteps:\n  - smf-release: all\n    psi: 1\n    plmn: home\n    replace-sd: a1b2c3', /^f\.yaml: steps\[0\]\.replace-sd: needs replace-sst$/],
    ['description: x\nsteps:\n  - pcf-terminate: all\n    psi: 1\n    cause: BORED', /^f\.yaml: steps\[0\]\.cause: expected one of /],
    ['description: x\nsteps:\n  - pcf-terminate: all', /^f\.yaml: steps\[0\]\.psi: the PDU session identity is required$/],
  ])('refuses %j', (text, message) => {
    expect(() => parseScenario(text, 'f.yaml')).toThrow(message);
  });
});
