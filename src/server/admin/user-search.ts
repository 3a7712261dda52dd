import { sql, type Expression, type SqlBool } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { userSearchAnswer, userSearchQuery } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { findTenantById } from '../store/repositories/tenants.js';
import { likeContaining } from '../store/like-pattern.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import { matchesInCreationOrder } from './user-search-postgres.js';
import { selectUserSummaries, toUserSummary, type UserSummaryRow } from './user-views.js';

type Query = z.infer<typeof userSearchQuery>;
type Answer = z.infer<typeof userSearchAnswer>;
type Row = UserSummaryRow & { seq: number };

/**
 * Finds users from any fragment of email, name or phone, within the tenants the operator may see,
 * in creation order with an opaque cursor:
 *  - a full email or phone number takes the exact index;
 *  - SQLite: fragments of 3+ characters stream from the FTS5 trigram index in rowid (= creation)
 *    order, in chunks, so a page costs about the same for rare and common fragments;
 *  - SQLite, shorter fragments walk in creation order (they are common by nature) and stop at a page;
 *  - PostgreSQL: any fragment walks a narrow search table in (created_at, id) order (common
 *    fragments fill a page there), then takes the rest from its pg_trgm index (rare ones);
 *    user-search-postgres.ts.
 * Creation order is uncorrelated with names, so a walk meets a common fragment's matches early.
 */
export async function searchUsers(ctx: ServerContext, principal: OperatorPrincipal, query: Query): Promise<Answer> {
  const { db, dialect } = ctx.store;
  const now = ctx.clock.now();
  if (query.tenantId) {
    assertCanSeeTenant(principal, query.tenantId, 'tenant');
    if (!(await findTenantById(db, query.tenantId))) throw new ApiError('not_found', 'There is no such tenant.');
  }
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  const after = decodeCursor(query.cursor);
  const sqlite = dialect === 'sqlite';

  /**
   * Users matching `match` (and the operator's scope and filter), in creation order after `from`.
   * `fewRows`: `match` picks a known handful of ids; sort those, never walk the creation-order index for them.
   */
  const fetch = async (match: Expression<SqlBool> | undefined, limit: number, from = after, fewRows = false) => {
    let select = selectUserSummaries(db, now).select(sqlite ? sql<number>`u.rowid`.as('seq') : sql<number>`u.created_at`.as('seq'));
    if (tenantIds.length) select = select.where('u.tenant_id', 'in', tenantIds);
    if (query.filter === 'locked') {
      select = select.where('u.id', 'in', (eb) => eb.selectFrom('lockouts').select('user_id').where('lifted_at', 'is', null).where('until', '>', now));
    } else if (query.filter === 'shared') select = select.where('u.shared_mailbox', '=', 1);
    else if (query.filter === 'no_mfa') select = select.where('u.mfa_enrolled_at', 'is', null);
    else if (query.filter === 'disabled') select = select.where('u.disabled_at', 'is not', null);
    if (from) {
      // A row comparison, so PostgreSQL starts the index walk at the cursor instead of filtering up to it.
      select = sqlite ? select.where(sql<SqlBool>`u.rowid > ${from.key}`) : select.where(sql<SqlBool>`(u.created_at, u.id) > (${from.key}, ${from.id})`);
    }
    if (match) select = select.where(match);
    const ordered = sqlite ? select.orderBy(sql`u.rowid`) : fewRows ? select.orderBy(sql`u.created_at + 0`).orderBy('u.id') : select.orderBy('u.created_at').orderBy('u.id');
    return (await ordered.limit(limit).execute()) as Row[];
  };
  const toAnswer = (rows: Row[]): Answer => {
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return { items: rows.slice(0, query.limit).map(toUserSummary), nextCursor: last ? encodeCursor(Number(last.seq), last.id) : null };
  };
  const page = async (match: Expression<SqlBool> | undefined) => toAnswer(await fetch(match, query.limit + 1));

  const q = query.q?.trim() ?? '';
  if (!q) return page(undefined);

  const exactEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(q) ? q.toLowerCase() : null;
  if (exactEmail) {
    const found = await page(sql<SqlBool>`u.email = ${exactEmail}`);
    if (found.items.length || after) return found;
  }
  const phoneLike = looksLikePhone(q);
  const phone = phoneLike ? parsePhoneNumberFromString(q.startsWith('+') ? q : `+${q.replace(/\D/g, '')}`) : undefined;
  if (phone?.isValid()) {
    const found = await page(sql<SqlBool>`u.phone = ${phone.number}`);
    if (found.items.length || after) return found;
  }

  const fragment = phoneLike ? q.replace(/\D/g, '') : q.toLowerCase();
  if (fragment.length === 0) return { items: [], nextCursor: null };

  if (sqlite) {
    if (fragment.length < 3) return page(containsFragment(fragment));
    // Stream trigram hits in rowid order, a growing chunk at a time, until a page (plus one) is found.
    const collected: Row[] = [];
    let from = after?.key ?? 0;
    for (let chunk = 4 * (query.limit + 1); ; chunk = Math.min(chunk * 4, 20_000)) {
      const hits = await sql<{ rowid: number }>`SELECT rowid FROM users_search WHERE users_search MATCH ${ftsPhrase(fragment)} AND rowid > ${from} ORDER BY rowid LIMIT ${chunk}`.execute(db);
      const rowids = hits.rows.map((r) => r.rowid);
      if (rowids.length === 0) break;
      collected.push(...(await fetch(sql<SqlBool>`u.rowid IN (SELECT value FROM json_each(${JSON.stringify(rowids)}))`, query.limit + 1 - collected.length, null)));
      if (collected.length > query.limit || rowids.length < chunk) break;
      from = rowids.at(-1)!;
    }
    return toAnswer(collected);
  }

  // PostgreSQL: matches come from the narrow search table in creation order, scope included
  // (user-search-postgres.ts); the filter is checked on the users they name, a batch at a time,
  // until a page (plus one) is found.
  const collected: Row[] = [];
  let from = after;
  for (let batch = query.limit + 1; ; batch = Math.min(batch * 4, 5000)) {
    const matches = await matchesInCreationOrder(db, { fragment, from, tenantIds, limit: batch });
    if (matches.length === 0) break;
    collected.push(...(await fetch(sql<SqlBool>`u.id = ANY(${matches.map((m) => m.user_id)}::text[])`, query.limit + 1 - collected.length, null, true)));
    if (collected.length > query.limit || matches.length < batch) break;
    const last = matches.at(-1)!;
    from = { key: last.created_at, id: last.user_id };
  }
  return toAnswer(collected);
}

/** SQLite, fragments under 3 characters: the fragment anywhere in email, name or phone. */
function containsFragment(fragment: string): Expression<SqlBool> {
  return sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${likeContaining(fragment)} ESCAPE '\\'`;
}

/** An FTS5 string literal: the fragment as one phrase, quotes doubled. */
function ftsPhrase(fragment: string): string {
  return `"${fragment.replace(/"/g, '""')}"`;
}

function looksLikePhone(q: string): boolean {
  return /^\+?[\d\s().-]{2,}$/.test(q) && /\d/.test(q);
}
