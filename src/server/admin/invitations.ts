import type { z } from 'zod';
import type { ticketAndReason } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { inviteUser } from '../flows/invitations.js';
import { isDisabled } from '../flows/scheduled-disable.js';
import type { RequestMeta } from '../http/request-meta.js';
import { NO_PASSWORD_YET } from '../passwords/password-hasher.js';
import { findTenantById } from '../store/repositories/tenants.js';
import { assertMayAct, type OperatorPrincipal } from './operator-principal.js';
import { visibleUser } from './user-detail.js';

/**
 * A new invitation for a person who never chose a password (the email was lost, the link expired
 * while they were away): the links sent before stop working, and a new one goes out in their
 * language. Only for such accounts: for anyone with a password this would be a password reset by
 * an operator, which is not what support should be able to do.
 */
export async function resendInvitation(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: z.infer<typeof ticketAndReason>,
  meta: RequestMeta,
): Promise<{ sentTo: string; expiresAt: string; auditEventId: string }> {
  const user = await visibleUser(ctx, principal, userId);
  assertMayAct(principal);
  const tenant = await findTenantById(ctx.store.db, user.tenant_id);
  if (!tenant) throw new ApiError('not_found', 'There is no such user.');
  const now = ctx.clock.now();
  if (isDisabled(user, now)) throw new ApiError('conflict', 'This account is disabled.');
  if (user.password_hash !== NO_PASSWORD_YET)
    throw new ApiError('conflict', 'This person has chosen a password already: they sign in with it to finish setting up.');
  const { auditEventId, messageId, expiresAt } = await ctx.store.db.transaction().execute(async (trx) => {
    // Still without a password, as of this transaction (and the row held on PostgreSQL): an old link
    // accepted a moment ago must not leave a fresh one behind for an account that has a password now.
    const still = await trx
      .updateTable('users')
      .set({ password_hash: NO_PASSWORD_YET })
      .where('id', '=', user.id)
      .where('password_hash', '=', NO_PASSWORD_YET)
      .executeTakeFirst();
    if (still.numUpdatedRows !== 1n) throw new ApiError('conflict', 'This person has just chosen a password.');
    await trx.updateTable('invitations').set({ expires_at: now }).where('user_id', '=', user.id).where('expires_at', '>', now).execute();
    const invitation = await inviteUser(
      ctx,
      trx,
      { user, tenant, proposedPhone: await proposedPhoneOf(trx, user.id), breakupId: null },
      now,
    );
    const auditEventId = await recordAudit(trx, now, {
      action: 'admin.invitation_resent',
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: { ticket: request.ticket, reason: request.reason, operator: principal.email, invitationId: invitation.invitationId },
    });
    return { auditEventId, messageId: invitation.messageId, expiresAt: invitation.expiresAt };
  });
  await ctx.delivery.dispatch([messageId]);
  return { sentTo: user.email, expiresAt: iso(expiresAt), auditEventId };
}

/** The number the break-up proposed, carried over to the new invitation. */
async function proposedPhoneOf(db: Parameters<typeof recordAudit>[0], userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('invitations')
    .select('proposed_phone')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.proposed_phone ?? null;
}
