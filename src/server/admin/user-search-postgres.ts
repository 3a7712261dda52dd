import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { likeContaining } from '../store/like-pattern.js';
import type { Database } from '../store/schema.js';
import { trigramCounts } from './user-search-trigrams.js';

/**
 * `candidateCost`: what the trigram index costs per candidate row it hands over (found in the index,
 * fetched from the table and rechecked), in entries of the creation-order walk (an index-only scan):
 * a request may take at most budget / candidateCost candidates from the index. Measured on
 * bench/admin-search; tests change it to reach every path with a few thousand users.
 */
export const postgresSearchTuning = { candidateCost: 5 };
/**
 * How much more common than `most` the rarest of several trigrams may be for the capped index path:
 * the index reads that trigram's list of rows (cheap: a few bytes a row), but fetches at most `cap`.
 */
const SEVERAL = 20;

export interface MatchPosition {
  created_at: number;
  user_id: string;
}

export interface CreationOrderMatches<T> {
  /** Up to `page + 1` of the matches' rows (`users`), in creation order: more than `page` means the page is full. */
  rows: T[];
  /** Set when the budget ran out before the page filled: the last entry read, to walk on from. */
  stoppedAt: MatchPosition | null;
  /**
   * The users in scope this page covered, from `from` to where it ends (the page-th match, the stop, or
   * the end): those the walk passed, or the trigram index's hits.
   */
  examined: number;
}

/** A row of the caller's choosing for each match: its creation time as `seq`, its id, and `alongside` when asked for. */
export type MatchRow = { seq: number | string; id: string; alongside?: unknown };
/**
 * The caller's query for the rows of the users `match` picks (ordered, at most `page + 1`), with
 * `alongside` as a column when given: the search runs inside the same statement, so a page is one
 * round trip to the database (on two shared cores each costs about as much as the walk itself).
 */
export type UsersQuery<T> = (match: RawBuilder<SqlBool>, alongside?: RawBuilder<number>) => Expression<T>;

/**
 * The next `page + 1` users (in creation order, after `from`) whose email, name or phone contains
 * `fragment` (lower-cased; empty: every user), within `tenantIds` (empty: all), at a cost of at most
 * `budget` entries of the narrow `user_search` table (migration 004). The fragment's trigrams and how
 * many users hold each (user_search_trigrams, migration 007: exact, kept by triggers) decide up front:
 *  1. The rarest trigram is in at most budget / candidateCost users: ask the trigram index. Every
 *     candidate it rechecks holds that trigram, so it hands over at most that many; the answer is
 *     complete (no cursor needed however rare the fragment: "zelda", "qjx", "r61538").
 *  2. Several trigrams, the rarest in at most SEVERAL times that many users: what holds all of them
 *     is usually far fewer (digits: "6215" is in 0.06% of users, 621 and 215 each in 0.8%). Ask the
 *     index for at most half of that many candidates; should there be more (trigrams of names go
 *     together: "umann4"), walk half the budget instead.
 *  3. Otherwise, or without a trigram ("ol", "b.m", "k a"), walk the (created_at, user_id) index in
 *     creation order, checking each entry: a common fragment fills its page within a few thousand
 *     entries; a rare one made of common trigrams ("h han", "v.berg") stops at the budget and
 *     answers what it found with a cursor. The trigram index would recheck every row holding its
 *     trigrams for those (bench/admin-search: 200-380 ms).
 */
export async function matchesInCreationOrder<T extends MatchRow>(
  db: Kysely<Database>,
  input: { fragment: string; from: { key: number; id: string } | null; tenantIds: string[]; page: number; budget: number; users: UsersQuery<T> },
): Promise<CreationOrderMatches<T>> {
  const { fragment, from, tenantIds, page, budget, users } = input;
  const start = from ? { created_at: from.key, user_id: from.id } : null;
  const inScope = tenantIds.length ? sql<SqlBool>`s.tenant_id = ANY(${tenantIds}::text[])` : sql<SqlBool>`true`;
  const after = (position: MatchPosition | null) => (position ? sql<SqlBool>`(s.created_at, s.user_id) > (${position.created_at}, ${position.user_id})` : sql<SqlBool>`true`);
  /**
   * `users` for the matches the CTE `matches` holds (`withList`: the statement's WITH list), in order.
   * `= ANY(ARRAY(...))`: the walk's statement is prepared (it has no LIKE), and PostgreSQL switches
   * to a generic plan after five runs; an array of at most `page + 1` ids is looked up by primary key
   * in any plan.
   */
  const rowsOf = async (withList: RawBuilder<unknown>, alongside?: RawBuilder<number>) =>
    (await sql<T>`WITH ${withList} SELECT * FROM (${users(sql<SqlBool>`u.id = ANY(ARRAY(SELECT m.user_id FROM matches m))`, alongside)}) x ORDER BY x.seq, x.id`.execute(db)).rows;
  /** Index hits count as examined: the index skipped the users it did not list. */
  const fromIndexHits = (rows: T[]): CreationOrderMatches<T> => ({ rows, stoppedAt: null, examined: Math.min(rows.length, page) });

  /**
   * The matches after `start` among the rows the trigram index lists for `candidates` (LIKE patterns,
   * all of them), at most `cap` of them (null: no cap, the counts bound them). MATERIALIZED, so the
   * planner takes the index for the CTE and sorts its few rows. Null when there were more than `cap`.
   */
  const fromIndex = async (candidates: RawBuilder<SqlBool>, cap: number | null): Promise<T[] | null> => {
    const limit = cap === null ? sql`` : sql`LIMIT ${cap + 1}`;
    const withList = sql`hits AS MATERIALIZED (
        SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s WHERE ${candidates} ${limit}
      ), matches AS (
        SELECT s.created_at, s.user_id FROM hits s WHERE ${after(start)} AND ${inScope} AND strpos(s.search_text, ${fragment}) > 0
        ORDER BY s.created_at, s.user_id LIMIT ${page + 1}
      )`;
    if (cap === null) return rowsOf(withList);
    const rows = await rowsOf(withList, sql<number>`(SELECT count(*) FROM hits)`);
    const candidatesRead = rows.length
      ? Number(rows[0]!.alongside)
      : Number((await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM user_search s WHERE ${candidates} LIMIT ${cap + 1}) c`.execute(db)).rows[0]?.n ?? 0);
    return candidatesRead > cap ? null : rows;
  };

  /**
   * The entries in scope after `start` up to `through` (null: the end): a range a walk of `stretch`
   * entries has just read. The ordered scan with a literal LIMIT keeps even a prepared statement's
   * generic plan on the index (without it, not knowing the bounds, it counted a third of the table
   * with a sequential scan: 110 ms).
   */
  const countUpTo = (through: RawBuilder<unknown> | null, stretch: number) =>
    sql<number>`(SELECT count(*) FROM (
        SELECT 1 FROM user_search s WHERE ${after(start)} AND ${through ? sql<SqlBool>`(s.created_at, s.user_id) <= ${through}` : sql<SqlBool>`true`} AND ${inScope}
        ORDER BY s.created_at, s.user_id LIMIT ${sql.lit(stretch)}
      ) c)`;
  /**
   * Up to `page + 1` matches among the next `stretch` entries after `start`: an index-only scan that
   * stops as soon as the page is full, with the users' rows and (for a full page) how many entries
   * that took in the same statement. The inner LIMIT keeps the subquery an ordered scan the planner
   * will not flatten and sort; strpos, a plain substring test, costs less per row than LIKE and keeps
   * the planner off the trigram index. A page not filled asks for the stretch's last entry, to walk
   * on from (OFFSET over the same index: carrying a row number through the walk doubled its cost).
   */
  const walk = async (stretch: number): Promise<CreationOrderMatches<T>> => {
    const withList = sql`matches AS MATERIALIZED (
        SELECT s.created_at, s.user_id FROM (
          SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s WHERE ${after(start)}
          ORDER BY s.created_at, s.user_id LIMIT ${stretch}
        ) s
        WHERE ${inScope} AND strpos(s.search_text, ${fragment}) > 0
        ORDER BY s.created_at, s.user_id LIMIT ${page + 1}
      )`;
    // A row of two scalar subqueries, not one row subquery: only that makes it a bound of the index scan.
    const nth = (column: string) => sql`(SELECT m.${sql.ref(column)} FROM matches m ORDER BY m.created_at, m.user_id OFFSET ${page - 1} LIMIT 1)`;
    const pageEnd = sql`(${nth('created_at')}, ${nth('user_id')})`;
    const rows = await rowsOf(withList, countUpTo(pageEnd, stretch));
    if (rows.length > page) return { rows, stoppedAt: null, examined: Number(rows[0]!.alongside) };
    const edge = (
      await sql<MatchPosition & { n: number | null }>`WITH e AS (
          SELECT s.created_at, s.user_id FROM user_search s WHERE ${after(start)} ORDER BY s.created_at, s.user_id OFFSET ${stretch - 1} LIMIT 1
        )
        SELECT e.created_at, e.user_id, ${tenantIds.length ? countUpTo(sql`(e.created_at, e.user_id)`, stretch) : sql`NULL::bigint`} AS n FROM e`.execute(db)
    ).rows[0];
    if (edge) return { rows, stoppedAt: { created_at: Number(edge.created_at), user_id: edge.user_id }, examined: tenantIds.length ? Number(edge.n) : stretch };
    // The end of the table, within the stretch: count the entries from `start` to the end.
    return { rows, stoppedAt: null, examined: Number((await sql<{ n: number }>`SELECT ${countUpTo(null, stretch)} AS n`.execute(db)).rows[0]?.n ?? 0) };
  };

  if (!fragment) return walk(budget);
  const trigrams = await trigramCounts(db, fragment);
  const most = Math.max(1, Math.floor(budget / postgresSearchTuning.candidateCost));
  if (trigrams.length && trigrams[0]!.users <= most) {
    // The whole fragment as the pattern: the index intersects all its trigrams (starting from the rarest).
    return fromIndexHits((await fromIndex(sql<SqlBool>`s.search_text LIKE ${likeContaining(fragment)} ESCAPE '\\'`, null))!);
  }
  // Several trigrams, none rare, the rarest in at most SEVERAL * most users (20,000 at the default
  // bound; every three digits of a phone number are in 8,000-12,000 of a million); what holds all of
  // them is far fewer, unless they go together. Capped, so the index's candidates are those holding
  // every counted trigram (not the whole pattern's).
  const cap = Math.floor(most / 2);
  if (cap > 0 && trigrams.length >= 2 && trigrams[0]!.users <= SEVERAL * most) {
    const holdsAll = sql<SqlBool>`${sql.join(trigrams.map((t) => sql`s.search_text LIKE ${`%${t.trigram}%`}`), sql` AND `)}`;
    const rows = await fromIndex(holdsAll, cap);
    if (rows) return fromIndexHits(rows);
    return walk(Math.max(1, budget - cap * postgresSearchTuning.candidateCost));
  }
  return walk(budget);
}
