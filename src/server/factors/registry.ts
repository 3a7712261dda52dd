import type { Kysely } from 'kysely';
import type { FactorView } from '../../shared/api/views.js';
import { enrolledMethods, signInMethods, type SignInMethod } from '../../shared/methods.js';
import type { TenantPolicy } from '../../shared/policy.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import type { Factor } from './factor.js';
import { recoveryCodeFactor } from './recovery-codes/factor.js';
import { smsFactor } from './sms/factor.js';
import { totpFactor } from './totp/factor.js';
import { pushFactor } from './push/factor.js';

/**
 * Every method of src/shared/methods.ts and its factor. A `Record` over the one list, so a method
 * added there without a factor here does not compile; `assertEveryMethodHasFactor` checks the same
 * at start-up for whatever the type checker cannot see (a registry built at run time).
 */
export const factors: Record<SignInMethod, Factor> = {
  totp: totpFactor,
  sms: smsFactor,
  push: pushFactor,
  recovery_code: recoveryCodeFactor,
};

export function assertEveryMethodHasFactor(
  registry: Readonly<Record<string, Factor | undefined>>,
  methods: readonly string[] = signInMethods,
): void {
  const missing = methods.filter((method) => registry[method]?.method !== method);
  if (missing.length) throw new Error(`No factor is registered for ${missing.join(', ')} (src/server/factors/registry.ts).`);
}

/** The ways this user can answer a challenge now, best first: the tenant's order, recovery codes last. */
export async function availableMethods(db: Kysely<Database>, user: UserRow, policy: TenantPolicy, now: number): Promise<SignInMethod[]> {
  const methods: SignInMethod[] = [];
  for (const method of [...policy.allowedMethods, 'recovery_code'] as const) {
    if (await factors[method].offered(db, user, policy, now)) methods.push(method);
  }
  return methods;
}

/** The user's enrolled factors, as both the account API and the admin API show them. */
export async function describeFactors(db: Kysely<Database>, user: UserRow): Promise<FactorView[]> {
  const views = await Promise.all(enrolledMethods.map((method) => factors[method].view(db, user)));
  return views.filter((view): view is FactorView => view !== null);
}
