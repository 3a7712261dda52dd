import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The width of a search bucket: a week of account creation, read by src/server/admin/user-search-buckets.ts
 * too (a test checks SQL and TypeScript put a time in the same week); changing it means a new
 * migration that rebuilds the index.
 */
export const SEARCH_BUCKET_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * PostgreSQL: a trigram index in creation order, as SQLite's FTS5 has one. pg_trgm's index answers
 * "which rows hold these trigrams" for the whole table at once, so a fragment whose trigrams are each
 * common but rare together (phone digits "4560": each of 456 and 560 is in 1% of users, both in
 * 0.1%) either costs every candidate in the table or a walk that stops at its bound with "searched
 * 5,000 so far". Here every counted trigram of a user (migration 007's) is keyed with the week the
 * account was created ("2813:456"), so the index lists a week's holders at a time: a search asks
 * week after week, in creation order, and stops as soon as its page is full (bench/admin-search:
 * 0.02 ms a week without hits, about 1 ms for a page of "8033" that the walk cut short).
 *
 * user_search_bucket_sizes keeps how many users each tenant has per week, exact by triggers on
 * user_search (as migration 007 keeps trigram counts): the search plans how many weeks a request may
 * cover from them, and says how many users a page cut short went through.
 *
 * Creation times never change, so a user's week is fixed; weeks are uneven (an import of 100,000
 * users in one day is one big week), which the plan sees in the sizes. Building the index on a
 * million users takes about two minutes here.
 */
export function postgresSearchBucketsSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      // Floor division, as Math.floor in TypeScript (bigint division truncates toward zero).
      await sql
        .raw(
          `CREATE FUNCTION user_search_bucket(created_at bigint) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT floor(created_at::float8 / ${SEARCH_BUCKET_MS})::integer $$`,
        )
        .execute(db);
      // Dear (a trigram split and a sort per row), and said so: on a small table the planner would
      // otherwise compute it for every row (a sequential scan) instead of asking the index. Its own
      // search_path: PostgreSQL 17 builds and analyzes indexes, and pg_restore runs, with a
      // search_path that would not find the functions and pg_trgm it calls.
      await sql`CREATE FUNCTION user_search_bucket_keys(created_at bigint, search_text text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000
        SET search_path FROM CURRENT
        AS $$ SELECT coalesce(array_agg(DISTINCT user_search_bucket(created_at)::text || ':' || t), '{}') FROM user_search_trigrams_of(search_text) t $$`.execute(
        db,
      );

      await sql`CREATE TABLE user_search_bucket_sizes (bucket integer NOT NULL, tenant_id text NOT NULL, users bigint NOT NULL, PRIMARY KEY (bucket, tenant_id))`.execute(
        db,
      );
      /** Adds `delta` (bucket, tenant, change) rows to the sizes, in key order (two writers cannot deadlock). */
      const applyDelta = (delta: string) => `INSERT INTO user_search_bucket_sizes AS c (bucket, tenant_id, users)
            SELECT b, t, d FROM (${delta}) delta(b, t, d) WHERE d <> 0 ORDER BY b, t
            ON CONFLICT (bucket, tenant_id) DO UPDATE SET users = c.users + EXCLUDED.users;`;
      const grouped = (table: string, sign: '' | '-') =>
        `SELECT user_search_bucket(created_at), tenant_id, ${sign}count(*) FROM ${table} GROUP BY 1, 2`;
      await sql
        .raw(
          `CREATE FUNCTION user_search_bucket_added() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN ${applyDelta(grouped('added', ''))} RETURN NULL; END $$`,
        )
        .execute(db);
      await sql
        .raw(
          `CREATE FUNCTION user_search_bucket_removed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN ${applyDelta(grouped('removed', '-'))} RETURN NULL; END $$`,
        )
        .execute(db);
      // Every change of a user's email, name or phone rewrites its search row (migration 007's sync):
      // only a changed tenant moves a count, and the other rows cancel out.
      await sql
        .raw(
          `CREATE FUNCTION user_search_bucket_changed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            ${applyDelta(`SELECT b, t, sum(d) FROM (
                SELECT user_search_bucket(created_at), tenant_id, -1 FROM before_change
                UNION ALL SELECT user_search_bucket(created_at), tenant_id, 1 FROM after_change
              ) x(b, t, d) GROUP BY b, t`)}
            RETURN NULL;
          END $$`,
        )
        .execute(db);
      // Transition tables need one trigger per event, and no column list (PostgreSQL's rules).
      await sql`CREATE TRIGGER user_search_bucket_added AFTER INSERT ON user_search REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION user_search_bucket_added()`.execute(
        db,
      );
      await sql`CREATE TRIGGER user_search_bucket_removed AFTER DELETE ON user_search REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION user_search_bucket_removed()`.execute(
        db,
      );
      await sql`CREATE TRIGGER user_search_bucket_changed AFTER UPDATE ON user_search REFERENCING OLD TABLE AS before_change NEW TABLE AS after_change FOR EACH STATEMENT EXECUTE FUNCTION user_search_bucket_changed()`.execute(
        db,
      );

      await sql.raw(`INSERT INTO user_search_bucket_sizes (bucket, tenant_id, users) ${grouped('user_search', '')}`).execute(db);
      await sql`CREATE INDEX user_search_bucket_trgm ON user_search USING gin (user_search_bucket_keys(created_at, search_text))`.execute(
        db,
      );
    },
  };
}
