import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { likeContaining } from '../store/like-pattern.js';
import type { Database } from '../store/schema.js';

/**
 * How far a PostgreSQL search walks the narrow search index in creation order before it decides
 * between walking on and asking the trigram index (matchesInCreationOrder). Tests lower these to
 * reach every path with a few thousand users; bench/admin-search measured the defaults.
 */
export const postgresSearchTuning = { walkRows: 10_000, maxWalkRows: 250_000 };

export interface MatchPosition {
  created_at: number;
  user_id: string;
}

/**
 * The next `limit` users (in creation order, after `from`) whose email, name or phone contains
 * `fragment` (lower-cased), within `tenantIds` (empty: all). Reads the narrow `user_search` table
 * (migration 004) only:
 *  1. walk the next `walkRows` entries of its (created_at, user_id) index, an index-only scan that
 *     stops as soon as a page is found;
 *  2. if the page is not full but the walk found some, and at that density the rest of the page is
 *     within `maxWalkRows`, walk on (up to that);
 *  3. else take the rest from the trigram index, which is quick exactly for the fragments the walk
 *     found rare. A fragment without a run of three letters or digits ("ol", "b.m", "k A") has no
 *     trigram worth asking for: its walk just goes on.
 */
export async function matchesInCreationOrder(db: Kysely<Database>, input: { fragment: string; from: { key: number; id: string } | null; tenantIds: string[]; limit: number }): Promise<MatchPosition[]> {
  const { fragment, from, tenantIds, limit } = input;
  const { walkRows, maxWalkRows } = postgresSearchTuning;
  const pattern = likeContaining(fragment);
  const inScope = tenantIds.length ? sql<SqlBool>`s.tenant_id = ANY(${tenantIds}::text[])` : sql<SqlBool>`true`;
  const after = (position: { key: number; id: string } | null) => (position ? sql<SqlBool>`(s.created_at, s.user_id) > (${position.key}, ${position.id})` : sql<SqlBool>`true`);
  /**
   * Up to `count` matches among the next `stretch` entries (null: to the end) after `start`: an
   * index-only scan that stops at `count`. The inner LIMIT, even a huge one, keeps the subquery an
   * ordered scan the planner will not flatten and sort. strpos, a plain substring test, costs less
   * per row than LIKE and keeps the planner off the trigram index.
   */
  const walk = async (start: RawBuilder<SqlBool>, stretch: number | null, count: number) =>
    (
      await sql<MatchPosition>`SELECT s.created_at, s.user_id FROM (
          SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s WHERE ${start}
          ORDER BY s.created_at, s.user_id LIMIT ${stretch ?? Number.MAX_SAFE_INTEGER}
        ) s
        WHERE ${inScope} AND strpos(s.search_text, ${fragment}) > 0
        ORDER BY s.created_at, s.user_id LIMIT ${count}`.execute(db)
    ).rows;

  const walked = await walk(after(from), walkRows, limit);
  if (walked.length >= limit) return walked;
  // Only now is the end of the walked stretch needed (index-only, too).
  const edge = (
    await sql<MatchPosition>`SELECT s.created_at, s.user_id FROM user_search s WHERE ${after(from)}
      ORDER BY s.created_at, s.user_id OFFSET ${walkRows - 1} LIMIT 1`.execute(db)
  ).rows[0];
  if (!edge) return walked; // the stretch reached the end: there is nothing more

  const pastEdge = after({ key: edge.created_at, id: edge.user_id });
  const wanted = limit - walked.length;
  if (!/[\p{L}\p{N}]{3}/u.test(fragment)) return [...walked, ...(await walk(pastEdge, null, wanted))];
  // Found some: at that density, is the rest of the page within `maxWalkRows`? Then walk on (it
  // stops as soon as the page is full; the bound only caps a bad guess). That is cheaper than the
  // trigram index, whose rechecks cost most for fragments made of common trigrams ("h haug").
  // Digits are the exception: trigrams with a digit in them spread evenly (phone numbers, the numbers
  // in email addresses), so any of them makes the trigram index quick ("g985", "lund36", "ts7").
  if (walked.length && !hasDigitTrigram(fragment) && (2 * wanted * walkRows) / walked.length <= maxWalkRows) {
    const more = await walk(pastEdge, maxWalkRows - walkRows, wanted);
    if (more.length >= wanted) return [...walked, ...more];
  }
  // Rare: the trigram index. MATERIALIZED and without LIMIT inside, so the planner takes the index.
  const rest = await sql<MatchPosition>`WITH hits AS MATERIALIZED (
      SELECT s.created_at, s.user_id, s.tenant_id FROM user_search s WHERE s.search_text LIKE ${pattern} ESCAPE '\\'
    )
    SELECT s.created_at, s.user_id FROM hits s WHERE ${pastEdge} AND ${inScope}
    ORDER BY s.created_at, s.user_id LIMIT ${wanted}`.execute(db);
  return [...walked, ...rest.rows];
}

/** Whether some trigram of the fragment (three letters or digits in a row) holds a digit. */
function hasDigitTrigram(fragment: string): boolean {
  return [...fragment.matchAll(/[\p{L}\p{N}]{3,}/gu)].some((run) => /\d/.test(run[0]));
}
