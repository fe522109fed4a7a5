// The TS 23.502 steps a UE's registration messages are tagged with: those of 4.2.2.2.2, or, for a
// Registration with Onboarding SNPN, the corresponding steps of 4.2.2.2.4 (step 9 authentication
// and NAS security, step 11 the Identity Response with the PEI, step 22 Registration Complete).
import type { Ue } from '../ue.ts';

const ONBOARDING: Readonly<Record<string, string>> = {
  '4.2.2.2.2 step 7': '4.2.2.2.4 step 11',
  '4.2.2.2.2 step 9': '4.2.2.2.4 step 9',
  '4.2.2.2.2 step 9b': '4.2.2.2.4 step 9',
  '4.2.2.2.2 step 22': '4.2.2.2.4 step 22',
};

/** `step` of 4.2.2.2.2, or its 4.2.2.2.4 counterpart while the UE registers for onboarding. */
export function registrationStep(ue: Ue, step: string): string {
  return ue.cfg.snpn?.onboarding ? ONBOARDING[step] ?? step : step;
}
