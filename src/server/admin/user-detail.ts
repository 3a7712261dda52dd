import type { z } from 'zod';
import { NO_PASSWORD_YET } from '../passwords/password-hasher.js';
import type { auditEventView, lockoutsAnswer, lockoutsQuery, userDetail } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { calendarDay } from '../policy/calendar-day.js';
import { findActiveLockout } from '../store/repositories/lockouts.js';
import { exhaustedAfter, isExhausted } from '../policy/password-throttle.js';
import { smsCountToday } from '../store/repositories/sms-counters.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { findUserById, type UserRow } from '../store/repositories/users.js';
import type { AuditEventsTable } from '../store/schema.js';
import type { Selectable } from 'kysely';
import { describeNextSignIn } from './next-sign-in.js';
import { assertCanSeeTenant, canSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import {
  describeSecondFactors,
  selectUserSummaries,
  toLockoutView,
  toPasswordRunLockoutView,
  toUserSummary,
  type UserSummaryRow,
} from '../views/user-views.js';
import { iso } from '../clock.js';
import { listPushDevices } from '../store/repositories/push-devices.js';
import { toPushDeviceView } from '../factors/push/device-view.js';
import { isPushLocked } from '../factors/push/factor.js';
import { passwordFailuresOf } from '../store/repositories/password-failures.js';

/** A user the operator may see, or 404 exactly as for an id that doesn't exist. */
export async function visibleUser(ctx: ServerContext, principal: OperatorPrincipal, userId: string): Promise<UserRow> {
  const user = await findUserById(ctx.store.db, userId);
  if (!user) throw new ApiError('not_found', 'There is no such user.');
  assertCanSeeTenant(principal, user.tenant_id);
  return user;
}

export function toAuditEventView(row: Selectable<AuditEventsTable>): z.infer<typeof auditEventView> {
  return {
    id: row.id,
    at: iso(row.at),
    tenantId: row.tenant_id,
    userId: row.user_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    ip: row.ip,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** Everything support needs on one screen: why the user can't get in, and what will fix it. */
export async function describeUser(ctx: ServerContext, principal: OperatorPrincipal, userId: string): Promise<z.infer<typeof userDetail>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const user = await visibleUser(ctx, principal, userId);
  const tenant = await findTenantById(db, user.tenant_id);
  if (!tenant) throw new ApiError('not_found', 'There is no such user.');
  const summary = (await selectUserSummaries(db, now).where('u.id', '=', user.id).executeTakeFirstOrThrow()) as UserSummaryRow;
  const lockout = await findActiveLockout(db, user.id, now);
  const day = calendarDay(now, tenant.policy.timeZone);
  const sessions = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return {
    user: { ...toUserSummary(summary), locale: user.locale, createdAt: iso(user.created_at) },
    ...(await describeSecondFactors(db, user, now)),
    activeSessions: Number(sessions.n),
    activeLockout: lockout ? toLockoutView({ ...lockout, email: user.email, name: user.name }) : null,
    sms: {
      day,
      timeZone: tenant.policy.timeZone,
      login: { sent: await smsCountToday(db, user.id, 'login', day), limit: tenant.policy.smsLoginDailyLimit },
      setup: { sent: await smsCountToday(db, user.id, 'setup', day), limit: tenant.policy.smsSetupDailyLimit },
    },
    passwordThrottle: await passwordThrottleView(db, tenant, user, now),
    recentEvents: events.map(toAuditEventView),
    nextSignIn: await describeNextSignIn(db, tenant, user, now),
    pushDevices: (await listPushDevices(db, user.id)).map(toPushDeviceView),
    pushLock: isPushLocked(user, now)
      ? { since: iso(user.push_locked_at ?? now), until: iso(user.push_locked_until!), wrongCodes: tenant.policy.pushMaxWrongCodes }
      : null,
    invitation: user.password_hash === NO_PASSWORD_YET ? await invitationView(db, user.id, now) : null,
  };
}

/** The newest invitation of a person who has not chosen a password yet. */
async function invitationView(db: ServerContext['store']['db'], userId: string, now: number) {
  const row = await db
    .selectFrom('invitations')
    .select(['created_at', 'expires_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? { sentAt: iso(row.created_at), expiresAt: iso(row.expires_at), expired: row.expires_at <= now } : null;
}

/** The user's longest run of wrong passwords, if one is running: support can unlock it. */
async function passwordThrottleView(
  db: ServerContext['store']['db'],
  tenant: Tenant,
  user: UserRow,
  now: number,
): Promise<z.infer<typeof userDetail>['passwordThrottle']> {
  const run = await passwordFailuresOf(db, tenant.id, user.id, user.email);
  if (!run) return null;
  const exhausted = isExhausted(run, tenant.policy, now);
  return {
    failedPasswords: run.failures,
    limit: tenant.policy.passwordMaxFailures,
    exhausted,
    nextTryAt: exhausted || run.nextAllowedAt <= now ? null : iso(run.nextAllowedAt),
  };
}

/** Lockouts (active by default) in the tenants the operator may see, newest first. */
export async function listLockouts(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof lockoutsQuery>,
): Promise<z.infer<typeof lockoutsAnswer>> {
  const now = ctx.clock.now();
  if (query.tenantId) assertCanSeeTenant(principal, query.tenantId, 'tenant');
  let select = ctx.store.db
    .selectFrom('lockouts as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .selectAll('l')
    .select(['u.email', 'u.name'])
    .orderBy('l.since', 'desc')
    .orderBy('l.id')
    .limit(500);
  if (query.active === 'true') select = select.where('l.lifted_at', 'is', null).where('l.until', '>', now);
  if (query.tenantId) select = select.where('l.tenant_id', '=', query.tenantId);
  else if (principal.tenantIds.length) select = select.where('l.tenant_id', 'in', principal.tenantIds);
  const rows = await select.execute();
  const items = rows.filter((r) => canSeeTenant(principal, r.tenant_id)).map((r) => toLockoutView(r));
  if (query.active !== 'true') return { items };
  const runs = await exhaustedPasswordRuns(ctx, query.tenantId ? [query.tenantId] : principal.tenantIds, now);
  const merged = [...items, ...runs.filter((r) => canSeeTenant(principal, r.tenant_id)).map(toPasswordRunLockoutView)];
  return { items: merged.sort((a, b) => (a.since < b.since ? 1 : a.since > b.since ? -1 : 0)).slice(0, 500) };
}

/** Accounts whose sign-in from new places has used all its tries (policy/password-throttle.ts). */
async function exhaustedPasswordRuns(ctx: ServerContext, tenantIds: string[], now: number) {
  let select = ctx.store.db
    .selectFrom('password_failures as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.user_id', 'p.tenant_id', 'p.failures', 'p.last_failure_at', 'u.email', 'u.name'])
    .where('p.next_allowed_at', '>', exhaustedAfter(now))
    // The unrecognised places' run (by email) is what shuts a caller out everywhere new; a trusted IP's
    // or a device's exhausted run shuts only that place, and shows on the user's page.
    .where('p.key', 'like', 'a:%')
    .orderBy('p.last_failure_at', 'desc')
    .limit(500);
  if (tenantIds.length) select = select.where('p.tenant_id', 'in', tenantIds);
  const rows = await select.execute();
  // One entry per user, even when an old email's run is exhausted too.
  const byUser = new Map<
    string,
    { user_id: string; tenant_id: string; email: string; name: string; failures: number; last_failure_at: number }
  >();
  for (const r of rows)
    if (!byUser.has(r.user_id!))
      byUser.set(r.user_id!, { ...r, user_id: r.user_id!, failures: Number(r.failures), last_failure_at: Number(r.last_failure_at) });
  return [...byUser.values()];
}
