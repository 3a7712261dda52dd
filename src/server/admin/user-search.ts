import { sql, type Kysely, type SqlBool, type Expression } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { userSearchAnswer, userSearchQuery } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import type { Dialect } from '../store/database.js';
import { findTenantById } from '../store/repositories/tenants.js';
import type { Database } from '../store/schema.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import { selectUserSummaries, toUserSummary, type UserSummaryRow } from './user-views.js';

/**
 * Above this many index hits a fragment is "common": walking users in result order and filtering
 * finds a page quickly. Below it, the hits themselves are few enough to sort.
 */
const CANDIDATE_CAP = 2000;

type Query = z.infer<typeof userSearchQuery>;

/**
 * Finds users from any fragment of email, name or phone, within the tenants the operator may see,
 * in a stable order (account creation, then id) with an opaque cursor.
 *  - a full email or phone number takes the exact index path;
 *  - fragments of 3+ characters use the trigram index (SQLite FTS5 trigram, PostgreSQL pg_trgm) when
 *    they are rare, and an ordered walk when they are common;
 *  - shorter fragments always walk (they are common by nature).
 */
export async function searchUsers(ctx: ServerContext, principal: OperatorPrincipal, query: Query): Promise<z.infer<typeof userSearchAnswer>> {
  const { db, dialect } = ctx.store;
  const now = ctx.clock.now();
  if (query.tenantId) {
    assertCanSeeTenant(principal, query.tenantId, 'tenant');
    if (!(await findTenantById(db, query.tenantId))) throw new ApiError('not_found', 'There is no such tenant.');
  }
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  const after = decodeCursor(query.cursor);

  const page = async (match: Expression<SqlBool> | undefined) => {
    let select = selectUserSummaries(db, now);
    if (tenantIds.length) select = select.where('u.tenant_id', 'in', tenantIds);
    if (query.filter === 'locked') {
      select = select.where('u.id', 'in', (eb) => eb.selectFrom('lockouts').select('user_id').where('lifted_at', 'is', null).where('until', '>', now));
    } else if (query.filter === 'shared') select = select.where('u.shared_mailbox', '=', 1);
    else if (query.filter === 'no_mfa') select = select.where('u.mfa_enrolled_at', 'is', null);
    else if (query.filter === 'disabled') select = select.where('u.disabled_at', 'is not', null);
    if (after) select = select.where((eb) => eb.or([eb('u.created_at', '>', after.key), eb.and([eb('u.created_at', '=', after.key), eb('u.id', '>', after.id)])]));
    if (match) select = select.where(match);
    const rows = (await select.orderBy('u.created_at').orderBy('u.id').limit(query.limit + 1).execute()) as UserSummaryRow[];
    const items = rows.slice(0, query.limit).map(toUserSummary);
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor(Number(last.created_at), last.id) : null };
  };

  const q = query.q?.trim() ?? '';
  if (!q) return page(undefined);

  const exactEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(q) ? q.toLowerCase() : null;
  if (exactEmail) {
    const found = await page(sql<SqlBool>`u.email = ${exactEmail}`);
    if (found.items.length || after) return found;
  }
  const phone = looksLikePhone(q) ? parsePhoneNumberFromString(q.startsWith('+') ? q : `+${q.replace(/\D/g, '')}`) : undefined;
  if (phone?.isValid()) {
    const found = await page(sql<SqlBool>`u.phone = ${phone.number}`);
    if (found.items.length || after) return found;
  }

  const fragment = looksLikePhone(q) ? q.replace(/\D/g, '') : q.toLowerCase();
  if (fragment.length === 0) return { items: [], nextCursor: null };
  const contains = containsFragment(fragment);
  if (fragment.length < 3) return page(contains);

  const hits = await countIndexHits(db, dialect, fragment);
  if (hits > CANDIDATE_CAP) return page(contains);
  return page(dialect === 'sqlite' ? sql<SqlBool>`${ftsCandidates(fragment)} AND ${contains}` : contains);
}

/** The fragment anywhere in email, name or phone (one lower-cased string, the one PostgreSQL's trigram index covers). */
function containsFragment(fragment: string): Expression<SqlBool> {
  return sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${`%${escapeLike(fragment)}%`} ESCAPE '\\'`;
}

async function countIndexHits(db: Kysely<Database>, dialect: Dialect, fragment: string): Promise<number> {
  const result =
    dialect === 'sqlite'
      ? await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT rowid FROM users_search WHERE users_search MATCH ${ftsPhrase(fragment)} LIMIT ${CANDIDATE_CAP + 1})`.execute(db)
      : await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM users u WHERE ${containsFragment(fragment)} LIMIT ${CANDIDATE_CAP + 1}) hits`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** SQLite: narrow to the FTS5 trigram hits first (PostgreSQL's planner uses its trigram index by itself). */
function ftsCandidates(fragment: string): Expression<SqlBool> {
  return sql<SqlBool>`u.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ${ftsPhrase(fragment)})`;
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
