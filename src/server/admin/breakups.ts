import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { breakupCheckAnswer, breakupRequest, BreakupView, CheckedMemberView } from '../../shared/api/tenant-admin.js';
import { checkMemberLines, type MemberLine, type MemberProblem } from '../../shared/tenant-admin/member-lines.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY, MINUTE, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { newId, sha256Hex } from '../crypto/tokens.js';
import { hitRateLimit } from '../store/repositories/rate-limits.js';
import { asLocale } from '../delivery/message-templates.js';
import { maskPhone } from '../factors/sms/phone-numbers.js';
import { inviteUser } from '../flows/invitations.js';
import { applyDueDisable, isDisabled } from '../flows/scheduled-disable.js';
import type { RequestMeta } from '../http/request-meta.js';
import { NO_PASSWORD_YET } from '../passwords/password-hasher.js';
import {
  breakupMembers,
  completeBreakup,
  findBreakup,
  findBreakupByKey,
  insertBreakup,
  markMember,
  unfinishedBreakupOf,
  type BreakupMemberRow,
  type BreakupRow,
} from '../store/repositories/breakups.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { findUserByEmail, findUserById, insertUser, type UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { assertCanSeeTenant, assertMayAct, type OperatorPrincipal } from './operator-principal.js';
import { visibleUser } from './user-detail.js';

type BreakupRequest = z.infer<typeof breakupRequest>;

/**
 * Seed 003's fix for a shared mailbox: the people behind it get accounts of their own. One break-up
 * is one idempotency key: its people are recorded first (one transaction, with the audit event of
 * the whole), then each account is made in its own transaction (the account, its invitation email,
 * its audit event and the person's row marked created, together), so a failure in the middle
 * leaves exactly the accounts made so far, and sending the same request again makes only the rest.
 * The shared account is disabled (at once, or from the chosen date) only once every person has an
 * account: nobody is left without a way in.
 */
export async function runBreakup(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  sharedUserId: string,
  request: BreakupRequest,
  meta: RequestMeta,
): Promise<BreakupView> {
  const shared = await visibleUser(ctx, principal, sharedUserId);
  assertMayAct(principal);
  const tenant = await tenantOf(ctx, shared);
  const disableAt = request.disableAt ? Date.parse(request.disableAt) : null;
  const requestHash = hashRequest(request.members, disableAt);
  let breakup = await findBreakupByKey(ctx.store.db, tenant.id, request.idempotencyKey);
  if (!breakup) {
    if (isDisabled(shared, ctx.clock.now())) throw new ApiError('conflict', 'This account is disabled already.');
    if (disableAt !== null && disableAt < ctx.clock.now() - MINUTE)
      throw new ApiError('invalid_request', 'The day to disable the shared account is in the past. Choose a later one, or at once.');
    const unfinished = await unfinishedBreakupOf(ctx.store.db, shared.id);
    if (unfinished)
      throw new ApiError('conflict', 'A break-up of this account is already under way: finish it (or let it finish) first.', {
        breakupId: unfinished.id,
      });
    const checked = await checkMembers(ctx, principal, tenant, shared, request.members);
    if (checked.some((m) => m.problems.length > 0))
      throw new ApiError('invalid_members', 'Some of the people have problems; nothing was created.', { members: checked });
    breakup = await recordBreakup(ctx, principal, { shared, tenant, request, checked, disableAt, requestHash }, meta);
  } else if (breakup.shared_user_id !== shared.id || breakup.request_hash !== requestHash) {
    throw new ApiError('conflict', 'This idempotency key belongs to another break-up. Start a new one.');
  }

  return makeTheRest(ctx, principal, { breakup, tenant, shared }, meta);
}

/**
 * Finishes a break-up left in progress (a failure, a closed console): the people not made yet are
 * made from what the break-up recorded, exactly as sending its request again would.
 */
export async function finishBreakup(ctx: ServerContext, principal: OperatorPrincipal, id: string, meta: RequestMeta): Promise<BreakupView> {
  const breakup = await findBreakup(ctx.store.db, id);
  if (!breakup) throw new ApiError('not_found', 'There is no such break-up.');
  assertCanSeeTenant(principal, breakup.tenant_id, 'break-up');
  assertMayAct(principal);
  const shared = await visibleUser(ctx, principal, breakup.shared_user_id);
  return makeTheRest(ctx, principal, { breakup, tenant: await tenantOf(ctx, shared), shared }, meta);
}

/** Each person not made yet, in order, then the end of the shared account once all are. */
async function makeTheRest(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  c: { breakup: BreakupRow; tenant: Tenant; shared: UserRow },
  meta: RequestMeta,
): Promise<BreakupView> {
  const invitations: string[] = [];
  for (const member of await breakupMembers(ctx.store.db, c.breakup.id)) {
    if (member.state === 'created') continue;
    const messageId = await createMemberAccount(ctx, principal, { ...c, member }, meta);
    if (messageId) invitations.push(messageId);
  }
  // Sent together once every account is made (in parallel; the sweeper retries any that fail), not
  // one by one inside the loop: a slow mail server must not hold up the accounts.
  await ctx.delivery.dispatch(invitations);
  await finishIfComplete(ctx, principal, c.breakup, meta);
  return describeBreakup(ctx, c.breakup.id);
}

/** The wizard's lines as the server sees them: the pure checks, then what only the database knows. */
export async function checkBreakupMembers(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  sharedUserId: string,
  lines: MemberLine[],
): Promise<z.infer<typeof breakupCheckAnswer>> {
  const shared = await visibleUser(ctx, principal, sharedUserId);
  assertMayAct(principal);
  const members = await checkMembers(ctx, principal, await tenantOf(ctx, shared), shared, lines);
  return { ok: members.every((m) => m.problems.length === 0), members };
}

export async function getBreakup(ctx: ServerContext, principal: OperatorPrincipal, id: string): Promise<BreakupView> {
  const breakup = await findBreakup(ctx.store.db, id);
  if (!breakup) throw new ApiError('not_found', 'There is no such break-up.');
  assertCanSeeTenant(principal, breakup.tenant_id, 'break-up');
  assertMayAct(principal);
  return describeBreakup(ctx, id);
}

export async function describeBreakup(ctx: Pick<ServerContext, 'store'>, id: string): Promise<BreakupView> {
  const breakup = await findBreakup(ctx.store.db, id);
  if (!breakup) throw new ApiError('not_found', 'There is no such break-up.');
  const [members, shared] = await Promise.all([breakupMembers(ctx.store.db, id), findUserById(ctx.store.db, breakup.shared_user_id)]);
  return toBreakupView(breakup, members, shared);
}

export function toBreakupView(
  breakup: BreakupRow,
  members: BreakupMemberRow[],
  shared: Pick<UserRow, 'email' | 'disabled_at'> | undefined,
): BreakupView {
  return {
    id: breakup.id,
    tenantId: breakup.tenant_id,
    sharedUserId: breakup.shared_user_id,
    sharedEmail: shared?.email ?? '',
    state: breakup.completed_at !== null ? 'completed' : 'in_progress',
    disableAt: breakup.disable_at !== null ? iso(breakup.disable_at) : null,
    sharedDisabledAt: shared?.disabled_at != null ? iso(shared.disabled_at) : null,
    createdAt: iso(breakup.created_at),
    createdBy: breakup.operator_email,
    ticket: breakup.ticket,
    members: members.map((m) => ({
      position: Number(m.position),
      name: m.name,
      email: m.email,
      phoneHint: m.phone ? maskPhone(m.phone) : null,
      locale: asLocale(m.locale),
      state: m.state,
      userId: m.user_id,
      error: m.error,
    })),
  };
}

async function tenantOf(ctx: ServerContext, user: UserRow): Promise<Tenant> {
  const tenant = await findTenantById(ctx.store.db, user.tenant_id);
  if (!tenant) throw new ApiError('not_found', 'There is no such user.');
  return tenant;
}

async function checkMembers(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  tenant: Tenant,
  shared: UserRow,
  lines: MemberLine[],
): Promise<CheckedMemberView[]> {
  const { db } = ctx.store;
  const checked = checkMemberLines(lines, shared.email, tenant.policy.country);
  // Whether another organisation has an address is more than a tenant admin should learn at will:
  // each operator may ask about so many distinct addresses a day (a break-up has at most 200).
  for (const member of checked)
    if (!member.problems.some((p) => p.field === 'email')) await chargeAddressLookup(ctx, principal, member.email);
  return Promise.all(
    checked.map(async (member) => {
      const problems: MemberProblem[] = [...member.problems];
      if (!problems.some((p) => p.field === 'email')) {
        if (await findUserByEmail(db, tenant.id, member.email)) problems.push({ field: 'email', code: 'email_in_tenant' });
        else if (await emailUsedElsewhere(db, tenant.id, member.email)) problems.push({ field: 'email', code: 'email_in_other_tenant' });
      }
      if (member.phoneCallingCode !== null && !tenant.policy.smsAllowedCountryCodes.includes(member.phoneCallingCode))
        problems.push({ field: 'phone', code: 'sms_country_not_allowed' });
      return { name: member.name, email: member.email, phone: member.phone, locale: member.locale ?? asLocale(shared.locale), problems };
    }),
  );
}

/** Distinct addresses an operator may ask about in a day: five break-ups of 200, typos and all. */
const LOOKUPS_PER_DAY = 1000;

/**
 * Charges one address against the operator's daily budget, once a day per address (typing goes on
 * around it, the run follows the check). The budget is charged before the address is marked as
 * asked, so a refused address stays refused.
 */
async function chargeAddressLookup(ctx: ServerContext, principal: OperatorPrincipal, email: string): Promise<void> {
  const now = ctx.clock.now();
  const key = `breakup-lookup:${principal.id}`;
  const marker = `${key}:${sha256Hex(email)}`;
  const windowStart = now - (now % DAY);
  const asked = await ctx.store.db
    .selectFrom('rate_limits')
    .select('count')
    .where('key', '=', marker)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  if (asked) return;
  if (!(await hitRateLimit(ctx.store.db, key, LOOKUPS_PER_DAY, DAY, now)).allowed)
    throw new ApiError('too_many_attempts', `More than ${LOOKUPS_PER_DAY} addresses were checked today. Try again tomorrow.`);
  await hitRateLimit(ctx.store.db, marker, 1, DAY, now);
}

/**
 * An address another organisation's account has. Allowed by the data model (accounts are per
 * tenant), but in a break-up it is almost always a typo or the wrong person, and an invitation to
 * it would reach someone outside the company. Which organisation is never said.
 */
async function emailUsedElsewhere(db: Kysely<Database>, tenantId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .where('tenant_id', '!=', tenantId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function hashRequest(members: MemberLine[], disableAt: number | null): string {
  const normalized = members.map((m) => [m.name.trim(), m.email.trim().toLowerCase(), (m.phone ?? '').trim(), m.locale ?? '']);
  return createHash('sha256').update(JSON.stringify({ normalized, disableAt })).digest('hex');
}

async function recordBreakup(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  input: {
    shared: UserRow;
    tenant: Tenant;
    request: BreakupRequest;
    checked: CheckedMemberView[];
    disableAt: number | null;
    requestHash: string;
  },
  meta: RequestMeta,
): Promise<BreakupRow> {
  const now = ctx.clock.now();
  const breakup: BreakupRow = {
    id: newId(),
    tenant_id: input.tenant.id,
    shared_user_id: input.shared.id,
    idempotency_key: input.request.idempotencyKey,
    request_hash: input.requestHash,
    operator_id: principal.id,
    operator_email: principal.email,
    ticket: input.request.ticket,
    reason: input.request.reason,
    disable_at: input.disableAt,
    created_at: now,
    completed_at: null,
  };
  const members: BreakupMemberRow[] = input.checked.map((m, position) => ({
    breakup_id: breakup.id,
    position,
    name: m.name,
    email: m.email,
    phone: m.phone,
    locale: m.locale,
    state: 'pending',
    user_id: null,
    error: null,
    updated_at: now,
  }));
  try {
    await ctx.store.db.transaction().execute(async (trx) => {
      await insertBreakup(trx, breakup, members);
      await recordAudit(trx, now, {
        action: 'admin.breakup_started',
        tenantId: input.tenant.id,
        userId: input.shared.id,
        actorType: 'operator',
        actorId: principal.id,
        ip: meta.ip,
        details: {
          ticket: input.request.ticket,
          reason: input.request.reason,
          operator: principal.email,
          breakupId: breakup.id,
          members: members.map((m) => ({ name: m.name, email: m.email })),
          disableAt: input.disableAt !== null ? iso(input.disableAt) : 'when complete',
        },
      });
    });
    return breakup;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The same request sent twice at once: the other one recorded it, carry on with that.
    const existing = await findBreakupByKey(ctx.store.db, input.tenant.id, input.request.idempotencyKey);
    if (existing && existing.request_hash === input.requestHash && existing.shared_user_id === input.shared.id) return existing;
    if (existing) throw new ApiError('conflict', 'This idempotency key belongs to another break-up. Start a new one.');
    // Another admin started a break-up of the same account a moment ago (one under way per account).
    const underWay = await unfinishedBreakupOf(ctx.store.db, input.shared.id);
    throw new ApiError('conflict', 'A break-up of this account is already under way: finish it (or let it finish) first.', {
      ...(underWay ? { breakupId: underWay.id } : {}),
    });
  }
}

/**
 * One person's account, invitation and audit event (answering the invitation's message id), or the
 * person marked failed with why. A person who has an account of this tenant by now (made by hand
 * meanwhile) is counted as made: they have their way in, and a rerun must not fail on them for ever.
 */
async function createMemberAccount(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  c: { breakup: BreakupRow; member: BreakupMemberRow; tenant: Tenant; shared: UserRow },
  meta: RequestMeta,
): Promise<string | null> {
  const { breakup, member, tenant } = c;
  const now = ctx.clock.now();
  try {
    const messageId = await ctx.store.db.transaction().execute(async (trx) => {
      // Re-read inside: a concurrent rerun may have made this person's account a moment ago.
      const current = await trx
        .selectFrom('breakup_members')
        .select('state')
        .where('breakup_id', '=', breakup.id)
        .where('position', '=', member.position)
        .executeTakeFirst();
      if (current?.state === 'created') return null;
      const existing = await findUserByEmail(trx, tenant.id, member.email);
      if (existing && isDisabled(existing, now))
        throw new MemberRefused('An account with this address exists but is disabled: it is no way in. Enable it or drop this person.');
      if (existing) {
        await markMember(trx, member, { state: 'created', user_id: existing.id, error: null }, now);
        await recordAudit(trx, now, {
          action: 'admin.breakup_member_existing',
          tenantId: tenant.id,
          userId: existing.id,
          actorType: 'operator',
          actorId: principal.id,
          ip: meta.ip,
          details: { ticket: breakup.ticket, operator: principal.email, breakupId: breakup.id, sharedUserId: breakup.shared_user_id },
        });
        return null;
      }
      const user = await insertUser(
        trx,
        { tenantId: tenant.id, email: member.email, name: member.name, passwordHash: NO_PASSWORD_YET, locale: member.locale },
        now,
      );
      const invitation = await inviteUser(ctx, trx, { user, tenant, proposedPhone: member.phone, breakupId: breakup.id }, now);
      await markMember(trx, member, { state: 'created', user_id: user.id, error: null }, now);
      await recordAudit(trx, now, {
        action: 'admin.breakup_member_created',
        tenantId: tenant.id,
        userId: user.id,
        actorType: 'operator',
        actorId: principal.id,
        ip: meta.ip,
        details: {
          ticket: breakup.ticket,
          reason: breakup.reason,
          operator: principal.email,
          breakupId: breakup.id,
          sharedUserId: breakup.shared_user_id,
          invitationId: invitation.invitationId,
        },
      });
      return invitation.messageId;
    });
    return messageId;
  } catch (error) {
    const why =
      error instanceof MemberRefused
        ? error.message
        : isUniqueViolation(error)
          ? 'Another account of this organisation took this email address at the same moment; finishing the rest counts it.'
          : `The account could not be created: ${error instanceof Error ? error.message : String(error)}`;
    // Outside the failed transaction: the person's row says why (and the trail), and a rerun tries again.
    const at = ctx.clock.now();
    await markMember(ctx.store.db, member, { state: 'failed', user_id: null, error: why.slice(0, 500) }, at).catch(() => {});
    await recordAudit(ctx.store.db, at, {
      action: 'admin.breakup_member_failed',
      tenantId: tenant.id,
      userId: breakup.shared_user_id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: { ticket: breakup.ticket, operator: principal.email, breakupId: breakup.id, email: member.email, error: why.slice(0, 500) },
    }).catch(() => {});
    return null;
  }
}

/** A person this break-up cannot make, for a reason the operator can act on. */
class MemberRefused extends Error {}

/** Every person has an account: the break-up is complete, and the shared account's end is set. */
async function finishIfComplete(ctx: ServerContext, principal: OperatorPrincipal, breakup: BreakupRow, meta: RequestMeta) {
  const members = await breakupMembers(ctx.store.db, breakup.id);
  if (members.some((m) => m.state !== 'created')) return;
  const now = ctx.clock.now();
  const disableAt = breakup.disable_at ?? now;
  const finished = await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await completeBreakup(trx, breakup.id, now))) return false;
    await trx
      .updateTable('users')
      .set({ disable_at: disableAt })
      .where('id', '=', breakup.shared_user_id)
      .where('disabled_at', 'is', null)
      .execute();
    await recordAudit(trx, now, {
      action: 'admin.breakup_completed',
      tenantId: breakup.tenant_id,
      userId: breakup.shared_user_id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: {
        ticket: breakup.ticket,
        operator: principal.email,
        breakupId: breakup.id,
        accounts: members.map((m) => m.user_id),
        sharedDisabledFrom: iso(disableAt),
      },
    });
    return true;
  });
  if (finished) {
    const current = await findUserById(ctx.store.db, breakup.shared_user_id);
    if (current) await applyDueDisable(ctx.store.db, current, ctx.clock.now());
  }
}
