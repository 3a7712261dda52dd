import type { Kysely } from 'kysely';
import type { TenantPolicy } from '../../shared/policy.js';
import { MINUTE } from '../clock.js';
import { insertChallenge, type ChallengeRow } from '../store/repositories/challenges.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { cancelPendingPushes } from '../store/repositories/push-challenges.js';

/**
 * Opens a challenge for the second step: its attempts and lifetime come from the tenant's policy. A
 * new sign-in ends the user's pending push approvals: an approval must be for the sign-in the person
 * is looking at, not an older one someone else started.
 */
export async function openChallenge(
  db: Kysely<Database>,
  user: UserRow,
  policy: TenantPolicy,
  purpose: ChallengeRow['purpose'],
  options: { ip: string; scope?: string; sessionId?: string },
  now: number,
): Promise<ChallengeRow> {
  if (purpose === 'login' && user.mfa_enrolled_at !== null && policy.allowedMethods.includes('push'))
    await cancelPendingPushes(db, user.id);
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
