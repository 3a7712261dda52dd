import type { Kysely } from 'kysely';
import type { ChallengeMethod } from '../../shared/api/end-user.js';
import type { TenantPolicy } from '../../shared/policy.js';
import { MINUTE } from '../clock.js';
import { insertChallenge, type ChallengeRow } from '../store/repositories/challenges.js';
import { findTotpFactor } from '../store/repositories/totp-factors.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';

/** The ways this user can answer a challenge now, best first. */
export async function availableMethods(db: Kysely<Database>, user: UserRow, policy: TenantPolicy): Promise<ChallengeMethod[]> {
  const methods: ChallengeMethod[] = [];
  // The tenant's order of preference: the sms preset lists SMS first, the app preset the authenticator app.
  for (const method of policy.allowedMethods) {
    if (method === 'totp' && (await findTotpFactor(db, user.id, 'active'))) methods.push('totp');
    if (method === 'sms' && user.phone) methods.push('sms');
  }
  if (user.recovery_batch_id) methods.push('recovery_code');
  return methods;
}

export function openChallenge(
  db: Kysely<Database>,
  user: UserRow,
  policy: TenantPolicy,
  purpose: ChallengeRow['purpose'],
  options: { ip: string; scope?: string; sessionId?: string },
  now: number,
): Promise<ChallengeRow> {
  return insertChallenge(
    db,
    {
      userId: user.id,
      purpose,
      scope: options.scope ?? null,
      sessionId: options.sessionId ?? null,
      ip: options.ip,
      maxAttempts: policy.challengeAttempts,
      expiresAt: now + policy.challengeTtlMinutes * MINUTE,
    },
    now,
  );
}
