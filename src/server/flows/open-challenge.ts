import type { Kysely } from 'kysely';
import type { TenantPolicy } from '../../shared/policy.js';
import { insertChallenge, type ChallengeRow } from '../store/repositories/challenges.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { cancelPendingPushes } from '../store/repositories/push-challenges.js';
import type { ChallengeMethod } from '../../shared/api/end-user.js';
import { MINUTE, iso } from '../clock.js';
import { loginSmsLeft } from '../factors/sms/daily-limit.js';
import { maskPhone } from '../factors/sms/phone-numbers.js';
import { calendarDay } from '../policy/calendar-day.js';
import { smsCountToday } from '../store/repositories/sms-counters.js';

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

/**
 * An open challenge as the person answering it sees it: its methods (the first preferred), the phone
 * it would text (masked), the sign-in SMS left today, the tries and the time it has. The sign-in's
 * mfa_required answer and the hosted pages' step-up are both this.
 */
export async function describeChallenge(
  db: Kysely<Database>,
  user: UserRow,
  policy: TenantPolicy,
  challenge: ChallengeRow,
  methods: ChallengeMethod[],
  now: number,
) {
  return {
    challengeId: challenge.id,
    methods,
    preferred: methods[0]!,
    phoneHint: user.phone ? maskPhone(user.phone) : null,
    smsRemainingToday: methods.includes('sms')
      ? loginSmsLeft(policy.smsLoginDailyLimit, await smsCountToday(db, user.id, 'login', calendarDay(now, policy.timeZone)))
      : null,
    attemptsLeft: challenge.max_attempts,
    expiresAt: iso(Number(challenge.expires_at)),
  };
}
