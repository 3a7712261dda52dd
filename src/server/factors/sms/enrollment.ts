import type { z } from 'zod';
import type { phoneConfirmAnswer } from '../../../shared/api/end-user.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import type { ServerContext } from '../../context.js';
import { assertSmsCountryAllowed, maskPhone, parseMobileNumber } from './phone-numbers.js';
import { checkSmsCode, createSmsCode } from './sms-code-delivery.js';
import type { Tenant } from '../../store/repositories/tenants.js';
import type { UserRow } from '../../store/repositories/users.js';
import { calendarDay, nextDayStart } from '../../policy/calendar-day.js';
import { countSms } from '../../store/repositories/sms-counters.js';
import { issuePendingRecoveryCodes } from '../recovery-codes/batches.js';
import type { RequestMeta } from '../../http/request-meta.js';
import type { Authenticated } from '../../http/session-auth.js';
import type { SmsSent } from './challenge.js';
import type { SmsCodeOwner } from '../../store/repositories/sms-codes.js';
import { iso } from '../../clock.js';
import { requireFreshFactorForEnrolledUser } from '../../flows/step-up.js';

/**
 * Sends a setup code to a number being verified (phone enrollment or a reset link). Bad input is
 * refused before anything is counted; at most `smsSetupDailyLimit` a calendar day (seed 003: 15).
 */
export async function sendSetupCode(
  ctx: ServerContext,
  target: { user: UserRow; tenant: Tenant; owner: SmsCodeOwner; phoneInput: string },
  meta: RequestMeta,
): Promise<SmsSent> {
  const { user, tenant } = target;
  const policy = tenant.policy;
  const phone = parseMobileNumber(target.phoneInput, policy.country);
  assertSmsCountryAllowed(phone, policy.smsAllowedCountryCodes);
  const now = ctx.clock.now();
  const limit = policy.smsSetupDailyLimit;
  const sent = await ctx.store.db.transaction().execute(async (trx) => {
    const count = await countSms(trx, user.id, 'setup', calendarDay(now, policy.timeZone), limit);
    if (count === null) return null;
    const sms = await createSmsCode(
      trx,
      ctx.secrets,
      {
        owner: target.owner,
        phone: phone.e164,
        template: 'sms_setup_code',
        locale: user.locale,
        tenantId: tenant.id,
        tenantName: tenant.name,
        policy,
      },
      now,
    );
    await recordAudit(trx, now, {
      action: 'sms.sent',
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'user',
      actorId: user.id,
      ip: meta.ip,
      details: { purpose: target.owner.purpose, countToday: count, to: maskPhone(phone.e164) },
    });
    return { count, ...sms };
  });
  if (!sent)
    throw new ApiError('sms_limit_reached', `At most ${limit} verification SMS can be sent a day.`, {
      retryAt: iso(nextDayStart(now, policy.timeZone)),
    });
  await ctx.delivery.dispatch([sent.messageId]);
  return { sentTo: maskPhone(phone.e164), remainingToday: limit - sent.count, expiresAt: iso(sent.expiresAt) };
}

export async function startPhoneEnrollment(
  ctx: ServerContext,
  auth: Authenticated,
  phoneInput: string,
  meta: RequestMeta,
): Promise<SmsSent> {
  if (!auth.tenant.policy.allowedMethods.includes('sms')) throw new ApiError('forbidden', 'Your organisation does not use SMS codes.');
  if (auth.user.phone && auth.user.mfa_enrolled_at !== null) {
    throw new ApiError('phone_change_via_support', 'To change your phone number, contact support: they will send you a reset link.');
  }
  await requireFreshFactorForEnrolledUser(ctx, auth, meta);
  return sendSetupCode(ctx, { user: auth.user, tenant: auth.tenant, owner: { userId: auth.user.id, purpose: 'setup' }, phoneInput }, meta);
}

/**
 * Confirms the number with the code. During first enrollment this also issues the recovery codes
 * (shown once), which `POST /v1/enroll/complete` must acknowledge before the phone becomes the factor.
 */
export async function confirmPhoneEnrollment(
  ctx: ServerContext,
  auth: Authenticated,
  code: string,
  meta: RequestMeta,
): Promise<z.infer<typeof phoneConfirmAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  await requireFreshFactorForEnrolledUser(ctx, auth, meta);
  const result = await checkSmsCode(
    db,
    ctx.secrets,
    { userId: auth.user.id, purpose: 'setup' },
    code,
    auth.tenant.policy.smsCodeAttempts,
    now,
  );
  if (!result.ok) {
    throw new ApiError(
      'invalid_code',
      result.reason === 'wrong' ? 'The code is wrong.' : 'No code is waiting, or it expired. Ask for a new one.',
      { attemptsLeft: result.attemptsLeft },
    );
  }
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ phone: result.phone }).where('id', '=', auth.user.id).execute();
    // First enrollment: the codes come now, and go live when enrollment completes.
    const recoveryCodes =
      auth.user.mfa_enrolled_at === null
        ? await issuePendingRecoveryCodes(trx, auth.user.id, auth.tenant.policy.recoveryCodeCount, 'sms', now)
        : [];
    await recordAudit(trx, now, {
      action: 'enrollment.phone_confirmed',
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
      ip: meta.ip,
      details: { phone: maskPhone(result.phone) },
    });
    return { phoneHint: maskPhone(result.phone), recoveryCodes };
  });
}
