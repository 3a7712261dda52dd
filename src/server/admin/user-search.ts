import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { userSearchAnswer, userSearchQuery } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { findTenantById } from '../store/repositories/tenants.js';
import { likeContaining } from '../store/like-pattern.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import { matchesInCreationOrder } from './user-search-postgres.js';
import { selectUserSummaries, toUserSummary, type UserSummaryRow } from '../views/user-views.js';

type Query = z.infer<typeof userSearchQuery>;
type Answer = z.infer<typeof userSearchAnswer>;
type Row = UserSummaryRow & { seq: number };
/** A place in result order, as cursors carry it: rowid or created_at, and the user id (empty where the order needs none). */
type Position = { key: number; id: string };

/**
 * The most one search request reads: users of the creation-order walk, hits of an index, or users a
 * filter's index lists. A search that has not filled its page by then answers with what it found and
 * a cursor past the last user it read, so no request costs a scan of the whole users table, however
 * rare the fragment or the filter. Tests lower it. 5,000 (was 10,000): a walk cut short at the bound
 * is the slowest common request (10% of bench/admin-search's are rare two-letter fragments), and half
 * the walk took PostgreSQL's p95 from 22 to 18 ms at 2 clients and from 40 to 33 ms at 4 (SQLite at
 * 4: 24.5 to 22 ms). The price: fragments in fewer than 1 of 200 users that no index can find
 * answer "searched 5,000 so far" more often (PostgreSQL: 873 of the bench's 3,000 pages instead of 575).
 */
export const userSearchBounds = { rowsPerRequest: 5_000 };
/**
 * A filter's walk looks each user up through the filter's index (measured: about three times a row of
 * the creation-order walk, on both databases), so it reads a third as many.
 */
const LOOKUP_COST = 3;

/** What one search path found: up to a page plus one, what that covered, and where a walk cut short stopped. */
interface Found {
  rows: Row[];
  /** Users in the operator's scope the page covered (userSearchProgress.examined). */
  examined: number;
  stoppedAt: Position | null;
  /** The walk goes through every user (not an index's hits or a filter's subset), so a total means something. */
  everyUser?: boolean;
}

/**
 * Finds users from any fragment of email, name or phone, within the tenants the operator may see,
 * in creation order with an opaque cursor, reading at most `userSearchBounds.rowsPerRequest` rows:
 *  - a full email or phone number takes the exact index;
 *  - with a filter (both databases): walk the users the filter's index picks in (created_at, id)
 *    order, checking scope and fragment on each; locked users come from the (few) active lockouts;
 *  - SQLite: fragments of 3+ characters stream from the FTS5 trigram index in rowid (= creation)
 *    order, in chunks, so a page costs about the same for rare and common fragments;
 *  - PostgreSQL: the kept count of users per trigram (migration 007) picks the fragment's rarest
 *    trigram; rare enough, the pg_trgm index lists a bounded number of candidates; otherwise a narrow
 *    search table is walked in (created_at, id) order (common fragments fill a page there); the
 *    page's users come in the same statement (user-search-postgres.ts);
 *  - SQLite without a trigram (one or two characters): a narrow search-text table (migration 008)
 *    is walked in rowid order.
 * Creation order is uncorrelated with names, so a walk meets a common fragment's matches early; a
 * walk that reaches the bound first answers with what it has, `searched.complete: false`, and a
 * cursor past the last row it read.
 */
export async function searchUsers(ctx: ServerContext, principal: OperatorPrincipal, query: Query): Promise<Answer> {
  const { db, dialect } = ctx.store;
  const now = ctx.clock.now();
  if (query.tenantId) {
    assertCanSeeTenant(principal, query.tenantId, 'tenant');
    if (!(await findTenantById(db, query.tenantId))) throw new ApiError('not_found', 'There is no such tenant.');
  }
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  const cursorScope = `users:${principal.id}`;
  const after = decodeCursor(ctx.secrets, cursorScope, query.cursor);
  const sqlite = dialect === 'sqlite';
  const page = query.limit;
  const budget = Math.max(1, Math.floor(userSearchBounds.rowsPerRequest));
  const reads = Math.max(1, Math.floor(budget / LOOKUP_COST));
  // SQLite orders by rowid, except with a filter: the filters' partial indexes are in (created_at, id)
  // order, as everything on PostgreSQL is. One search keeps one order, so its cursors stay valid.
  const byRowid = sqlite && !query.filter;

  /**
   * Users matching `match` (and the operator's scope, and the filter unless `filtered` is false), in
   * result order after `from`. `fewRows`: `match` picks a known handful of users; sort those, never
   * walk the creation-order index for them.
   */
  const summaries = (
    match: Expression<SqlBool> | undefined,
    limit: number,
    options: { from?: Position | null; fewRows?: boolean; filtered?: boolean; alongside?: RawBuilder<number> } = {},
  ) => {
    const { from = after, fewRows = false, filtered = true, alongside } = options;
    let select = selectUserSummaries(db, now).select(byRowid ? sql<number>`u.rowid`.as('seq') : sql<number>`u.created_at`.as('seq'));
    // A number the caller wants from the same round trip (PostgreSQL's count of what a walk covered).
    if (alongside) select = select.select(alongside.as('alongside'));
    if (tenantIds.length) select = select.where('u.tenant_id', 'in', tenantIds);
    // Users a filtered walk found have passed the filter already.
    const filter = filtered ? query.filter : undefined;
    if (filter === 'locked') {
      select = select.where('u.id', 'in', (eb) =>
        eb.selectFrom('lockouts').select('user_id').where('lifted_at', 'is', null).where('until', '>', now),
      );
    } else if (filter === 'shared') select = select.where('u.shared_mailbox', '=', 1);
    else if (filter === 'no_mfa') select = select.where('u.mfa_enrolled_at', 'is', null);
    else if (filter === 'disabled') select = select.where('u.disabled_at', 'is not', null);
    if (from) {
      // A row comparison, so PostgreSQL starts the index walk at the cursor instead of filtering up to it.
      select = byRowid
        ? select.where(sql<SqlBool>`u.rowid > ${from.key}`)
        : select.where(sql<SqlBool>`(u.created_at, u.id) > (${from.key}, ${from.id})`);
    }
    if (match) select = select.where(match);
    const ordered = byRowid
      ? select.orderBy(sql`u.rowid`)
      : fewRows
        ? select.orderBy(sql`u.created_at + 0`).orderBy('u.id')
        : select.orderBy('u.created_at').orderBy('u.id');
    return ordered.limit(limit);
  };
  const fetch = async (...args: Parameters<typeof summaries>) => (await summaries(...args).execute()) as Row[];
  /** The users a walk or an index found, by rowid or id, in result order. */
  const byRowids = async (rowids: number[], limit = page + 1) =>
    rowids.length
      ? fetch(sql<SqlBool>`u.rowid IN (SELECT value FROM json_each(${JSON.stringify(rowids)}))`, limit, { from: null, filtered: false })
      : [];
  const byIds = async (ids: string[]) => {
    if (!ids.length) return [];
    const match = sqlite
      ? sql<SqlBool>`u.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
      : sql<SqlBool>`u.id = ANY(${ids}::text[])`;
    return fetch(match, page + 1, { from: null, fewRows: true, filtered: false });
  };
  const answer = async (found: Found): Promise<Answer> => {
    const { rows, examined, stoppedAt } = found;
    const last = rows.length > page ? rows[page - 1] : undefined;
    const next = last ? { key: Number(last.seq), id: last.id } : stoppedAt;
    const complete = !stoppedAt || last !== undefined;
    // Only for operators who see every tenant: a count of everyone is not for a tenant's admin.
    const total = !complete && found.everyUser && !principal.tenantIds.length ? await estimatedUserCount(ctx) : undefined;
    return {
      items: rows.slice(0, page).map(toUserSummary),
      nextCursor: next ? encodeCursor(ctx.secrets, cursorScope, next.key, next.id) : null,
      searched: { examined, complete, ...(total === undefined ? {} : { total }) },
    };
  };
  const inScope = tenantIds.length ? sql<SqlBool>`u.tenant_id IN (${sql.join(tenantIds)})` : undefined;
  const all = (...parts: Array<RawBuilder<SqlBool> | undefined>) => {
    const present = parts.filter((part) => part !== undefined);
    return present.length ? sql<SqlBool>`(${sql.join(present, sql` AND `)})` : sql<SqlBool>`1 = 1`;
  };

  /**
   * SQLite without a filter: users whose search text holds `text` (a lower-cased fragment), in rowid order, among the
   * next `budget` after the cursor, read from the narrow users_search_text table (migration 008): a
   * third of the cost of whole user rows. The inner LIMIT bounds the walk; it stops sooner once the
   * page (plus one) is found.
   */
  const walkRowids = async (text: string): Promise<Found> => {
    const from = after?.key ?? 0;
    const residual = all(inScope, text ? sql<SqlBool>`instr(u.search_text, ${text}) > 0` : undefined);
    const hits = (
      await sql<{ seq: number }>`SELECT u.seq FROM (
          SELECT seq, tenant_id, search_text FROM users_search_text WHERE seq > ${from} ORDER BY seq LIMIT ${budget}
        ) u WHERE ${residual} ORDER BY u.seq LIMIT ${page + 1}`.execute(db)
    ).rows.map((r) => Number(r.seq));
    /** The users in scope after the cursor up to `through` (a range the walk has just read). */
    const count = async (through: number | null) =>
      Number(
        (
          await sql<{
            n: number;
          }>`SELECT count(*) AS n FROM users_search_text u WHERE u.seq > ${from} AND u.seq <= ${through ?? Number.MAX_SAFE_INTEGER} AND ${all(inScope)}`.execute(
            db,
          )
        ).rows[0]?.n ?? 0,
      );
    if (hits.length > page) return { rows: await byRowids(hits), examined: await count(hits[page - 1]!), stoppedAt: null, everyUser: true };
    // Stepping over rows (OFFSET) costs a tenth of counting them.
    const edge = (
      await sql<{ seq: number }>`SELECT seq FROM users_search_text WHERE seq > ${from} ORDER BY seq LIMIT 1 OFFSET ${budget - 1}`.execute(
        db,
      )
    ).rows[0];
    const rows = await byRowids(hits);
    if (!edge) return { rows, examined: await count(null), stoppedAt: null, everyUser: true };
    return {
      rows,
      examined: inScope ? await count(Number(edge.seq)) : budget,
      stoppedAt: { key: Number(edge.seq), id: '' },
      everyUser: true,
    };
  };

  /**
   * With a filter: the users `driving` picks, in (created_at, id) order (a filter's partial index,
   * or every user), at most `reads` of them after the cursor; `residual` (scope, fragment) is checked
   * on each. `fewRows`: `driving` picks a known handful; sort those (`created_at + 0` keeps both
   * databases off the creation-order index), never walk an index for them.
   */
  const walkFiltered = async (
    driving: RawBuilder<SqlBool>,
    residual: RawBuilder<SqlBool>,
    options: { fewRows?: boolean; everyUser?: boolean } = {},
  ): Promise<Found> => {
    const key = options.fewRows ? sql`u.created_at + 0` : sql`u.created_at`;
    const past = after ? sql<SqlBool>`(${key}, u.id) > (${after.key}, ${after.id})` : sql<SqlBool>`1 = 1`;
    const hits = (
      await sql<{ seq: number; id: string }>`SELECT u.seq, u.id FROM (
          SELECT ${key} AS seq, u.id, u.tenant_id, u.email, u.name, u.phone FROM users u WHERE ${driving} AND ${past}
          ORDER BY ${key}, u.id LIMIT ${reads}
        ) u WHERE ${residual} ORDER BY u.seq, u.id LIMIT ${page + 1}`.execute(db)
    ).rows.map((r) => ({ key: Number(r.seq), id: r.id }));
    /** The users in scope `driving` picks after the cursor up to `through` (a range the walk has just read). */
    const count = async (through: Position | null) => {
      const upTo = through ? sql<SqlBool>`(${key}, u.id) <= (${through.key}, ${through.id})` : sql<SqlBool>`1 = 1`;
      return Number(
        (
          await sql<{ n: number }>`SELECT count(*) AS n FROM users u WHERE ${driving} AND ${past} AND ${upTo} AND ${all(inScope)}`.execute(
            db,
          )
        ).rows[0]?.n ?? 0,
      );
    };
    const rows = await byIds(hits.map((hit) => hit.id));
    const everyUser = options.everyUser ?? false;
    if (hits.length > page) return { rows, examined: await count(hits[page - 1]!), stoppedAt: null, everyUser };
    const edge = (
      await sql<{
        seq: number;
        id: string;
      }>`SELECT ${key} AS seq, u.id FROM users u WHERE ${driving} AND ${past} ORDER BY ${key}, u.id LIMIT 1 OFFSET ${reads - 1}`.execute(db)
    ).rows[0];
    if (!edge) return { rows, examined: await count(null), stoppedAt: null, everyUser };
    const stoppedAt = { key: Number(edge.seq), id: edge.id };
    return { rows, examined: inScope ? await count(stoppedAt) : reads, stoppedAt, everyUser };
  };

  /**
   * A full email or phone number: the exact index. With a cursor, the first page came from here only
   * if an exact match exists at all: ask that, rather than read a fragment search's cursor here.
   */
  const exact = async (match: Expression<SqlBool>): Promise<Found | null> => {
    const rows = await fetch(match, page + 1);
    if (!rows.length && (!after || !(await fetch(match, 1, { from: null })).length)) return null;
    return { rows, examined: Math.min(rows.length, page), stoppedAt: null };
  };

  const q = query.q?.trim() ?? '';
  if (!q && !query.filter && !tenantIds.length) {
    // Everyone matches: the first page (plus one) after the cursor is the answer.
    const rows = await fetch(undefined, page + 1);
    return answer({ rows, examined: Math.min(rows.length, page), stoppedAt: null });
  }

  const exactEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(q) ? q.toLowerCase() : null;
  if (exactEmail) {
    const found = await exact(sql<SqlBool>`u.email = ${exactEmail}`);
    if (found) return answer(found);
  }
  /**
   * A number as typed: with + or 00, international; with one leading 0 ("0151 2345 6789"), national
   * in the tenant's country when the search is of one tenant that has a country; otherwise its digits
   * with the country code first, as before.
   */
  async function fullPhoneNumber(typed: string) {
    const digits = typed.replace(/\D/g, '');
    if (typed.startsWith('+')) return parsePhoneNumberFromString(typed);
    if (digits.startsWith('00')) return parsePhoneNumberFromString(`+${digits.slice(2)}`);
    if (digits.startsWith('0') && tenantIds.length === 1) {
      const country = (await findTenantById(db, tenantIds[0]!))?.policy.country;
      if (country && isSupportedCountry(country)) return parsePhoneNumberFromString(typed, { defaultCountry: country });
    }
    return parsePhoneNumberFromString(`+${digits}`);
  }

  const phoneLike = looksLikePhone(q);
  // No full number has fewer than seven digits (country code included): don't ask libphonenumber's
  // full metadata, about 2 ms a call here, to validate what can only be a fragment.
  const phone = phoneLike && q.replace(/\D/g, '').length >= 7 ? await fullPhoneNumber(q) : undefined;
  if (phone?.isValid()) {
    const found = await exact(sql<SqlBool>`u.phone = ${phone.number}`);
    if (found) return answer(found);
  }

  const fragment = phoneLike ? q.replace(/\D/g, '') : q.toLowerCase();
  const contains = fragment ? containsFragment(fragment) : undefined;

  if (query.filter === 'locked') {
    // Active lockouts are few: check scope and fragment on each locked user instead of walking for
    // them. Should there be more than the bound (a wave of attacks), walk every user instead.
    const active = sql<SqlBool>`l.lifted_at IS NULL AND l.until > ${now}`;
    const many = (
      await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM lockouts l WHERE ${active} LIMIT ${reads + 1}) l`.execute(db)
    ).rows[0];
    if (Number(many?.n ?? 0) <= reads)
      return answer(
        await walkFiltered(sql<SqlBool>`u.id IN (SELECT l.user_id FROM lockouts l WHERE ${active})`, all(inScope, contains), {
          fewRows: true,
        }),
      );
    return answer(
      await walkFiltered(
        sql<SqlBool>`1 = 1`,
        all(sql<SqlBool>`EXISTS (SELECT 1 FROM lockouts l WHERE l.user_id = u.id AND ${active})`, inScope, contains),
        { everyUser: true },
      ),
    );
  }
  if (query.filter) {
    // Literal predicates, so that even a prepared statement's generic plan takes the partial index.
    const driving = {
      shared: sql<SqlBool>`u.shared_mailbox = 1`,
      no_mfa: sql<SqlBool>`u.mfa_enrolled_at IS NULL`,
      disabled: sql<SqlBool>`u.disabled_at IS NOT NULL`,
    }[query.filter];
    return answer(await walkFiltered(driving, all(inScope, contains)));
  }

  if (!sqlite) {
    // PostgreSQL: matches come from the narrow search table in creation order, scope included
    // (user-search-postgres.ts); an empty fragment matches everyone in scope.
    // The page's users come in the same statement as the search that finds them.
    const found = await matchesInCreationOrder<Row>(db, {
      fragment,
      from: after,
      tenantIds,
      page,
      budget,
      users: (match, alongside) => summaries(match, page + 1, { from: null, fewRows: true, filtered: false, alongside }),
    });
    const stop = found.stoppedAt;
    return answer({
      rows: found.rows,
      examined: found.examined,
      stoppedAt: stop && { key: stop.created_at, id: stop.user_id },
      everyUser: true,
    });
  }

  if (fragment.length < 3) return answer(await walkRowids(fragment));
  // Stream trigram hits in rowid order, a growing chunk at a time, until a page (plus one) is found
  // or the bound is read. Every hit is a match, so those in scope are the users the page covered.
  const rows: Row[] = [];
  let read = 0;
  let from = after?.key ?? 0;
  // Unscoped, every hit is on the page: ask for a page's worth first. Scoped, hits of other tenants
  // fall away: ask for more.
  for (let chunk = (inScope ? 4 : 1) * (page + 1); ; chunk = Math.min(chunk * 4, 20_000)) {
    const take = Math.min(chunk, budget - read);
    const hits = await sql<{
      rowid: number;
    }>`SELECT rowid FROM users_search WHERE users_search MATCH ${ftsPhrase(fragment)} AND rowid > ${from} ORDER BY rowid LIMIT ${take}`.execute(
      db,
    );
    const rowids = hits.rows.map((r) => r.rowid);
    read += rowids.length;
    rows.push(...(await byRowids(rowids, page + 1 - rows.length)));
    const examined = Math.min(rows.length, page);
    if (rows.length > page || rowids.length < take) return answer({ rows, examined, stoppedAt: null });
    if (read >= budget) return answer({ rows, examined, stoppedAt: { key: rowids.at(-1)!, id: '' } });
    from = rowids.at(-1)!;
  }
}

/** About how many users there are, without counting them: SQLite's highest rowid, PostgreSQL's statistics. */
async function estimatedUserCount(ctx: ServerContext): Promise<number | undefined> {
  const { db, dialect } = ctx.store;
  const estimate =
    dialect === 'sqlite'
      ? sql<{ n: number | null }>`SELECT max(rowid) AS n FROM users`
      : // The statistics function, not the pg_stat_user_tables view: the view costs 2 ms a call here.
        sql<{
          n: number | null;
        }>`SELECT greatest(c.reltuples::bigint, pg_stat_get_live_tuples(c.oid)) AS n FROM pg_class c WHERE c.oid = 'users'::regclass`;
  const n = Number((await estimate.execute(db)).rows[0]?.n ?? 0);
  return n > 0 ? n : undefined;
}

/** The fragment anywhere in email, name or phone (of `u`): SQLite's short fragments, and any checked on a filter's users. */
function containsFragment(fragment: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${likeContaining(fragment)} ESCAPE '\\'`;
}

/** An FTS5 string literal: the fragment as one phrase, quotes doubled. */
function ftsPhrase(fragment: string): string {
  return `"${fragment.replace(/"/g, '""')}"`;
}

function looksLikePhone(q: string): boolean {
  return /^\+?[\d\s().-]{2,}$/.test(q) && /\d/.test(q);
}
