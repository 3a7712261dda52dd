import type { z } from 'zod';
import { isDisabled } from '../../flows/scheduled-disable.js';
import type { phoneResetDone, phoneResetInfo } from '../../../shared/api/end-user.js';
import { ApiError } from '../../api-error.js';
import { recordAudit, type AuditEvent } from '../../audit/audit-trail.js';
import { DAY, iso } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { newId, newOpaqueToken, sha256Hex } from '../../crypto/tokens.js';
import { formatWhen, renderMessage } from '../../delivery/message-templates.js';
import { maskPhone } from './phone-numbers.js';
import { checkSmsCode } from './sms-code-delivery.js';
import { resetSmsCount } from '../../store/repositories/sms-counters.js';
import { forgetTrustedIps } from '../../store/repositories/trusted-ips.js';
import { queueMessage } from '../../store/repositories/messages.js';
import { revokeUserSessions } from '../../store/repositories/sessions.js';
import { findTenantById, type Tenant } from '../../store/repositories/tenants.js';
import { revokeTrustedDevices } from '../../store/repositories/trusted-devices.js';
import { findUserById, type UserRow } from '../../store/repositories/users.js';
import { sendSetupCode } from './enrollment.js';
import type { RequestMeta } from '../../http/request-meta.js';
import type { SmsSent } from './challenge.js';

/** Seed 003: a phone number changes only through a reset link that support sends; it lives 24 hours. */
export const RESET_LINK_TTL = DAY;

export interface ResetLinkActor {
  type: AuditEvent['actorType'];
  id: string | null;
  /** Who, for the record: "operator:sam@desk.test", "cli". */
  label: string;
}

/**
 * Creates a single-use reset link (only its hash is stored; earlier open links of the user die) and
 * emails it to the user. The admin API and the CLI both call this.
 */
export async function createPhoneResetLink(
  ctx: ServerContext,
  userId: string,
  actor: ResetLinkActor,
  ip: string | null,
  extraAudit: Record<string, unknown> = {},
): Promise<{ link: string; expiresAt: string; sentTo: string; auditEventId: string }> {
  const { db } = ctx.store;
  const user = await findUserById(db, userId);
  const tenant = user && (await findTenantById(db, user.tenant_id));
  if (!user || !tenant) throw new ApiError('not_found', 'There is no such user.');
  const now = ctx.clock.now();
  const token = newOpaqueToken();
  const link = `${ctx.publicUrl}/phone-reset/${token}`;
  const expiresAt = now + RESET_LINK_TTL;
  const { messageId, auditEventId } = await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('phone_reset_links')
      .set({ expires_at: now })
      .where('user_id', '=', user.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    await trx
      .insertInto('phone_reset_links')
      .values({
        id: newId(),
        user_id: user.id,
        tenant_id: tenant.id,
        token_hash: sha256Hex(token),
        created_by: actor.label,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
    const { subject, text } = renderMessage('phone_reset_link', user.locale, {
      tenant: tenant.name,
      link,
      expires: formatWhen(expiresAt, user.locale, tenant.policy.timeZone),
    });
    const id = await queueMessage(
      trx,
      {
        tenantId: tenant.id,
        userId: user.id,
        channel: 'email',
        recipient: user.email,
        template: 'phone_reset_link',
        locale: user.locale,
        subject,
        text,
      },
      now,
    );
    const auditEventId = await recordAudit(trx, now, {
      action: 'phone_reset.link_sent',
      tenantId: tenant.id,
      userId: user.id,
      actorType: actor.type,
      actorId: actor.id,
      ip,
      details: { by: actor.label, expiresAt: iso(expiresAt), ...extraAudit },
    });
    return { messageId: id, auditEventId };
  });
  await ctx.delivery.dispatch([messageId]);
  return { link, expiresAt: iso(expiresAt), sentTo: maskEmail(user.email), auditEventId };
}

interface OpenLink {
  id: string;
  expiresAt: number;
  user: UserRow;
  tenant: Tenant;
}

async function openLink(ctx: ServerContext, token: string): Promise<OpenLink> {
  const { db } = ctx.store;
  const row = await db.selectFrom('phone_reset_links').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!row) throw new ApiError('not_found', 'This reset link is not valid. Ask support for a new one.');
  if (row.used_at !== null)
    throw new ApiError('link_expired', 'This reset link was already used. Ask support for a new one if you need it.');
  if (row.expires_at <= ctx.clock.now()) throw new ApiError('link_expired', 'This reset link has expired. Ask support for a new one.');
  const user = await findUserById(db, row.user_id);
  const tenant = user && (await findTenantById(db, user.tenant_id));
  if (!user || !tenant || isDisabled(user, ctx.clock.now()))
    throw new ApiError('not_found', 'This reset link is not valid. Ask support for a new one.');
  return { id: row.id, expiresAt: row.expires_at, user, tenant };
}

export async function describePhoneReset(ctx: ServerContext, token: string): Promise<z.infer<typeof phoneResetInfo>> {
  const link = await openLink(ctx, token);
  return {
    tenant: link.tenant.name,
    email: maskEmail(link.user.email),
    currentPhone: link.user.phone ? maskPhone(link.user.phone) : null,
    expiresAt: iso(link.expiresAt),
  };
}

export async function sendPhoneResetCode(ctx: ServerContext, token: string, phoneInput: string, meta: RequestMeta): Promise<SmsSent> {
  const link = await openLink(ctx, token);
  return sendSetupCode(
    ctx,
    { user: link.user, tenant: link.tenant, owner: { userId: link.user.id, purpose: 'phone_reset', resetLinkId: link.id }, phoneInput },
    meta,
  );
}

/**
 * The new number, confirmed by its code: the link is spent, the old number is gone, remembered
 * devices, trusted IPs and sessions end, and the user is told by email.
 */
export async function confirmPhoneReset(
  ctx: ServerContext,
  token: string,
  code: string,
  meta: RequestMeta,
): Promise<z.infer<typeof phoneResetDone>> {
  const link = await openLink(ctx, token);
  const { user, tenant } = link;
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const result = await checkSmsCode(
    db,
    ctx.secrets,
    { userId: user.id, purpose: 'phone_reset', resetLinkId: link.id },
    code,
    tenant.policy.smsCodeAttempts,
    now,
  );
  if (!result.ok)
    throw new ApiError(
      'invalid_code',
      result.reason === 'wrong' ? 'The code is wrong.' : 'No code is waiting, or it expired. Ask for a new one.',
      { attemptsLeft: result.attemptsLeft },
    );
  const messageId = await db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('phone_reset_links')
      .set({ used_at: now })
      .where('id', '=', link.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (spent.numUpdatedRows !== 1n) throw new ApiError('link_expired', 'This reset link was already used.');
    await trx
      .updateTable('users')
      .set({ phone: result.phone, mfa_enrolled_at: user.mfa_enrolled_at ?? now })
      .where('id', '=', user.id)
      .execute();
    const devices = await revokeTrustedDevices(trx, user.id, now);
    const ips = await forgetTrustedIps(trx, user.id);
    const sessions = await revokeUserSessions(trx, user.id, now);
    await resetSmsCount(trx, user.id, 'login');
    const { subject, text } = renderMessage('phone_changed', user.locale, {
      tenant: tenant.name,
      phone: maskPhone(result.phone),
      when: formatWhen(now, user.locale, tenant.policy.timeZone),
    });
    const id = await queueMessage(
      trx,
      {
        tenantId: tenant.id,
        userId: user.id,
        channel: 'email',
        recipient: user.email,
        template: 'phone_changed',
        locale: user.locale,
        subject,
        text,
      },
      now,
    );
    await recordAudit(trx, now, {
      action: 'phone_reset.completed',
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'user',
      actorId: user.id,
      ip: meta.ip,
      details: {
        from: user.phone ? maskPhone(user.phone) : null,
        to: maskPhone(result.phone),
        devicesForgotten: devices,
        trustedIpsForgotten: ips,
        sessionsEnded: sessions,
      },
    });
    return id;
  });
  await ctx.delivery.dispatch([messageId]);
  return { ok: true, phoneHint: maskPhone(result.phone) };
}

/** "a•••@acme.test": whose mailbox it is, without spelling it out. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, Math.min(6, local.length - 1)))}@${domain}`;
}
