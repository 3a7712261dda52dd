import { sql, type Expression, type SqlBool } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { userSearchAnswer, userSearchQuery } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { findTenantById } from '../store/repositories/tenants.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import { selectUserSummaries, toUserSummary, type UserSummaryRow } from './user-views.js';

/** PostgreSQL: how many users in creation order a search walks before it asks the trigram index. */
const WALK_ROWS = 10_000;
/**
 * ... and for a fragment with no run of 3 letters or digits ("b.m", "k A"): its trigrams are the
 * padded one-letter words every name has, so the index would hand back a large part of the table.
 */
const WALK_ROWS_WITHOUT_TRIGRAMS = 60_000;
/** PostgreSQL: above this many trigram-index hits past the walked stretch, walking on is faster. */
const CANDIDATE_CAP = 5000;

type Query = z.infer<typeof userSearchQuery>;
type Answer = z.infer<typeof userSearchAnswer>;
type Row = UserSummaryRow & { seq: number };

/**
 * Finds users from any fragment of email, name or phone, within the tenants the operator may see,
 * in creation order with an opaque cursor:
 *  - a full email or phone number takes the exact index;
 *  - SQLite: fragments of 3+ characters stream from the FTS5 trigram index in rowid (= creation)
 *    order, in chunks, so a page costs about the same for rare and common fragments;
 *  - PostgreSQL: fragments of 3+ characters walk the next 10,000 users in (created_at, id) order
 *    (common fragments fill a page there), then take the rest from the pg_trgm index (rare ones);
 *  - shorter fragments walk in creation order (they are common by nature) and stop at a page.
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

  /** Users matching `match` (and the operator's scope and filter), in creation order after `from`. */
  /** `fewRows`: `match` picks a known handful of ids; sort those, never walk the creation-order index for them. */
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
  const contains = containsFragment(fragment);
  if (fragment.length < 3) return page(contains);

  if (sqlite) {
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

  // PostgreSQL. A common fragment fills a page within the next WALK_ROWS users in creation order, so
  // walk that stretch first (an index walk that stops at a page). What is left is a rare fragment:
  // the trigram index finds all its matches after the stretch. Asking the trigram index first costs
  // the most for common fragments ("v.h", "son"): a bitmap of a large part of the table, rechecked.
  const edge = (
    await sql<{ created_at: number; id: string }>`SELECT created_at, id FROM users u WHERE ${after ? sql<SqlBool>`(u.created_at, u.id) > (${after.key}, ${after.id})` : sql<SqlBool>`true`} ORDER BY created_at, id OFFSET ${/[\p{L}\p{N}]{3}/u.test(fragment) ? WALK_ROWS : WALK_ROWS_WITHOUT_TRIGRAMS} LIMIT 1`.execute(db)
  ).rows[0];
  if (!edge) return page(contains);
  const beforeEdge = sql<SqlBool>`(u.created_at, u.id) <= (${edge.created_at}, ${edge.id})`;
  const walked = await fetch(sql<SqlBool>`${contains} AND ${beforeEdge}`, query.limit + 1);
  if (walked.length > query.limit) return toAnswer(walked);
  const pastEdge = sql<SqlBool>`(u.created_at, u.id) > (${edge.created_at}, ${edge.id})`;
  // MATERIALIZED and without LIMIT, so the planner takes the trigram index rather than a walk.
  const hits = await sql<{ id: string }>`WITH hits AS MATERIALIZED (SELECT u.id, u.created_at FROM users u WHERE ${containsFragment(fragment, true)}) SELECT id FROM hits u WHERE ${pastEdge} LIMIT ${CANDIDATE_CAP + 1}`.execute(db);
  const wanted = query.limit + 1 - walked.length;
  const rest =
    hits.rows.length > CANDIDATE_CAP
      ? await fetch(sql<SqlBool>`${contains} AND ${pastEdge}`, wanted) // common after all, only later in the table
      : hits.rows.length
        ? await fetch(sql<SqlBool>`u.id = ANY(${hits.rows.map((r) => r.id)}::text[])`, wanted, { key: edge.created_at, id: edge.id }, true)
        : [];
  return toAnswer([...walked, ...rest]);
}

/**
 * The fragment anywhere in email, name or phone (one lower-cased string). `indexed` writes it exactly
 * as PostgreSQL's trigram index expression; otherwise one `|| ''` too many keeps the planner off that
 * index, so a walk in creation order stays a walk that stops at a page (with the index, PostgreSQL
 * builds a bitmap of every row sharing a common trigram first: 20 ms and more on a million users).
 */
function containsFragment(fragment: string, indexed = false): Expression<SqlBool> {
  const pattern = `%${escapeLike(fragment)}%`;
  return indexed
    ? sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${pattern} ESCAPE '\\'`
    : sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '') || '') LIKE ${pattern} ESCAPE '\\'`;
}

/** An FTS5 string literal: the fragment as one phrase, quotes doubled. */
function ftsPhrase(fragment: string): string {
  return `"${fragment.replace(/"/g, '""')}"`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function looksLikePhone(q: string): boolean {
  return /^\+?[\d\s().-]{2,}$/.test(q) && /\d/.test(q);
}
