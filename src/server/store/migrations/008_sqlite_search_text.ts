import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * SQLite: the text a short fragment is looked for in, one narrow row per user (rowid = the user's
 * rowid), kept in step with users by triggers. Fragments of one or two characters have no trigram for
 * FTS5 (migration 003) and walk users in rowid order; reading whole user rows (password hash and all)
 * and lower-casing and joining three columns per row cost 9-10 ms per 10,000 users on the 2-core VM,
 * this table 2.5-4 ms (bench/admin-search). PostgreSQL has its own narrow table (migration 004).
 */
export function sqliteSearchTextSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      const text = (row: 'new' | 'u') => sql.raw(`lower(${row}.email) || ' ' || lower(${row}.name) || ' ' || coalesce(${row}.phone, '')`);
      await sql`CREATE TABLE users_search_text (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, search_text TEXT NOT NULL)`.execute(db);
      await sql`CREATE TRIGGER users_search_text_insert AFTER INSERT ON users BEGIN
        INSERT INTO users_search_text (seq, tenant_id, search_text) VALUES (new.rowid, new.tenant_id, ${text('new')});
      END`.execute(db);
      await sql`CREATE TRIGGER users_search_text_update AFTER UPDATE OF email, name, phone, tenant_id ON users BEGIN
        UPDATE users_search_text SET tenant_id = new.tenant_id, search_text = ${text('new')} WHERE seq = new.rowid;
      END`.execute(db);
      await sql`CREATE TRIGGER users_search_text_delete AFTER DELETE ON users BEGIN
        DELETE FROM users_search_text WHERE seq = old.rowid;
      END`.execute(db);
      await sql`INSERT INTO users_search_text (seq, tenant_id, search_text) SELECT u.rowid, u.tenant_id, ${text('u')} FROM users u`.execute(
        db,
      );
    },
  };
}
