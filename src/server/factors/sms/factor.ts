import { iso } from '../../clock.js';
import { refusals } from '../../refusals.js';
import { smsCountToday } from '../../store/repositories/sms-counters.js';
import { calendarDay } from '../../policy/calendar-day.js';
import type { Factor } from '../factor.js';
import { signInSmsTarget } from './challenge.js';
import { loginSmsLeft } from './daily-limit.js';
import { maskPhone } from './phone-numbers.js';
import { checkSmsCode } from './sms-code-delivery.js';

/** A code sent by SMS on request (challenge.ts), at most `smsLoginDailyLimit` a day (seed 003). */
export const smsFactor: Factor = {
  method: 'sms',
  async offered(_db, user, policy) {
    return policy.allowedMethods.includes('sms') && user.phone !== null;
  },
  async usableNow(db, user, policy, now) {
    const sentToday = await smsCountToday(db, user.id, 'login', calendarDay(now, policy.timeZone));
    return loginSmsLeft(policy.smsLoginDailyLimit, sentToday) > 0 && 'phone' in signInSmsTarget(user, policy);
  },
  /**
   * Checked and spent here, not in the success transaction: the code belongs to this challenge alone,
   * and its wrong tries must count even when nothing else commits.
   */
  async checkCode({ ctx, state, challenge, code, now }) {
    const { user, tenant } = state;
    if (!user.phone || !tenant.policy.allowedMethods.includes('sms')) throw refusals.smsNotAvailable();
    const owner = { userId: user.id, purpose: 'login' as const, challengeId: challenge.id };
    const result = await checkSmsCode(ctx.store.db, ctx.secrets, owner, code, tenant.policy.smsCodeAttempts, now);
    return result.ok ? { outcome: 'right', spend: async () => true } : { outcome: 'wrong' };
  },
  async view(_db, user) {
    return user.phone && user.mfa_enrolled_at !== null
      ? { type: 'sms', since: iso(user.mfa_enrolled_at), phoneHint: maskPhone(user.phone) }
      : null;
  },
};
