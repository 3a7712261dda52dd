import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { likeContaining } from '../store/like-pattern.js';
import type { Database } from '../store/schema.js';

/**
 * How far a PostgreSQL search walks the narrow search index in creation order before it decides
 * between walking on (within the request's bound, userSearchBounds) and asking the trigram index
 * (matchesInCreationOrder). Tests lower it to reach every path with a few thousand users;
 * bench/admin-search measured the default.
 */
export const postgresSearchTuning = { walkRows: 10_000 };

export interface MatchPosition {
  created_at: number;
  user_id: string;
}

export interface CreationOrderMatches {
  /** Up to `page + 1` matches in creation order: more than `page` means the page is full. */
  matches: MatchPosition[];
  /** Set when the budget ran out before the page filled: the last entry read, to walk on from. */
  stoppedAt: MatchPosition | null;
  /**
   * The users in scope this page covered, from `from` to where it ends (the page-th match, the stop, or
   * the end): those the walk passed, and beyond it only the trigram index's hits. A count the caller
   * runs alongside fetching the matches, since it may take a query.
   */
  examined: () => Promise<number>;
}

/**
 * The next `page + 1` users (in creation order, after `from`) whose email, name or phone contains
 * `fragment` (lower-cased; empty: every user), within `tenantIds` (empty: all), reading at most
 * `budget` entries of the narrow `user_search` table (migration 004):
 *  1. walk the next `walkRows` entries of its (created_at, user_id) index, an index-only scan that
 *     stops as soon as the page is found;
 *  2. if the page is not full but the walk found some, and at that density the rest of the page is
 *     within the budget, walk on (up to the budget);
 *  3. else, if the walk found none of the fragment (or it holds a trigram with a digit) and it is rare
 *     among all users, take the rest from the trigram index, which is quick exactly for those;
 *  4. else walk on to the budget and stop there: the caller answers with what was found and a cursor.
 *     A fragment the walk found a few times ("h Han": common trigrams, a rare whole) stays here: the
 *     trigram index would recheck every row sharing its trigrams (bench/admin-search: 200-380 ms).
 * A fragment without a run of three letters or digits ("ol", "b.m", "k A") has no trigram worth asking
 * for, and a fragment common in other tenants makes the trigram index slow for an operator who sees only
 * one: both walk on to the budget.
 */
export async function matchesInCreationOrder(
  db: Kysely<Database>,
  input: { fragment: string; from: { key: number; id: string } | null; tenantIds: string[]; page: number; budget: number },
): Promise<CreationOrderMatches> {
  const { fragment, from, tenantIds, page, budget } = input;
  const start = from ? { created_at: from.key, user_id: from.id } : null;
  const pattern = likeContaining(fragment);
  const inScope = tenantIds.length ? sql<SqlBool>`s.tenant_id = ANY(${tenantIds}::text[])` : sql<SqlBool>`true`;
  const after = (position: MatchPosition | null) => (position ? sql<SqlBool>`(s.created_at, s.user_id) > (${position.created_at}, ${position.user_id})` : sql<SqlBool>`true`);
  /**
   * Up to `count` matches among the next `stretch` entries after `position`: an index-only scan that
   * stops at `count`. The inner LIMIT keeps the subquery an ordered scan the planner will not flatten
   * and sort. strpos, a plain substring test, costs less per row than LIKE and keeps the planner off
   * the trigram index.
   */
  const walk = async (position: MatchPosition | null, stretch: number, count: number, scope: RawBuilder<SqlBool> = inScope) =>
    (
      await sql<MatchPosition>`SELECT s.created_at, s.user_id FROM (
          SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s WHERE ${after(position)}
          ORDER BY s.created_at, s.user_id LIMIT ${stretch}
        ) s
        WHERE ${scope} AND strpos(s.search_text, ${fragment}) > 0
        ORDER BY s.created_at, s.user_id LIMIT ${count}`.execute(db)
    ).rows;
  /** The last entry of the next `stretch` after `position`; undefined when fewer are left (index-only). */
  const edgeOf = async (position: MatchPosition | null, stretch: number) =>
    (
      await sql<MatchPosition>`SELECT s.created_at, s.user_id FROM user_search s WHERE ${after(position)}
        ORDER BY s.created_at, s.user_id OFFSET ${stretch - 1} LIMIT 1`.execute(db)
    ).rows[0];
  /**
   * `examined` for a page whose walk covered the entries after `from` up to `through` (null: the end),
   * plus `indexHits` beyond: `rows` is how many that range holds when known, which is the answer when
   * every entry is in scope. Otherwise an index-only count of the range, which the walk has just read.
   */
  const covered = (through: MatchPosition | null, indexHits = 0, rows?: number) => async () => {
    if (rows !== undefined && !tenantIds.length) return rows + indexHits;
    const upTo = through ? sql<SqlBool>`(s.created_at, s.user_id) <= (${through.created_at}, ${through.user_id})` : sql<SqlBool>`true`;
    const counted = await sql<{ n: number }>`SELECT count(*) AS n FROM user_search s WHERE ${after(start)} AND ${upTo} AND ${inScope}`.execute(db);
    return Number(counted.rows[0]?.n ?? 0) + indexHits;
  };

  const first = Math.max(1, Math.min(postgresSearchTuning.walkRows, budget));
  const walked = await walk(start, first, page + 1);
  if (walked.length > page) return { matches: walked, stoppedAt: null, examined: covered(walked[page - 1]!) };
  const edge = await edgeOf(start, first);
  if (!edge) return { matches: walked, stoppedAt: null, examined: covered(null) };

  const remaining = budget - first;
  const wanted = page + 1 - walked.length;
  /**
   * Whether the first stretch held at most 1% matches among all users, not only those in scope: a
   * fragment common in other tenants would make the trigram index recheck a large part of the table.
   * Unscoped, the walk has just counted them; scoped, count them (stopping past the 1%).
   */
  const rareAmongAll = async () => {
    const most = Math.floor(first / 100);
    if (!tenantIds.length) return walked.length <= most;
    return (await walk(start, first, most + 1, sql<SqlBool>`true`)).length <= most;
  };

  // Found some: at that density, is the rest of the page within the budget? Then walk on (it stops as
  // soon as the page is full). That is cheaper than the trigram index, whose rechecks cost most for
  // fragments made of common trigrams ("h haug"). Digits are the exception: trigrams with a digit in
  // them spread evenly (phone numbers, the numbers in email addresses), so any of them makes the
  // trigram index quick ("g985", "lund36", "ts7").
  const walkOnFills = remaining > 0 && walked.length > 0 && !hasDigitTrigram(fragment) && (2 * wanted * first) / walked.length <= remaining;
  const indexIsQuick = walked.length === 0 || hasDigitTrigram(fragment);
  if (!walkOnFills && indexIsQuick && /[\p{L}\p{N}]{3}/u.test(fragment) && (await rareAmongAll())) {
    // Rare: the trigram index. MATERIALIZED and without LIMIT inside, so the planner takes the index.
    const rest = (
      await sql<MatchPosition>`WITH hits AS MATERIALIZED (
          SELECT s.created_at, s.user_id, s.tenant_id FROM user_search s WHERE s.search_text LIKE ${pattern} ESCAPE '\\'
        )
        SELECT s.created_at, s.user_id FROM hits s WHERE ${after(edge)} AND ${inScope}
        ORDER BY s.created_at, s.user_id LIMIT ${wanted}`.execute(db)
    ).rows;
    const matches = [...walked, ...rest];
    // The index skipped the users it did not list: only its hits count as examined.
    if (matches.length <= page) return { matches, stoppedAt: null, examined: covered(edge, rest.length, first) };
    return { matches, stoppedAt: null, examined: walked.length === page ? covered(walked[page - 1]!) : covered(edge, page - walked.length, first) };
  }
  if (remaining <= 0) return { matches: walked, stoppedAt: edge, examined: covered(edge, 0, first) };

  const more = await walk(edge, remaining, wanted);
  const matches = [...walked, ...more];
  if (matches.length > page) return { matches, stoppedAt: null, examined: covered(matches[page - 1]!) };
  const stop = await edgeOf(edge, remaining);
  if (stop) return { matches, stoppedAt: stop, examined: covered(stop, 0, budget) };
  return { matches, stoppedAt: null, examined: covered(null) };
}

/** Whether some trigram of the fragment (three letters or digits in a row) holds a digit. */
function hasDigitTrigram(fragment: string): boolean {
  return [...fragment.matchAll(/[\p{L}\p{N}]{3,}/gu)].some((run) => /\d/.test(run[0]));
}
