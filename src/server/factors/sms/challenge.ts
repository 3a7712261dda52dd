import type { TenantPolicy } from '../../../shared/policy.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import type { ServerContext } from '../../context.js';
import { assertSmsCountryAllowed, callingCodeOf, maskPhone } from './phone-numbers.js';
import { createSmsCode } from './sms-code-delivery.js';
import { calendarDay } from '../../policy/calendar-day.js';
import { findActiveLockout, lockAccount } from '../../store/repositories/lockouts.js';
import { countSms, resetSmsCount } from '../../store/repositories/sms-counters.js';
import { findChallenge } from '../../store/repositories/challenges.js';
import { loadSignInState } from '../../store/repositories/sign-in-state.js';
import type { UserRow } from '../../store/repositories/users.js';
import type { RequestMeta } from '../../http/request-meta.js';
import { iso } from '../../clock.js';
import { refusals } from '../../refusals.js';
import { cancelPushOfChallenge } from '../../store/repositories/push-challenges.js';
import { announceChallengeChanged } from '../push/push-events.js';

/**
 * The number a sign-in code goes to, or the answer an SMS request gets when none can be sent: the
 * tenant does not sign in by SMS, the user has no phone, or the tenant does not text its country
 * (the toll-fraud guard).
 */
export function signInSmsTarget(user: UserRow, policy: TenantPolicy): { phone: string } | { refusal: ApiError } {
  if (!policy.allowedMethods.includes('sms') || !user.phone) return { refusal: refusals.smsNotAvailable() };
  try {
    assertSmsCountryAllowed({ e164: user.phone, countryCallingCode: callingCodeOf(user.phone) }, policy.smsAllowedCountryCodes);
  } catch (error) {
    if (error instanceof ApiError) return { refusal: error };
    throw error;
  }
  return { phone: user.phone };
}

export interface SmsSent {
  sentTo: string;
  remainingToday: number;
  expiresAt: string;
}

/**
 * Sends (or resends) a sign-in code by SMS for an open challenge (seed 003). At most
 * `smsLoginDailyLimit` a calendar day; the request after that locks the account for `lockoutHours`.
 * Counting, locking and recording the message happen in one transaction, decided by the counter row,
 * so concurrent requests (on any number of instances) send exactly the limit and lock exactly once.
 */
export async function sendChallengeSms(ctx: ServerContext, challengeId: string, meta: RequestMeta): Promise<SmsSent> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const challenge = await findChallenge(db, challengeId);
  if (!challenge) throw refusals.noSuchChallenge();
  if (challenge.consumed_at !== null || challenge.expires_at <= now || challenge.attempts >= challenge.max_attempts) {
    throw new ApiError('challenge_expired', 'This sign-in step has expired. Sign in again.');
  }
  const state = await loadSignInState(db, challenge.user_id, now);
  if (!state) throw refusals.noSuchChallenge();
  const { user, tenant } = state;
  const policy = tenant.policy;
  if (state.lockout) throw refusals.accountLocked(state.lockout);
  const target = signInSmsTarget(user, policy);
  if ('refusal' in target) throw target.refusal;
  const { phone } = target;

  const limit = policy.smsLoginDailyLimit;
  const audit = { tenantId: tenant.id, userId: user.id, actorType: 'user' as const, actorId: user.id, ip: meta.ip };
  const day = calendarDay(now, policy.timeZone);
  const outcome = await db.transaction().execute(async (trx) => {
    // The counter may go one past the limit: the request that takes it there is the one that locks.
    let count = await countSms(trx, user.id, 'login', day, limit + 1);
    // The counter row is ours until commit: a lock taken by a request just before this one is seen
    // here, and refusing rolls the count back, so nothing is sent while the account is locked.
    const lockedMeanwhile = await findActiveLockout(trx, user.id, now);
    if (lockedMeanwhile) throw refusals.accountLocked(lockedMeanwhile);
    if (count === null) {
      // Past the limit, and its lock is over: seed 003, "after that, a new code can be requested",
      // also when the lock ends before the day does (a shorter policy, a 25-hour DST day). The
      // count stays until then, so support sees "21 of 20 today" during the lock.
      await resetSmsCount(trx, user.id, 'login');
      count = (await countSms(trx, user.id, 'login', day, limit + 1)) ?? 1;
    }
    if (count > limit) {
      const lockout = await lockAccount(
        trx,
        {
          userId: user.id,
          tenantId: tenant.id,
          reason: 'sms_daily_limit',
          hours: policy.lockoutHours,
          ip: meta.ip,
          details: { smsToday: limit },
        },
        now,
      );
      return { kind: 'locked' as const, lockout };
    }
    const sms = await createSmsCode(
      trx,
      ctx.secrets,
      {
        owner: { userId: user.id, purpose: 'login', challengeId: challenge.id },
        phone,
        template: 'sms_login_code',
        locale: user.locale,
        tenantId: tenant.id,
        tenantName: tenant.name,
        policy,
      },
      now,
    );
    await recordAudit(trx, now, {
      ...audit,
      action: 'sms.sent',
      details: { purpose: 'login', challengeId: challenge.id, countToday: count },
    });
    // Switching to SMS ends this sign-in's push: a late approval of it changes nothing.
    await cancelPushOfChallenge(trx, challenge.id);
    return { kind: 'sent' as const, count, ...sms };
  });

  if (outcome.kind === 'locked') {
    throw refusals.accountLocked(outcome.lockout, 'Too many SMS codes today.');
  }
  announceChallengeChanged(challenge.id);
  await ctx.delivery.dispatch([outcome.messageId]);
  return { sentTo: maskPhone(phone), remainingToday: limit - outcome.count, expiresAt: iso(outcome.expiresAt) };
}
