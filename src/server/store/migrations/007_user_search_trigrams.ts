import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * PostgreSQL: how many users' search text holds each trigram, kept exact in the same transaction as
 * the user rows, so a search can ask the trigram index for the fragment's rarest trigrams and know
 * beforehand how many candidates that costs (src/server/admin/user-search-postgres.ts).
 *
 * Why a table of counts rather than statistics: pg_trgm keeps none per trigram, and the planner's
 * element statistics (CREATE STATISTICS on show_trgm(search_text), most_common_elems) are a 30,000-row
 * sample refreshed by ANALYZE that lists only the commonest ~1,000 trigrams: the trigrams a search
 * needs to tell apart (rare, or common but under 1% of users, like every three digits of a phone
 * number) are exactly the ones it leaves out, so it cannot bound what the index will cost. Exact
 * counts can, and a count of 0 means no user has that trigram at all.
 *
 * What it costs: one row per distinct trigram (a few thousand), and on writes: an INSERT or DELETE
 * of users adds or subtracts the counts once per statement (the bulk seed's 500-user inserts: one
 * grouped upsert each); a change of email, name or phone adjusts only the trigrams that changed; the
 * frequent updates of other columns (failed-code counts, enrolment) never fire it. Two transactions
 * that create users at the same moment wait for each other on the common trigrams' rows until the
 * first commits (user creation is rare next to searching; the upsert takes its rows in trigram order
 * so single-statement writers cannot deadlock).
 *
 * Only trigrams of three ASCII letters or digits are counted: those are the same in every database
 * locale (pg_trgm's word characters depend on it, and it stores other trigrams as hashes), and a
 * fragment's run of three of them is always one of the text's trigrams. Backfilling a million users
 * takes about a minute here.
 */
export function userSearchTrigramsSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`CREATE TABLE user_search_trigrams (trigram text PRIMARY KEY, users bigint NOT NULL)`.execute(db);
      // One definition of the searched text and its counted trigrams, for the triggers and the backfill.
      await sql`CREATE FUNCTION user_search_text(email text, name text, phone text) RETURNS text LANGUAGE sql IMMUTABLE
        AS $$ SELECT lower(email) || ' ' || lower(name) || ' ' || coalesce(phone, '') $$`.execute(db);
      await sql`CREATE FUNCTION user_search_trigrams_of(search_text text) RETURNS SETOF text LANGUAGE sql IMMUTABLE
        AS $$ SELECT t FROM unnest(show_trgm(search_text)) t WHERE t ~ '^[a-z0-9]{3}$' $$`.execute(db);
      /** Adds `delta` (trigram, change) pairs to the counts, in trigram order (see above: no deadlock between two statements). */
      const applyDelta = (delta: string) => `INSERT INTO user_search_trigrams AS c (trigram, users)
            SELECT t, d FROM (${delta}) delta(t, d) WHERE d <> 0 ORDER BY t
            ON CONFLICT (trigram) DO UPDATE SET users = c.users + EXCLUDED.users;`;

      // New users: their search rows (as the row trigger of migration 004 wrote them, now once per
      // statement) and their trigrams, grouped over the statement.
      await sql
        .raw(
          `CREATE FUNCTION user_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO user_search (user_id, tenant_id, created_at, search_text)
              SELECT id, tenant_id, created_at, user_search_text(email, name, phone) FROM added
              ON CONFLICT (user_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at, search_text = EXCLUDED.search_text;
            ${applyDelta(`SELECT t, count(*) FROM added, user_search_trigrams_of(user_search_text(email, name, phone)) t GROUP BY t`)}
            RETURN NULL;
          END $$`,
        )
        .execute(db);
      // Deleted users: their search rows go by the foreign key's cascade; their trigrams here.
      await sql
        .raw(
          `CREATE FUNCTION user_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            ${applyDelta(`SELECT t, -count(*) FROM removed, user_search_trigrams_of(user_search_text(email, name, phone)) t GROUP BY t`)}
            RETURN NULL;
          END $$`,
        )
        .execute(db);
      // A changed email, name, phone or tenant: the search row, and only the trigrams that differ.
      await sql
        .raw(
          `CREATE OR REPLACE FUNCTION user_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
          DECLARE
            old_text text := user_search_text(OLD.email, OLD.name, OLD.phone);
            new_text text := user_search_text(NEW.email, NEW.name, NEW.phone);
          BEGIN
            INSERT INTO user_search (user_id, tenant_id, created_at, search_text)
            VALUES (NEW.id, NEW.tenant_id, NEW.created_at, new_text)
            ON CONFLICT (user_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at, search_text = EXCLUDED.search_text;
            IF old_text IS DISTINCT FROM new_text THEN
              ${applyDelta(`SELECT t, sum(d) FROM (
                  SELECT t, -1 FROM user_search_trigrams_of(old_text) t UNION ALL SELECT t, 1 FROM user_search_trigrams_of(new_text) t
                ) x(t, d) GROUP BY t`)}
            END IF;
            RETURN NEW;
          END $$`,
        )
        .execute(db);
      await sql`DROP TRIGGER user_search_sync ON users`.execute(db);
      await sql`CREATE TRIGGER user_search_sync AFTER UPDATE OF email, name, phone, tenant_id ON users FOR EACH ROW EXECUTE FUNCTION user_search_sync()`.execute(
        db,
      );
      // Transition tables need one trigger per event (PostgreSQL's rule).
      await sql`CREATE TRIGGER user_search_added AFTER INSERT ON users REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION user_search_added()`.execute(
        db,
      );
      await sql`CREATE TRIGGER user_search_removed AFTER DELETE ON users REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION user_search_removed()`.execute(
        db,
      );

      await sql`INSERT INTO user_search_trigrams (trigram, users)
        SELECT t, count(*) FROM user_search, user_search_trigrams_of(search_text) t GROUP BY t`.execute(db);
    },
  };
}
