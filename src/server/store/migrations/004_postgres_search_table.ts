import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * PostgreSQL: user search gets a narrow table of its own, kept in step with users by a trigger: the
 * user's id, tenant, creation time and the one lower-cased text a fragment is looked for in. Walking
 * users in creation order then reads a few dozen bytes per user from one index (an index-only scan
 * over (created_at, user_id) INCLUDE (tenant_id, search_text)) instead of whole user rows, and the
 * trigram index's rechecks read the narrow rows. On a million users the whole of it stays in memory.
 * SQLite has its FTS5 trigram table (migration 003) and needs nothing here.
 */
export function postgresSearchTableSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`CREATE TABLE user_search (
        user_id text PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        created_at bigint NOT NULL,
        search_text text NOT NULL
      )`.execute(db);
      await sql`CREATE FUNCTION user_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO user_search (user_id, tenant_id, created_at, search_text)
          VALUES (NEW.id, NEW.tenant_id, NEW.created_at, lower(NEW.email) || ' ' || lower(NEW.name) || ' ' || coalesce(NEW.phone, ''))
          ON CONFLICT (user_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at, search_text = EXCLUDED.search_text;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER user_search_sync AFTER INSERT OR UPDATE OF email, name, phone, tenant_id ON users
        FOR EACH ROW EXECUTE FUNCTION user_search_sync()`.execute(db);
      await sql`INSERT INTO user_search (user_id, tenant_id, created_at, search_text)
        SELECT id, tenant_id, created_at, lower(email) || ' ' || lower(name) || ' ' || coalesce(phone, '') FROM users`.execute(db);
      await sql`CREATE INDEX user_search_walk ON user_search (created_at, user_id) INCLUDE (tenant_id, search_text)`.execute(db);
      await sql`CREATE INDEX user_search_trgm ON user_search USING gin (search_text gin_trgm_ops)`.execute(db);
      await sql`DROP INDEX users_search_trgm`.execute(db);
    },
  };
}
