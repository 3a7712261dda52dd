import { describe, expect, it } from 'vitest';
import { signInMethods, type SignInMethod } from '../../../src/shared/methods.js';
import type { Factor } from '../../../src/server/factors/factor.js';
import { assertEveryMethodHasFactor, factors } from '../../../src/server/factors/registry.js';
import { totpFactor } from '../../../src/server/factors/totp/factor.js';
import { smsFactor } from '../../../src/server/factors/sms/factor.js';
import { pushFactor } from '../../../src/server/factors/push/factor.js';

describe('the factor registry', () => {
  it('has a factor, under its own name, for every method of the shared list', () => {
    expect(Object.keys(factors).sort()).toEqual([...signInMethods].sort());
    for (const method of signInMethods) expect(factors[method].method).toBe(method);
    expect(() => assertEveryMethodHasFactor(factors)).not.toThrow();
  });

  it('refuses, at start-up, a method without a registered factor', () => {
    const withoutRecovery: Partial<Record<SignInMethod, Factor>> = { totp: totpFactor, sms: smsFactor, push: pushFactor };
    expect(() => assertEveryMethodHasFactor(withoutRecovery)).toThrow('No factor is registered for recovery_code');
    // A method the list gains before its factor is written (WebAuthn, say) stops the server the same way.
    expect(() => assertEveryMethodHasFactor(factors, [...signInMethods, 'webauthn'])).toThrow('No factor is registered for webauthn');
    // A factor filed under another method's name does not count for it.
    expect(() => assertEveryMethodHasFactor({ ...factors, sms: totpFactor })).toThrow('No factor is registered for sms');
  });

  it('is refused by the type checker when a method has no factor (npm run typecheck checks this file)', () => {
    // @ts-expect-error: `recovery_code` is missing, so this is not a Record<SignInMethod, Factor>.
    const incomplete: Record<SignInMethod, Factor> = { totp: totpFactor, sms: smsFactor, push: pushFactor };
    expect(incomplete.recovery_code).toBeUndefined();
    // And there is no catch-all: indexing the registry with a method outside the list does not compile.
    // @ts-expect-error: 'webauthn' is not a SignInMethod (yet).
    expect(factors['webauthn']).toBeUndefined();
  });
});
