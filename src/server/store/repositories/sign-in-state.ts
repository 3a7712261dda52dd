import type { Kysely } from 'kysely';
import { parseStoredPolicy } from '../../policy/tenant-policy.js';
import type { LockoutRow } from './lockouts.js';
import type { Database } from '../schema.js';
import type { Tenant } from './tenants.js';
import type { TotpFactorRow } from './totp-factors.js';
import type { UserRow } from './users.js';

export interface SignInState {
  user: UserRow;
  tenant: Tenant;
  totp: Pick<TotpFactorRow, 'id' | 'secret_enc' | 'last_used_step'> | null;
  lockout: LockoutRow | null;
}

/**
 * Everything a code check needs about a user, in one query: the user, their tenant and policy, the
 * active authenticator factor and whether a lockout is running. Code checks are the hot path.
 */
export async function loadSignInState(db: Kysely<Database>, userId: string, now: number): Promise<SignInState | undefined> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('tenants as t', 't.id', 'u.tenant_id')
    .leftJoin('totp_factors as f', (join) => join.onRef('f.user_id', '=', 'u.id').on('f.status', '=', 'active'))
    .selectAll('u')
    .select([
      't.slug as t_slug',
      't.name as t_name',
      't.policy as t_policy',
      'f.id as f_id',
      'f.secret_enc as f_secret_enc',
      'f.last_used_step as f_last_used_step',
    ])
    .select((eb) =>
      eb
        .selectFrom('lockouts as l')
        .select('l.id')
        .whereRef('l.user_id', '=', 'u.id')
        .where('l.lifted_at', 'is', null)
        .where('l.until', '>', now)
        .orderBy('l.until', 'desc')
        .limit(1)
        .as('lockout_id'),
    )
    .where('u.id', '=', userId)
    // A user disabled while a challenge is open (or whose scheduled disable has come) can neither get codes nor finish it.
    .where('u.disabled_at', 'is', null)
    .where((eb) => eb.or([eb('u.disable_at', 'is', null), eb('u.disable_at', '>', now)]))
    .executeTakeFirst();
  if (!row) return undefined;
  const { t_slug, t_name, t_policy, f_id, f_secret_enc, f_last_used_step, lockout_id, ...user } = row;
  const lockout = lockout_id
    ? ((await db.selectFrom('lockouts').selectAll().where('id', '=', lockout_id).executeTakeFirst()) ?? null)
    : null;
  return {
    user,
    tenant: { id: user.tenant_id, slug: t_slug, name: t_name, policy: parseStoredPolicy(t_policy) },
    totp: f_id && f_secret_enc ? { id: f_id, secret_enc: f_secret_enc, last_used_step: f_last_used_step } : null,
    lockout,
  };
}
