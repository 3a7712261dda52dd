import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { loginAnswer, loginRequest } from '../../shared/api/end-user.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { HOUR, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { maskPhone } from '../mfa/sms/phone-numbers.js';
import { calendarDay } from '../policy/calendar-day.js';
import { findActiveLockout, lockedAnswerDetails } from '../policy/lockouts.js';
import { resetSmsCount, smsCountToday } from '../policy/sms-counters.js';
import { isIpTrusted } from '../policy/trusted-ips.js';
import { insertSession } from '../store/repositories/sessions.js';
import { findTenantBySlug } from '../store/repositories/tenants.js';
import { useTrustedDevice } from '../store/repositories/trusted-devices.js';
import { findUserByEmail } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { availableMethods, openChallenge } from './challenge-methods.js';
import { iso, toPublicUser } from './public-user.js';
import type { RequestMeta } from './request-meta.js';

type LoginRequest = z.infer<typeof loginRequest>;
type LoginAnswer = z.infer<typeof loginAnswer>;

/** How long an enrollment token lets a user finish setting up a factor. */
const ENROLLMENT_TTL = 30 * MINUTE;

/**
 * Step one of sign-in: the password. Unknown users and wrong passwords get the same answer after the
 * same work. A locked account is revealed only to someone who knows the password.
 */
export async function signIn(ctx: ServerContext, input: LoginRequest, meta: RequestMeta): Promise<LoginAnswer> {
  const { db } = ctx.store;
  const tenant = await findTenantBySlug(db, input.tenant);
  if (!tenant) throw new ApiError('unknown_tenant', `There is no tenant "${input.tenant}".`);
  const user = await findUserByEmail(db, tenant.id, input.email);
  const passwordOk = user ? await ctx.passwords.verify(user.password_hash, input.password) : await ctx.passwords.verifyAgainstNothing(input.password);
  const now = ctx.clock.now();

  if (!user || !passwordOk || user.disabled_at) {
    await recordAudit(db, now, {
      action: 'login.failed',
      tenantId: tenant.id,
      userId: user?.id ?? null,
      actorType: 'anonymous',
      ip: meta.ip,
      details: { reason: !user ? 'unknown_user' : user.disabled_at && passwordOk ? 'disabled' : 'wrong_password' },
    });
    throw new ApiError('invalid_credentials', 'The email or password is wrong.');
  }
  const audit = { tenantId: tenant.id, userId: user.id, actorType: 'user' as const, actorId: user.id, ip: meta.ip };

  const lockout = await findActiveLockout(db, user.id, now);
  if (lockout) {
    await recordAudit(db, now, { ...audit, action: 'login.refused_locked', details: { reason: lockout.reason } });
    throw new ApiError('account_locked', `The account is locked until ${iso(lockout.until)}.`, lockedAnswerDetails(lockout));
  }

  const policy = tenant.policy;
  if (user.mfa_enrolled_at === null) {
    if (policy.mfaRequired) {
      const { token } = await insertSession(db, { userId: user.id, kind: 'enrollment', ip: meta.ip, expiresAt: now + ENROLLMENT_TTL, secondFactorAt: null }, now);
      await recordAudit(db, now, { ...audit, action: 'login.enrollment_required' });
      return { status: 'enrollment_required', enrollmentToken: token, methods: policy.allowedMethods };
    }
    const { token } = await insertSession(db, { userId: user.id, kind: 'full', ip: meta.ip, expiresAt: now + policy.sessionHours * HOUR, secondFactorAt: null }, now);
    await recordAudit(db, now, { ...audit, action: 'login.succeeded', details: { secondFactor: 'none_enrolled' } });
    return { status: 'authenticated', sessionToken: token, user: toPublicUser(user) };
  }

  // Signed in without a code (a remembered device, a trusted IP): one transaction for the session, the
  // daily SMS count reset (seed 003: every successful sign-in resets it) and the audit event.
  const signInWithoutCode = async (trx: Kysely<Database>, details: Record<string, unknown>) => {
    const { token } = await insertSession(trx, { userId: user.id, kind: 'full', ip: meta.ip, expiresAt: now + policy.sessionHours * HOUR, secondFactorAt: null }, now);
    await resetSmsCount(trx, user.id, 'login');
    await recordAudit(trx, now, { ...audit, action: 'login.succeeded', details });
    return { status: 'authenticated' as const, sessionToken: token, user: toPublicUser(user) };
  };

  if (input.deviceToken && policy.rememberDeviceDays > 0) {
    const deviceToken = input.deviceToken;
    const remembered = await db.transaction().execute(async (trx) => {
      const deviceId = await useTrustedDevice(trx, user.id, deviceToken, now);
      return deviceId ? signInWithoutCode(trx, { secondFactor: 'remembered_device', deviceId }) : null;
    });
    if (remembered) return remembered;
  }

  if (policy.askOnlyOnNewIpOrPasswordChange && (await isIpTrusted(db, user.id, meta.ip, user.password_changed_at))) {
    // Seed 003: the second factor is asked again only from a new IP address or after a password change.
    return db.transaction().execute((trx) => signInWithoutCode(trx, { secondFactor: 'trusted_ip' }));
  }

  const methods = await availableMethods(db, user, policy);
  if (methods.length === 0) throw new ApiError('conflict', 'No second factor is available for this account. Contact support.');
  const challenge = await openChallenge(db, user, policy, 'login', { ip: meta.ip }, now);
  await recordAudit(db, now, { ...audit, action: 'login.password_ok', details: { challengeId: challenge.id, methods } });
  return {
    status: 'mfa_required',
    challengeId: challenge.id,
    methods,
    preferred: methods[0]!,
    phoneHint: user.phone ? maskPhone(user.phone) : null,
    smsRemainingToday: methods.includes('sms') ? smsLeft(policy.smsLoginDailyLimit, await smsCountToday(db, user.id, 'login', calendarDay(now, policy.timeZone))) : null,
    attemptsLeft: challenge.max_attempts,
    expiresAt: iso(challenge.expires_at),
  };
}

/**
 * SMS codes left today. A count past the limit is the one that locked the account; sign-in is
 * answered at all only once that lock is over, and then the count starts again (sms-challenge.ts).
 */
function smsLeft(limit: number, sentToday: number): number {
  return sentToday > limit ? limit : limit - sentToday;
}
