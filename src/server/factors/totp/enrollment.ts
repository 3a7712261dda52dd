import type { z } from 'zod';
import type { recoveryCodesAnswer, totpEnrollAnswer } from '../../../shared/api/end-user.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import type { ServerContext } from '../../context.js';
import { qrSvg } from '../../views/qr-svg.js';
import { checkTotpCode, newTotpSecret, totpUri } from './totp-codes.js';
import { claimTotpStep, findTotpFactor, insertPendingTotp } from '../../store/repositories/totp-factors.js';
import { dropPendingRecoveryCodes, issuePendingRecoveryCodes } from '../recovery-codes/batches.js';
import type { RequestMeta } from '../../http/request-meta.js';
import type { Authenticated } from '../../http/session-auth.js';
import { requireFreshFactorForEnrolledUser } from '../../flows/step-up.js';
import { confirmFromSheet } from './enrollment-sheets.js';
import { findLiveSheet } from '../../store/repositories/enrollment-sheets.js';

/**
 * Authenticator-app enrollment as seed 000 describes it: show a QR code, confirm with a code from the
 * app, show the recovery codes once, and finish only when the user says they saved them (skipping
 * that step is what locks people out, so it cannot be skipped).
 */
export async function startTotpEnrollment(
  ctx: ServerContext,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<z.infer<typeof totpEnrollAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  if (await findTotpFactor(db, auth.user.id, 'active'))
    throw new ApiError('already_enrolled', 'An authenticator app is already set up for this account.');
  if (!auth.tenant.policy.allowedMethods.includes('totp'))
    throw new ApiError('forbidden', 'Your organisation does not use authenticator apps.');
  await requireFreshFactorForEnrolledUser(ctx, auth, meta);
  const secret = newTotpSecret();
  const otpauthUri = totpUri(secret, auth.tenant.policy.totpIssuer ?? auth.tenant.name, auth.user.email);
  await db.transaction().execute(async (trx) => {
    await insertPendingTotp(trx, auth.user.id, ctx.secrets.seal(secret, auth.user.id), now);
    // A confirmed app this replaces took its recovery codes with it.
    await dropPendingRecoveryCodes(trx, auth.user.id, 'totp');
    await recordAudit(trx, now, {
      action: 'enrollment.totp_started',
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
      ip: meta.ip,
    });
  });
  return { secret, otpauthUri, qrSvg: await qrSvg(otpauthUri) };
}

export async function confirmTotpEnrollment(
  ctx: ServerContext,
  auth: Authenticated,
  code: string,
  meta: RequestMeta,
): Promise<z.infer<typeof recoveryCodesAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const pending = await findTotpFactor(db, auth.user.id, 'pending');
  await requireFreshFactorForEnrolledUser(ctx, auth, meta);
  const result = pending
    ? checkTotpCode({ secret: ctx.secrets.open(pending.secret_enc, auth.user.id), code, at: now })
    : { valid: false as const };
  if (!pending || !result.valid) {
    // Not the QR code they started: maybe the printed sheet an administrator gave them.
    const fromSheet = await confirmFromSheet(ctx, auth, code, meta);
    if (fromSheet) return fromSheet;
    const again = await reconfirmApp(ctx, auth, code, now);
    if (again) return again;
    // A printed sheet waits: the code was simply wrong (no QR code needed).
    if (!pending && !(await findLiveSheet(db, auth.user.id, now)))
      throw new ApiError('conflict', 'Start with POST /v1/enroll/totp to get a QR code first.');
    throw new ApiError('invalid_code', 'The code does not match. Check the time on your phone and try the newest code.');
  }
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('totp_factors')
      .set({ status: 'confirmed', last_used_step: result.step })
      .where('id', '=', pending.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (moved.numUpdatedRows !== 1n) throw new ApiError('conflict', 'This enrollment was already confirmed.');
    const codes = await issuePendingRecoveryCodes(trx, auth.user.id, auth.tenant.policy.recoveryCodeCount, 'totp', now);
    await recordAudit(trx, now, {
      action: 'enrollment.totp_confirmed',
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
      ip: meta.ip,
    });
    return { recoveryCodes: codes };
  });
}

/**
 * An app confirmed before whose recovery codes were never acknowledged (the page was closed, the
 * token ran out): a code from it issues the codes again (the earlier ones never went live), so the
 * enrollment can finish. Needed for a printed sheet above all: its key cannot be scanned again.
 */
async function reconfirmApp(
  ctx: ServerContext,
  auth: Authenticated,
  code: string,
  now: number,
): Promise<z.infer<typeof recoveryCodesAnswer> | null> {
  const { db } = ctx.store;
  const confirmed = await findTotpFactor(db, auth.user.id, 'confirmed');
  if (!confirmed) return null;
  const result = checkTotpCode({ secret: ctx.secrets.open(confirmed.secret_enc, auth.user.id), code, at: now });
  if (!result.valid) return null;
  return db.transaction().execute(async (trx) => {
    // The step is claimed as at sign-in: the same code twice shows the codes once.
    if (!(await claimTotpStep(trx, confirmed.id, result.step)))
      throw new ApiError('invalid_code', 'This code was used already: wait for the next one.');
    const codes = await issuePendingRecoveryCodes(trx, auth.user.id, auth.tenant.policy.recoveryCodeCount, 'totp', now);
    await recordAudit(trx, now, {
      action: 'enrollment.totp_reconfirmed',
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
    });
    return { recoveryCodes: codes };
  });
}
