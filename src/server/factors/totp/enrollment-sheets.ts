import type { Kysely } from 'kysely';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { DAY } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import type { RequestMeta } from '../../http/request-meta.js';
import type { Authenticated } from '../../http/session-auth.js';
import { findTotpFactor } from '../../store/repositories/totp-factors.js';
import { insertSheet, sheetState, spendSheet, unspentSheetsOf, type SheetRow } from '../../store/repositories/enrollment-sheets.js';
import type { Tenant } from '../../store/repositories/tenants.js';
import type { UserRow } from '../../store/repositories/users.js';
import type { Database } from '../../store/schema.js';
import { issuePendingRecoveryCodes } from '../recovery-codes/batches.js';
import { checkTotpCode, newTotpSecret, totpUri } from './totp-codes.js';

/**
 * Printed enrollment sheets (privacyIDEA's paper tokens, for a whole batch): the app's key is made
 * here, sealed to the user, and handed to the console once to print. It is a pending enrollment: it
 * becomes the user's app only when they type a code made from it (at /v1/enroll/totp/confirm), and
 * then they get recovery codes as in any enrollment. A sheet expires after the policy's days, a
 * newer one replaces it, an operator can void it, and it works once.
 */
export interface NewSheet {
  sheet: Pick<SheetRow, 'id' | 'user_id' | 'expires_at'>;
  secret: string;
  otpauthUri: string;
  /** "ABCD EFGH ...": the key as people type it from paper. */
  manualKey: string;
  issuer: string;
}

export async function createSheet(
  ctx: ServerContext,
  trx: Kysely<Database>,
  input: { user: UserRow; tenant: Tenant; batchId: string; createdBy: string },
  now: number,
): Promise<NewSheet> {
  const secret = newTotpSecret();
  const issuer = input.tenant.policy.totpIssuer ?? input.tenant.name;
  const sheet = {
    id: newId(),
    tenant_id: input.tenant.id,
    user_id: input.user.id,
    batch_id: input.batchId,
    secret_enc: ctx.secrets.seal(secret, input.user.id),
    created_by: input.createdBy,
    created_at: now,
    expires_at: now + input.tenant.policy.enrollmentSheetDays * DAY,
  };
  await insertSheet(trx, sheet);
  return { sheet, secret, otpauthUri: totpUri(secret, issuer, input.user.email), manualKey: groupsOfFour(secret), issuer };
}

export function groupsOfFour(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * A code typed at enrollment that is not from a QR code the user started: is it from one of their
 * sheets? A live sheet's code confirms the app (the sheet's key becomes the factor, confirmed, with
 * its recovery codes pending as after a scan); one from a spent, expired, replaced or voided sheet is
 * refused in words. Null: no sheet of theirs made this code.
 */
export async function confirmFromSheet(
  ctx: ServerContext,
  auth: Authenticated,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] } | null> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  // A sheet printed before the tenant stopped using apps does not bring one in.
  if (!auth.tenant.policy.allowedMethods.includes('totp')) return null;
  for (const sheet of await unspentSheetsOf(db, auth.user.id)) {
    // A key already wiped (long expired) is no sheet any more.
    if (!sheet.secret_enc) continue;
    const result = checkTotpCode({ secret: ctx.secrets.open(sheet.secret_enc, auth.user.id), code, at: now });
    if (!result.valid) continue;
    const state = sheetState(sheet, now);
    if (state === 'voided')
      throw new ApiError('sheet_voided', 'This enrollment sheet was voided by your administrator. Ask them for a new one.');
    if (state !== 'live')
      throw new ApiError(
        'sheet_expired',
        'This enrollment sheet has expired or was replaced by a newer one. Ask your administrator for a new one.',
      );
    if (await findTotpFactor(db, auth.user.id, 'active'))
      throw new ApiError('already_enrolled', 'An authenticator app is already set up for this account; this sheet is not needed.');
    return db.transaction().execute(async (trx) => {
      if (!(await spendSheet(trx, sheet.id, now))) throw new ApiError('sheet_expired', 'This enrollment sheet was used already.');
      // Checked again inside: an app completed a moment ago (from a QR code) is not doubled.
      if (await findTotpFactor(trx, auth.user.id, 'active'))
        throw new ApiError('already_enrolled', 'An authenticator app is already set up for this account.');
      // The sheet's key is the app now; an app the user had started scanning gives way to it.
      await trx.deleteFrom('totp_factors').where('user_id', '=', auth.user.id).where('status', '!=', 'active').execute();
      await trx
        .insertInto('totp_factors')
        .values({
          id: newId(),
          user_id: auth.user.id,
          secret_enc: sheet.secret_enc,
          status: 'confirmed',
          last_used_step: result.step,
          created_at: now,
          activated_at: null,
        })
        .execute();
      const recoveryCodes = await issuePendingRecoveryCodes(trx, auth.user.id, auth.tenant.policy.recoveryCodeCount, 'totp', now);
      await recordAudit(trx, now, {
        action: 'enrollment.totp_confirmed',
        tenantId: auth.tenant.id,
        userId: auth.user.id,
        actorType: 'user',
        actorId: auth.user.id,
        ip: meta.ip,
        details: { fromSheet: sheet.id },
      });
      return { recoveryCodes };
    });
  }
  return null;
}
