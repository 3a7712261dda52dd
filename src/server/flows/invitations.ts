import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { invitationAcceptAnswer, InvitationView } from '../../shared/api/invitations.js';
import { firstFactorMethods, type FirstFactorMethod } from '../../shared/methods.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY, MINUTE, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { asLocale, formatWhen, renderMessage } from '../delivery/message-templates.js';
import type { RequestMeta } from '../http/request-meta.js';
import { findInvitation, insertInvitation, useInvitation, type InvitationRow } from '../store/repositories/invitations.js';
import { queueMessage } from '../store/repositories/messages.js';
import { insertSession } from '../store/repositories/sessions.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { findUserById, type UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { isDisabled } from './scheduled-disable.js';
import { clearUserPasswordFailures } from '../store/repositories/password-failures.js';
import { NO_PASSWORD_YET } from '../passwords/password-hasher.js';

/** What a personal account's first step needs: the least a password may be (as everywhere else). */
const PASSWORD_MIN_LENGTH = 12;
/** As long as sign-in's enrollment token: time to set up the app or the phone. */
const ENROLLMENT_TTL = 30 * MINUTE;

/** The path of the hosted invitation page; the token rides in the fragment (never sent to a server or a log). */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/invitation/#t=${token}`;
}

/**
 * Invites a new account's person (a break-up's member): the invitation and its email, in the
 * caller's transaction, so an account never exists without its way in. Answers the message id to
 * dispatch after commit.
 */
export async function inviteUser(
  ctx: ServerContext,
  trx: Kysely<Database>,
  input: { user: UserRow; tenant: Tenant; proposedPhone: string | null; breakupId: string | null },
  now: number,
): Promise<{ invitationId: string; messageId: string; expiresAt: number }> {
  const { user, tenant } = input;
  const expiresAt = now + tenant.policy.invitationDays * DAY;
  const invitation = await insertInvitation(
    trx,
    { userId: user.id, tenantId: tenant.id, proposedPhone: input.proposedPhone, breakupId: input.breakupId, expiresAt },
    now,
  );
  const { subject, text } = renderMessage('invitation', user.locale, {
    tenant: tenant.name,
    name: user.name,
    email: user.email,
    link: invitationLink(ctx.publicUrl, invitation.token),
    expires: formatWhen(expiresAt, user.locale, tenant.policy.timeZone),
  });
  const messageId = await queueMessage(
    trx,
    {
      tenantId: tenant.id,
      userId: user.id,
      channel: 'email',
      recipient: user.email,
      template: 'invitation',
      locale: user.locale,
      subject,
      text,
    },
    now,
  );
  return { invitationId: invitation.id, messageId, expiresAt };
}

/** The invitation a link opens, for the page's welcome: whose account, which organisation, what comes next. */
export async function inspectInvitation(ctx: ServerContext, token: string): Promise<InvitationView> {
  const { invitation, user, tenant } = await openInvitation(ctx, token, { acceptedToo: true });
  return {
    state: invitation.used_at === null ? 'open' : 'accepted',
    tenantSlug: tenant.slug,
    tenantName: tenant.name,
    email: user.email,
    name: user.name,
    locale: asLocale(user.locale),
    expiresAt: iso(invitation.expires_at),
    proposedPhone: invitation.proposed_phone,
    methods: setupMethods(tenant),
    passwordMinLength: PASSWORD_MIN_LENGTH,
  };
}

/**
 * The person chooses their password: the invitation is spent (one conditional update), the password
 * set, and an enrollment session answered, exactly what a first sign-in answers, so the page goes on
 * with the /v1/enroll/* calls every client uses.
 */
export async function acceptInvitation(
  ctx: ServerContext,
  token: string,
  password: string,
  meta: RequestMeta,
): Promise<z.infer<typeof invitationAcceptAnswer>> {
  const { invitation, user, tenant } = await openInvitation(ctx, token);
  // Off the event loop and before the transaction: argon2 takes a moment.
  const passwordHash = await ctx.passwords.hash(password);
  const now = ctx.clock.now();
  const enrollmentToken = await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await useInvitation(trx, invitation.id, now))) throw expired();
    // Only the first password: an invitation never replaces one (that would be a reset by email alone).
    const set = await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('id', '=', user.id)
      .where('password_hash', '=', NO_PASSWORD_YET)
      .executeTakeFirst();
    if (set.numUpdatedRows !== 1n) throw expired();
    // Tries against the account before it had a password were never its person's: they start afresh.
    await clearUserPasswordFailures(trx, tenant.id, user.id, user.email);
    const { token: sessionToken } = await insertSession(
      trx,
      { userId: user.id, kind: 'enrollment', ip: meta.ip, expiresAt: now + ENROLLMENT_TTL, secondFactorAt: null },
      now,
    );
    await recordAudit(trx, now, {
      action: 'invitation.accepted',
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'user',
      actorId: user.id,
      ip: meta.ip,
      details: { invitationId: invitation.id, breakupId: invitation.breakup_id },
    });
    return sessionToken;
  });
  return { status: 'enrollment_required', enrollmentToken, methods: setupMethods(tenant), proposedPhone: invitation.proposed_phone };
}

/**
 * The invitation a token opens while it is unexpired: unused, or (`acceptedToo`, for the welcome)
 * used by a person who has not finished setting up their second factor, who is sent on to sign in.
 */
async function openInvitation(
  ctx: ServerContext,
  token: string,
  options: { acceptedToo?: boolean } = {},
): Promise<{ invitation: InvitationRow; user: UserRow; tenant: Tenant }> {
  const now = ctx.clock.now();
  const invitation = await findInvitation(ctx.store.db, token, now);
  const user = invitation && (await findUserById(ctx.store.db, invitation.user_id));
  const tenant = user && (await findTenantById(ctx.store.db, user.tenant_id));
  if (!invitation || !user || !tenant || isDisabled(user, now)) throw expired();
  if (invitation.used_at !== null && (!options.acceptedToo || user.mfa_enrolled_at !== null)) throw expired();
  return { invitation, user, tenant };
}

/** The factors a new person sets up first, in the tenant's order (push comes later, from an account that has one). */
function setupMethods(tenant: Tenant): FirstFactorMethod[] {
  return tenant.policy.allowedMethods.filter((m): m is FirstFactorMethod => (firstFactorMethods as readonly string[]).includes(m));
}

function expired(): ApiError {
  return new ApiError('link_expired', 'This invitation link has expired or was already used. Ask your administrator for a new one.');
}
