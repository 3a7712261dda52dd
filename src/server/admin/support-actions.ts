import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { ticketAndReason } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import type { ServerContext } from '../context.js';
import { formatWhen, renderMessage, type SupportChange } from '../delivery/message-templates.js';
import { createPhoneResetLink } from '../factors/sms/phone-reset.js';
import { issueLiveRecoveryCodes } from '../factors/recovery-codes/batches.js';
import { resetAuthenticatorApp } from '../factors/totp/support-reset.js';
import type { RequestMeta } from '../http/request-meta.js';
import { resetSmsCount } from '../store/repositories/sms-counters.js';
import { forgetTrustedIps } from '../store/repositories/trusted-ips.js';
import { queueMessage } from '../store/repositories/messages.js';
import { revokeUserSessions } from '../store/repositories/sessions.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { revokeTrustedDevices } from '../store/repositories/trusted-devices.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { liftPushLock } from '../store/repositories/push-devices.js';
import { isPushLocked } from '../factors/push/factor.js';
import { startPushEnrollment } from '../factors/push/enrollment.js';
import { revokePushDevice } from '../factors/push/devices.js';
import { assertMayAct, type OperatorPrincipal } from './operator-principal.js';
import { visibleUser } from './user-detail.js';
import { userHasWaitingRuns, clearUserPasswordFailures } from '../store/repositories/password-failures.js';

type TicketAndReason = z.infer<typeof ticketAndReason>;

interface ActionContext {
  trx: Kysely<Database>;
  user: UserRow;
  tenant: Tenant;
  now: number;
}

/**
 * The frame every support action runs in: the operator must see the user (else 404) and may act
 * (else 403); the change, its audit event (operator, ticket, reason, IP) and the email telling the
 * user are one transaction, so there is never a change without its record or a record without the
 * change. The email is sent after commit.
 */
async function supportAction<T>(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason,
  meta: RequestMeta,
  action: { name: string; change: SupportChange },
  apply: (c: ActionContext) => Promise<{ result: T; details?: Record<string, unknown> }>,
): Promise<T & { auditEventId: string }> {
  const user = await visibleUser(ctx, principal, userId);
  assertMayAct(principal);
  const tenant = await findTenantById(ctx.store.db, user.tenant_id);
  if (!tenant) throw new ApiError('not_found', 'There is no such user.');
  const now = ctx.clock.now();
  const { result, auditEventId, messageId } = await ctx.store.db.transaction().execute(async (trx) => {
    const { result, details } = await apply({ trx, user, tenant, now });
    const auditEventId = await recordAudit(trx, now, {
      action: `admin.${action.name}`,
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: { ticket: request.ticket, reason: request.reason, operator: principal.email, ...details },
    });
    const { subject, text } = renderMessage('changed_by_support', user.locale, {
      tenant: tenant.name,
      change: action.change,
      when: formatWhen(now, user.locale, tenant.policy.timeZone),
    });
    const messageId = await queueMessage(
      trx,
      {
        tenantId: tenant.id,
        userId: user.id,
        channel: 'email',
        recipient: user.email,
        template: 'changed_by_support',
        locale: user.locale,
        subject,
        text,
      },
      now,
    );
    return { result, auditEventId, messageId };
  });
  await ctx.delivery.dispatch([messageId]);
  return { ...result, auditEventId };
}

export function unlockUser(ctx: ServerContext, principal: OperatorPrincipal, userId: string, request: TicketAndReason, meta: RequestMeta) {
  return supportAction(ctx, principal, userId, request, meta, { name: 'unlock', change: 'unlock' }, async ({ trx, user, now }) => {
    const lifted = await trx
      .updateTable('lockouts')
      .set({ lifted_at: now, lifted_by: `operator:${principal.email}` })
      .where('user_id', '=', user.id)
      .where('lifted_at', 'is', null)
      .where('until', '>', now)
      .returning(['id', 'reason'])
      .execute();
    // Password throttles count too: after a run of wrong passwords (up to the hard stop) the caller
    // may try again at once, from anywhere.
    // A typo or two is no lock: only runs that make the user wait (or refuse them) count.
    const waiting = await userHasWaitingRuns(trx, user.tenant_id, user.id, user.email, now);
    if (lifted.length === 0 && !waiting && !isPushLocked(user, now)) throw new ApiError('conflict', 'This user is not locked.');
    const passwordRuns = await clearUserPasswordFailures(trx, user.tenant_id, user.id, user.email);
    const pushUnlocked = await liftPushLock(trx, user.id);
    // A fresh start: the daily SMS count and the wrong-code count begin again.
    await resetSmsCount(trx, user.id, 'login');
    await trx.updateTable('users').set({ failed_code_count: 0 }).where('id', '=', user.id).execute();
    return {
      result: { ok: true as const },
      details: { lockouts: lifted.map((l) => ({ id: l.id, reason: l.reason })), passwordThrottlesCleared: passwordRuns, pushUnlocked },
    };
  });
}

export function regenerateRecoveryCodesFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason,
  meta: RequestMeta,
) {
  return supportAction(
    ctx,
    principal,
    userId,
    request,
    meta,
    { name: 'recovery_codes_regenerated', change: 'recovery_codes' },
    async ({ trx, user, tenant, now }) => {
      if (user.mfa_enrolled_at === null)
        throw new ApiError('enrollment_incomplete', 'This user has not set up two-factor authentication yet.');
      const codes = await issueLiveRecoveryCodes(trx, user.id, tenant.policy.recoveryCodeCount, now);
      return { result: { recoveryCodes: codes }, details: { count: codes.length } };
    },
  );
}

export function resetTotp(ctx: ServerContext, principal: OperatorPrincipal, userId: string, request: TicketAndReason, meta: RequestMeta) {
  return supportAction(ctx, principal, userId, request, meta, { name: 'totp_reset', change: 'totp_reset' }, async ({ trx, user, now }) => ({
    result: { ok: true as const },
    details: await resetAuthenticatorApp(trx, user, now),
  }));
}

export function revokeDevices(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason & { deviceId?: string },
  meta: RequestMeta,
) {
  return supportAction(
    ctx,
    principal,
    userId,
    request,
    meta,
    { name: 'devices_revoked', change: 'devices_revoked' },
    async ({ trx, user, now }) => {
      const count = await revokeTrustedDevices(trx, user.id, now, request.deviceId);
      if (request.deviceId && count === 0) throw new ApiError('not_found', 'There is no such remembered device.');
      const ips = request.deviceId ? 0 : await forgetTrustedIps(trx, user.id);
      return {
        result: { ok: true as const },
        details: { deviceId: request.deviceId ?? 'all', devicesForgotten: count, trustedIpsForgotten: ips },
      };
    },
  );
}

export function revokeSessions(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason,
  meta: RequestMeta,
) {
  return supportAction(
    ctx,
    principal,
    userId,
    request,
    meta,
    { name: 'sessions_revoked', change: 'sessions_revoked' },
    async ({ trx, user, now }) => {
      const count = await revokeUserSessions(trx, user.id, now);
      return { result: { ok: true as const }, details: { sessionsEnded: count } };
    },
  );
}

/** Support starts a push device enrollment for the user: the QR code and test code are shown on the console. */
export function startPushEnrollmentFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason,
  meta: RequestMeta,
) {
  return supportAction(
    ctx,
    principal,
    userId,
    request,
    meta,
    { name: 'push_enrollment_started', change: 'push_enrollment_started' },
    async ({ trx, user, tenant }) => {
      const enrollment = await startPushEnrollment(ctx, trx, {
        user,
        tenant,
        startedBy: { type: 'operator', id: principal.id },
        ip: meta.ip,
      });
      return { result: enrollment, details: { enrollmentId: enrollment.enrollmentId } };
    },
  );
}

export function revokePushDeviceFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  deviceId: string,
  request: TicketAndReason,
  meta: RequestMeta,
) {
  return supportAction(
    ctx,
    principal,
    userId,
    request,
    meta,
    { name: 'push_device_revoked', change: 'push_device_revoked' },
    async ({ trx, user, now }) => {
      const device = await revokePushDevice(trx, user.id, deviceId, now, { type: 'operator' });
      if (!device) throw new ApiError('not_found', 'There is no such push device.');
      return { result: { ok: true as const }, details: { deviceId, deviceName: device.name, deviceState: device.state } };
    },
  );
}

/** The reset link is itself the email to the user; its audit event carries the ticket and reason. */
export async function sendPhoneResetLink(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: TicketAndReason,
  meta: RequestMeta,
) {
  const user = await visibleUser(ctx, principal, userId);
  assertMayAct(principal);
  const sent = await createPhoneResetLink(
    ctx,
    user.id,
    { type: 'operator', id: principal.id, label: `operator:${principal.email}` },
    meta.ip,
    { ticket: request.ticket, reason: request.reason },
  );
  return { sentTo: sent.sentTo, expiresAt: sent.expiresAt, auditEventId: sent.auditEventId };
}
