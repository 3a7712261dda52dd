import { describe, expect, it } from 'vitest';
import { parseStoredPolicy } from '../../../src/server/policy/tenant-policy.js';
import { policyPresets } from '../../../src/shared/policy.js';

describe('a stored tenant policy', () => {
  it('keeps working when it names a method the server has no factor for (one a newer release wrote, say)', () => {
    const stored = JSON.stringify({ ...policyPresets.sms, allowedMethods: ['sms', 'webauthn', 'push', 'totp'] });
    expect(parseStoredPolicy(stored).allowedMethods).toEqual(['sms', 'push', 'totp']);
  });

  it('fills fields added since from the defaults, and refuses a policy with no method left', () => {
    const old: Partial<typeof policyPresets.app> = { ...policyPresets.app };
    delete old.smsCodeAttempts;
    expect(parseStoredPolicy(JSON.stringify(old)).smsCodeAttempts).toBe(policyPresets.app.smsCodeAttempts);
    expect(() => parseStoredPolicy(JSON.stringify({ ...policyPresets.app, allowedMethods: ['webauthn'] }))).toThrow(/allowedMethods/);
    // Push alone is no policy: a push device is added to an account that has the app or a phone.
    expect(() => parseStoredPolicy(JSON.stringify({ ...policyPresets.app, allowedMethods: ['push'] }))).toThrow(
      /at least one of totp and sms/,
    );
  });

  it('keeps a policy stored before tenant countries without one (no country is guessed), and refuses an unknown one', () => {
    const old: Partial<typeof policyPresets.sms> = { ...policyPresets.sms };
    delete old.country;
    expect(parseStoredPolicy(JSON.stringify(old)).country).toBeUndefined();
    expect(parseStoredPolicy(JSON.stringify(policyPresets.sms)).country).toBe('DE');
    expect(parseStoredPolicy(JSON.stringify({ ...policyPresets.app, timeZone: 'Europe/Oslo' })).country).toBe('NO');
    expect(() => parseStoredPolicy(JSON.stringify({ ...policyPresets.app, country: 'XX' }))).toThrow(/country/);
  });
});
