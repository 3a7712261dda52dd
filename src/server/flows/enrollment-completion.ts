import type { z } from 'zod';
import type { enrollCompleteAnswer } from '../../shared/api/end-user.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { HOUR } from '../clock.js';
import { signInAmr } from '../../shared/methods.js';
import type { ServerContext } from '../context.js';
import { makeRecoveryBatchLive } from '../factors/recovery-codes/batches.js';
import type { RequestMeta } from '../http/request-meta.js';
import type { Authenticated } from '../http/session-auth.js';
import { insertSession, revokeSession } from '../store/repositories/sessions.js';
import { findTotpFactor } from '../store/repositories/totp-factors.js';
import { trustIp } from '../store/repositories/trusted-ips.js';
import { requireFreshFactorForEnrolledUser } from './step-up.js';
import { retireLiveSheets } from '../store/repositories/enrollment-sheets.js';

/**
 * The last step of every enrollment (seed 000 step 9: the recovery codes are saved): the confirmed
 * factor becomes active, the batch its confirmation issued goes live, and a full session is issued,
 * since the user has just proven the factor. When both the app and the phone were confirmed, the app is
 * the factor activated and the codes shown last go live (each confirmation replaces the pending
 * batch); the phone completes alone only on a batch its own confirmation issued.
 */
export async function completeEnrollment(
  ctx: ServerContext,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<z.infer<typeof enrollCompleteAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const policy = auth.tenant.policy;
  const batchId = auth.user.pending_recovery_batch_id;
  const confirmedApp = await findTotpFactor(db, auth.user.id, 'confirmed');
  const phoneConfirmed = auth.user.pending_recovery_factor === 'sms' && auth.user.phone !== null && policy.allowedMethods.includes('sms');
  const method = confirmedApp ? 'totp' : phoneConfirmed ? 'sms' : null;
  if (!method || !batchId) throw new ApiError('enrollment_incomplete', 'Confirm a code from your authenticator app or your phone first.');
  await requireFreshFactorForEnrolledUser(ctx, auth, meta);
  return db.transaction().execute(async (trx) => {
    if (confirmedApp) {
      // A printed sheet still waiting is not needed now: it stops working. First, so a sheet's code
      // confirmed at the same moment takes the locks in the same order (sheet, then factor).
      await retireLiveSheets(trx, auth.user.id, now);
      const activated = await trx
        .updateTable('totp_factors')
        .set({ status: 'active', activated_at: now })
        .where('id', '=', confirmedApp.id)
        .where('status', '=', 'confirmed')
        .executeTakeFirst();
      if (activated.numUpdatedRows !== 1n) throw new ApiError('conflict', 'This enrollment was already completed.');
    }
    // The pending batch is the claim: a second, concurrent completion finds it gone.
    if (!(await makeRecoveryBatchLive(trx, auth.user.id, batchId, { fromPending: true }))) {
      throw new ApiError('conflict', 'This enrollment was already completed.');
    }
    await trx.updateTable('users').set({ mfa_enrolled_at: now, failed_code_count: 0 }).where('id', '=', auth.user.id).execute();
    await revokeSession(trx, auth.session.id, now);
    const { token } = await insertSession(
      trx,
      {
        userId: auth.user.id,
        kind: 'full',
        ip: meta.ip,
        expiresAt: now + policy.sessionHours * HOUR,
        secondFactorAt: now,
        amr: signInAmr(method),
      },
      now,
    );
    if (policy.askOnlyOnNewIpOrPasswordChange) await trustIp(trx, auth.user.id, meta.ip, now);
    await recordAudit(trx, now, {
      action: 'enrollment.completed',
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
      ip: meta.ip,
      details: { method, recoveryCodesAcknowledged: true },
    });
    return { sessionToken: token };
  });
}
