import type { z } from 'zod';
import type { meAnswer, passwordChangeRequest, recoveryCodesAnswer } from '../../shared/api/end-user.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { throttleKeys } from '../policy/password-throttle.js';
import { forgetTrustedIps } from '../store/repositories/trusted-ips.js';
import { revokeSession, revokeUserSessions } from '../store/repositories/sessions.js';
import { revokeTrustedDevices } from '../store/repositories/trusted-devices.js';
import { issueLiveRecoveryCodes } from '../factors/recovery-codes/batches.js';
import type { RequestMeta } from '../http/request-meta.js';
import { requireFreshSecondFactor } from './step-up.js';
import type { Authenticated } from '../http/session-auth.js';
import { describeSecondFactors, toPublicUser } from '../views/user-views.js';
import { clearUserPasswordFailures } from '../store/repositories/password-failures.js';
import { startPasswordAttempt } from './password-attempt.js';

function auditOf(auth: Authenticated, meta: RequestMeta) {
  return { tenantId: auth.tenant.id, userId: auth.user.id, actorType: 'user' as const, actorId: auth.user.id, ip: meta.ip };
}

export async function describeMe(ctx: ServerContext, auth: Authenticated): Promise<z.infer<typeof meAnswer>> {
  const { factors, recoveryCodesLeft, trustedDevices } = await describeSecondFactors(ctx.store.db, auth.user, ctx.clock.now());
  return {
    user: toPublicUser(auth.user),
    tenant: { id: auth.tenant.id, slug: auth.tenant.slug, name: auth.tenant.name },
    factors,
    recoveryCodesLeft,
    devices: trustedDevices,
    session: {
      expiresAt: iso(auth.session.expires_at),
      secondFactorAt: auth.session.second_factor_at === null ? null : iso(auth.session.second_factor_at),
    },
  };
}

export async function regenerateRecoveryCodes(
  ctx: ServerContext,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<z.infer<typeof recoveryCodesAnswer>> {
  if (auth.user.mfa_enrolled_at === null) throw new ApiError('enrollment_incomplete', 'Set up two-factor authentication first.');
  await requireFreshSecondFactor(ctx, auth, meta);
  const now = ctx.clock.now();
  return ctx.store.db.transaction().execute(async (trx) => {
    const codes = await issueLiveRecoveryCodes(trx, auth.user.id, auth.tenant.policy.recoveryCodeCount, now);
    await recordAudit(trx, now, {
      ...auditOf(auth, meta),
      action: 'recovery_codes.regenerated',
      details: { count: codes.length, by: 'user' },
    });
    return { recoveryCodes: codes };
  });
}

export async function changePassword(
  ctx: ServerContext,
  auth: Authenticated,
  input: z.infer<typeof passwordChangeRequest>,
  meta: RequestMeta,
): Promise<void> {
  await requireFreshSecondFactor(ctx, auth, meta);
  // The current-password check is a password guess like any other: a stolen session must not try
  // passwords without limit (same schedule as sign-in, its own run).
  const attempt = await startPasswordAttempt(
    ctx.store.db,
    { key: throttleKeys.passwordChange(auth.tenant.id, auth.user.id), policy: auth.tenant.policy, ip: null },
    ctx.clock.now(),
  );
  if (!(await ctx.passwords.verify(auth.user.password_hash, input.currentPassword))) {
    throw new ApiError('invalid_credentials', 'The current password is wrong.');
  }
  await attempt.passwordRight();
  if (input.newPassword === input.currentPassword)
    throw new ApiError('invalid_request', 'Choose a password different from the current one.');
  const hash = await ctx.passwords.hash(input.newPassword);
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, password_changed_at: now }).where('id', '=', auth.user.id).execute();
    // A new password means whoever knew the old one is out: other sessions and remembered devices end.
    const sessions = await revokeUserSessions(trx, auth.user.id, now, auth.session.id);
    const devices = await revokeTrustedDevices(trx, auth.user.id, now);
    const ips = await forgetTrustedIps(trx, auth.user.id);
    // Guesses at the old password are moot now.
    await clearUserPasswordFailures(trx, auth.tenant.id, auth.user.id, auth.user.email);
    await recordAudit(trx, now, {
      ...auditOf(auth, meta),
      action: 'password.changed',
      details: { sessionsEnded: sessions, devicesForgotten: devices, trustedIpsForgotten: ips },
    });
  });
}

export async function forgetDevice(
  ctx: ServerContext,
  auth: Authenticated,
  deviceId: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const count = await revokeTrustedDevices(trx, auth.user.id, now, deviceId);
    if (deviceId && count === 0) throw new ApiError('not_found', 'There is no such remembered device.');
    await recordAudit(trx, now, { ...auditOf(auth, meta), action: 'device.revoked', details: { deviceId: deviceId ?? 'all', count } });
  });
}

export async function logout(ctx: ServerContext, auth: Authenticated, meta: RequestMeta): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    await revokeSession(trx, auth.session.id, now);
    await recordAudit(trx, now, { ...auditOf(auth, meta), action: 'session.logout' });
  });
}
