import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { sharedAccountsAnswer, sharedFlagRequest, SharedReason } from '../../shared/api/tenant-admin.js';
import type { TenantPolicy } from '../../shared/policy.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import type { RequestMeta } from '../http/request-meta.js';
import { sharedMailboxWord } from '../policy/shared-mailboxes.js';
import type { Dialect } from '../store/database.js';
import { breakupMembers, latestBreakupsOf } from '../store/repositories/breakups.js';
import { parseStoredPolicy } from '../policy/tenant-policy.js';
import type { Database } from '../store/schema.js';
import { selectUserSummaries, toUserSummary } from '../views/user-views.js';
import { toBreakupView } from './breakups.js';
import { assertCanSeeTenant, assertMayAct, type OperatorPrincipal } from './operator-principal.js';
import { visibleUser } from './user-detail.js';

/** The evidence window of seed 003's "many people behind one mailbox": a working week and its weekend. */
const WEEK_DAYS = 7;
/** At most this many accounts are listed at once: the worst first would need a ranking nobody asked for. */
const LIST_LIMIT = 500;
const SAMPLE = 5;

/**
 * Accounts that look shared by several people, and why: a role mailbox's name (accounts@, faktura@,
 * rechnung@, in en/nb/de), successful sign-ins from many IP addresses or browsers within a week, or
 * an operator's flag. An operator's "not shared" silences the signs for that account. Disabled
 * accounts are done with and not listed.
 */
export async function listSharedAccounts(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  tenantId: string | undefined,
): Promise<z.infer<typeof sharedAccountsAnswer>> {
  assertMayAct(principal);
  if (tenantId) assertCanSeeTenant(principal, tenantId, 'tenant');
  const tenantIds = tenantId ? [tenantId] : principal.tenantIds;
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const since = now - WEEK_DAYS * DAY;
  const policies = await tenantPolicies(db, tenantIds);
  if (policies.size === 0) return { items: [], dismissed: 0 };
  // One query for every visible tenant, with the lowest thresholds; each tenant's own apply below.
  const minIps = Math.min(...[...policies.values()].map((p) => p.sharedAccountIpsPerWeek));
  const minBrowsers = Math.min(...[...policies.values()].map((p) => p.sharedAccountBrowsersPerWeek));
  const scoped = tenantIds.length > 0;

  const signs = await db
    .selectFrom('audit_events')
    .select(['user_id', 'tenant_id'])
    .select((eb) => [
      eb.fn.countAll<number>().as('sign_ins'),
      sql<number>`count(distinct ip)`.as('ips'),
      sql<number>`count(distinct ${browserOf(ctx.store.dialect)})`.as('browsers'),
    ])
    .where('action', '=', 'login.succeeded')
    .where('at', '>', since)
    .where('user_id', 'is not', null)
    .groupBy(['user_id', 'tenant_id'])
    .having((eb) =>
      eb.or([eb(sql`count(distinct ip)`, '>=', minIps), eb(sql`count(distinct ${browserOf(ctx.store.dialect)})`, '>=', minBrowsers)]),
    )
    .$if(scoped, (qb) => qb.where('tenant_id', 'in', tenantIds))
    .limit(LIST_LIMIT)
    .execute();
  const evidence = new Map(
    signs.map((s) => [s.user_id!, { ips: Number(s.ips), browsers: Number(s.browsers), signIns: Number(s.sign_ins) }]),
  );

  const candidates = await selectUserSummaries(db, now)
    .select(['u.shared_verdict', 'u.shared_verdict_at', 'u.shared_verdict_by', 'u.shared_verdict_note'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('u.shared_mailbox', '=', 1),
        eb('u.shared_verdict', '=', 'shared'),
        ...(evidence.size ? [eb('u.id', 'in', [...evidence.keys()])] : []),
      ]),
    )
    .$if(scoped, (qb) => qb.where('u.tenant_id', 'in', tenantIds))
    .orderBy('u.email')
    .limit(LIST_LIMIT * 2)
    .execute();

  const items: z.infer<typeof sharedAccountsAnswer>['items'] = [];
  let dismissed = 0;
  for (const row of candidates) {
    const policy = policies.get(row.tenant_id);
    if (!policy) continue;
    if (row.shared_verdict === 'not_shared') {
      dismissed++;
      continue;
    }
    const reasons: SharedReason[] = [];
    if (row.shared_verdict === 'shared')
      reasons.push({
        kind: 'flagged',
        by: row.shared_verdict_by ?? '',
        at: iso(row.shared_verdict_at ?? 0),
        note: row.shared_verdict_note ?? '',
      });
    const word = sharedMailboxWord(row.email);
    if (word) reasons.push({ kind: 'mailbox_name', word });
    const seen = evidence.get(row.id);
    if (seen && seen.ips >= policy.sharedAccountIpsPerWeek)
      reasons.push({ kind: 'many_ips', distinct: seen.ips, days: WEEK_DAYS, sample: await sampleOf(db, row.id, since, 'ip') });
    if (seen && seen.browsers >= policy.sharedAccountBrowsersPerWeek)
      reasons.push({
        kind: 'many_devices',
        distinct: seen.browsers,
        days: WEEK_DAYS,
        sample: await sampleOf(db, row.id, since, 'browser'),
      });
    if (reasons.length === 0) continue;
    items.push({ user: toUserSummary(row), reasons, signInsThisWeek: seen?.signIns ?? 0, breakup: null });
    if (items.length >= LIST_LIMIT) break;
  }
  const breakups = await latestBreakupsOf(
    db,
    items.map((i) => i.user.id),
  );
  const rows = new Map(candidates.map((row) => [row.id, row]));
  for (const item of items) {
    const breakup = breakups.get(item.user.id);
    const row = rows.get(item.user.id);
    if (breakup && row)
      item.breakup = toBreakupView(breakup, await breakupMembers(db, breakup.id), { email: row.email, disabled_at: row.disabled_at });
    // Listed by name or flag alone: their week's sign-ins are counted here.
    if (!evidence.has(item.user.id)) item.signInsThisWeek = await signInsSince(db, item.user.id, since);
  }
  return { items, dismissed };
}

/** An operator's word on an account: shared (listed, whatever the signs say) or not shared (never listed). */
export async function setSharedVerdict(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  userId: string,
  request: z.infer<typeof sharedFlagRequest>,
  meta: RequestMeta,
): Promise<{ ok: true; auditEventId: string }> {
  const user = await visibleUser(ctx, principal, userId);
  assertMayAct(principal);
  if (user.disabled_at !== null) throw new ApiError('conflict', 'This account is disabled.');
  const now = ctx.clock.now();
  const verdict = request.shared ? 'shared' : 'not_shared';
  const auditEventId = await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ shared_verdict: verdict, shared_verdict_at: now, shared_verdict_by: principal.email, shared_verdict_note: request.reason })
      .where('id', '=', user.id)
      .execute();
    return recordAudit(trx, now, {
      action: request.shared ? 'admin.shared_flagged' : 'admin.shared_cleared',
      tenantId: user.tenant_id,
      userId: user.id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: { ticket: request.ticket, reason: request.reason, operator: principal.email, before: user.shared_verdict },
    });
  });
  return { ok: true, auditEventId };
}

/** The browser label a successful sign-in recorded (flows/sign-in.ts), read from the event's JSON. */
function browserOf(dialect: Dialect) {
  return dialect === 'postgres' ? sql`(details::jsonb ->> 'browser')` : sql`json_extract(details, '$.browser')`;
}

async function tenantPolicies(db: Kysely<Database>, tenantIds: readonly string[]): Promise<Map<string, TenantPolicy>> {
  let query = db.selectFrom('tenants').select(['id', 'policy']);
  if (tenantIds.length) query = query.where('id', 'in', tenantIds);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.id, parseStoredPolicy(r.policy)]));
}

async function sampleOf(db: Kysely<Database>, userId: string, since: number, what: 'ip' | 'browser'): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['ip', 'details'])
    .where('user_id', '=', userId)
    .where('action', '=', 'login.succeeded')
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .limit(500)
    .execute();
  const values = new Set<string>();
  for (const row of rows) {
    const value = what === 'ip' ? row.ip : (JSON.parse(row.details) as { browser?: string }).browser;
    if (value) values.add(value);
    if (values.size >= SAMPLE) break;
  }
  return [...values];
}

async function signInsSince(db: Kysely<Database>, userId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('action', '=', 'login.succeeded')
    .where('at', '>', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
