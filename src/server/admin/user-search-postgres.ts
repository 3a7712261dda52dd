import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { likeContaining } from '../store/like-pattern.js';
import type { Database } from '../store/schema.js';
import { searchBucketEnd, searchBucketOf, searchBuckets, type SearchBucket } from './user-search-buckets.js';
import { trigramCounts } from './user-search-trigrams.js';

/**
 * What the index paths cost, in entries of the creation-order walk (an index-only scan), measured on
 * bench/admin-search: `candidateCost` per candidate row an index hands over (fetched from the table
 * and rechecked), `weekCost` per week the week-keyed index is asked for (migration 009: a lookup that
 * finds nothing). A request spends at most its budget; tests change these to reach every path with a
 * few thousand users.
 */
export const postgresSearchTuning = { candidateCost: 5, weekCost: 25 };

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
 *  2. Otherwise, unless the fragment is so common that a walk fills its page sooner: ask the
 *     week-keyed trigram index (migration 009) week after week in creation order, as many weeks as
 *     the budget buys (each week's candidates: about the rarest trigram's share of its users), and
 *     stop as soon as the page is full. Digits ("4560": 456 and 560 each in 1% of users, both in
 *     0.1%) and names ("anse") fill a page within a few weeks; a fragment no one holds goes through
 *     dozens of weeks a request. Cut short, the cursor points at the next week.
 *  3. Without a trigram ("ol", "b.m", "k a"), or common enough: walk the (created_at, user_id) index
 *     in creation order, checking each entry: a common fragment fills its page within a few hundred
 *     entries; a rare one ("qj") stops at the budget and answers what it found with a cursor.
 */
export async function matchesInCreationOrder<T extends MatchRow>(
  db: Kysely<Database>,
  input: {
    fragment: string;
    from: { key: number; id: string } | null;
    tenantIds: string[];
    page: number;
    budget: number;
    users: UsersQuery<T>;
  },
): Promise<CreationOrderMatches<T>> {
  const { fragment, from, tenantIds, page, budget, users } = input;
  const start = from ? { created_at: from.key, user_id: from.id } : null;
  const inScope = tenantIds.length ? sql<SqlBool>`s.tenant_id = ANY(${tenantIds}::text[])` : sql<SqlBool>`true`;
  const after = (position: MatchPosition | null) =>
    position ? sql<SqlBool>`(s.created_at, s.user_id) > (${position.created_at}, ${position.user_id})` : sql<SqlBool>`true`;
  /**
   * `users` for the matches the CTE `matches` holds (`withList`: the statement's WITH list), in order.
   * `= ANY(ARRAY(...))`: the walk's statement is prepared (it has no LIKE), and PostgreSQL switches
   * to a generic plan after five runs; an array of at most `page + 1` ids is looked up by primary key
   * in any plan.
   */
  const rowsOf = async (withList: RawBuilder<unknown>, alongside?: RawBuilder<number>) =>
    (
      await sql<T>`WITH ${withList} SELECT * FROM (${users(sql<SqlBool>`u.id = ANY(ARRAY(SELECT m.user_id FROM matches m))`, alongside)}) x ORDER BY x.seq, x.id`.execute(
        db,
      )
    ).rows;
  /** Index hits count as examined: the index skipped the users it did not list. */
  const fromIndexHits = (rows: T[]): CreationOrderMatches<T> => ({ rows, stoppedAt: null, examined: Math.min(rows.length, page) });

  /**
   * The matches after `start` among the rows the trigram index lists for the whole fragment (its
   * rarest trigram is rare: the counts bound the candidates). MATERIALIZED, so the planner takes the
   * index for the CTE and sorts its few rows.
   */
  const fromIndex = async (): Promise<T[]> =>
    rowsOf(sql`hits AS MATERIALIZED (
        SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s WHERE s.search_text LIKE ${likeContaining(fragment)} ESCAPE '\\'
      ), matches AS (
        SELECT s.created_at, s.user_id FROM hits s WHERE ${after(start)} AND ${inScope} AND strpos(s.search_text, ${fragment}) > 0
        ORDER BY s.created_at, s.user_id LIMIT ${page + 1}
      )`);

  /**
   * The matches after `start` in `weeks` (ascending), week by week from the week-keyed index
   * (migration 009) until the page is full: the outer LIMIT stops the nested loop there, so later
   * weeks are never asked. OFFSET 0 fences each week's lookup, so that neither a custom nor a
   * prepared statement's generic plan can swap the index for an ordered walk of the whole table.
   */
  const fromWeeks = (weeks: number[], trigrams: string[]): Promise<T[]> =>
    rowsOf(sql`matches AS MATERIALIZED (
        SELECT m.created_at, m.user_id FROM unnest(${weeks}::integer[]) AS w(week)
        CROSS JOIN LATERAL (
          SELECT s.created_at, s.user_id FROM (
            SELECT s.created_at, s.user_id, s.tenant_id, s.search_text FROM user_search s
            WHERE user_search_bucket_keys(s.created_at, s.search_text) @> ARRAY(SELECT w.week::text || ':' || t FROM unnest(${trigrams}::text[]) t)
            OFFSET 0
          ) s
          WHERE ${after(start)} AND ${inScope} AND strpos(s.search_text, ${fragment}) > 0
          ORDER BY s.created_at, s.user_id LIMIT ${page + 1}
        ) m
        LIMIT ${page + 1}
      )`);

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
    const nth = (column: string) =>
      sql`(SELECT m.${sql.ref(column)} FROM matches m ORDER BY m.created_at, m.user_id OFFSET ${page - 1} LIMIT 1)`;
    const pageEnd = sql`(${nth('created_at')}, ${nth('user_id')})`;
    const rows = await rowsOf(withList, countUpTo(pageEnd, stretch));
    if (rows.length > page) return { rows, stoppedAt: null, examined: Number(rows[0]!.alongside) };
    const edge = (
      await sql<MatchPosition & { n: number | null }>`WITH e AS (
          SELECT s.created_at, s.user_id FROM user_search s WHERE ${after(start)} ORDER BY s.created_at, s.user_id OFFSET ${stretch - 1} LIMIT 1
        )
        SELECT e.created_at, e.user_id, ${tenantIds.length ? countUpTo(sql`(e.created_at, e.user_id)`, stretch) : sql`NULL::bigint`} AS n FROM e`.execute(
        db,
      )
    ).rows[0];
    if (edge)
      return {
        rows,
        stoppedAt: { created_at: Number(edge.created_at), user_id: edge.user_id },
        examined: tenantIds.length ? Number(edge.n) : stretch,
      };
    // The end of the table, within the stretch: count the entries from `start` to the end.
    return {
      rows,
      stoppedAt: null,
      examined: Number((await sql<{ n: number }>`SELECT ${countUpTo(null, stretch)} AS n`.execute(db)).rows[0]?.n ?? 0),
    };
  };

  if (!fragment) return walk(budget);
  const trigrams = await trigramCounts(db, fragment);
  const { candidateCost, weekCost } = postgresSearchTuning;
  if (trigrams.length && trigrams[0]!.users <= Math.max(1, Math.floor(budget / candidateCost))) return fromIndexHits(await fromIndex());
  if (!trigrams.length) return walk(budget);

  // The week-keyed index: plan the weeks from the cursor's on, each costing its lookup and its
  // candidates (about the rarest trigram's share of the week's users), within the budget. Every week
  // of the span is asked, those the sizes list and any between them (one begun since they were read).
  const plan = async (fresh: boolean) => {
    const known = await searchBuckets(db, tenantIds, { fresh });
    // The share of all users (every tenant's: the index lists them all) that hold the rarest trigram.
    const share = Math.min(
      1,
      trigrams[0]!.users /
        Math.max(
          1,
          known.reduce((sum, w) => sum + w.users, 0),
        ),
    );
    const from = start ? searchBucketOf(start.created_at) : (known[0]?.bucket ?? 0);
    const ahead = known.filter((w) => w.bucket >= from);
    const span: SearchBucket[] = [];
    let cost = 0;
    let week = from;
    for (const next of ahead) {
      // The empty weeks before `next` cost their lookups too.
      const nextCost = (next.bucket - week + 1) * weekCost + next.users * share * candidateCost;
      if (span.length && cost + nextCost > budget) break;
      cost += nextCost;
      span.push(next);
      week = next.bucket + 1;
    }
    return { span, share, cost, more: span.length < ahead.length, from };
  };
  const planned = await plan(false);
  const { share, cost } = planned;
  const firstWeek = planned.span[0];
  // So common that the walk meets a page of it sooner than the first week's candidates are read
  // (a fragment is in at most the rarest trigram's share of users; "ann", "sen"), or a first week
  // alone dearer than the budget (an import of many holders at once): walk.
  if (!firstWeek || cost > budget || (page + 1) / share < firstWeek.users * share * candidateCost) return walk(budget);
  // The span reaches the last week known: ask the sizes afresh, for any week begun since.
  const current = planned.more ? planned : await plan(true);
  const last = current.span.at(-1);
  // Everyone from the cursor on was deleted since the sizes were read: nothing left to find.
  if (!last) return walk(budget);
  const weeks = Array.from({ length: last.bucket - current.from + 1 }, (_, i) => current.from + i);
  const rows = await fromWeeks(
    weeks,
    trigrams.map((t) => t.trigram),
  );
  if (rows.length > page || !current.more) return fromIndexHits(rows);
  // Cut short: the users of the weeks it went through, in scope; of the first, only those after the
  // cursor (a page that filled mid-week has counted the ones before it).
  const [first, ...others] = current.span as [SearchBucket, ...SearchBucket[]];
  const weekStart = searchBucketEnd(first.bucket - 1).created_at;
  const midWeek =
    start !== null && searchBucketOf(start.created_at) === first.bucket && (start.created_at !== weekStart || start.user_id !== '');
  // The count's LIMIT is a literal (a bound of the index scan even in a generic plan): a power of
  // two, so that weeks of any size share a few statement texts.
  const firstCount = midWeek
    ? Number(
        (
          await sql<{
            n: number;
          }>`SELECT ${countUpTo(sql`(${searchBucketEnd(first.bucket).created_at}::bigint, ''::text)`, 2 ** Math.ceil(Math.log2(first.users + 1)))} AS n`.execute(
            db,
          )
        ).rows[0]?.n ?? 0,
      )
    : first.inScope;
  return { rows, stoppedAt: searchBucketEnd(last.bucket), examined: firstCount + others.reduce((sum, w) => sum + w.inScope, 0) };
}
