import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

const ms = 'bigint' as const;

/** Operators of the admin API (console), their tokens, sign-in rate limits, and user search indexes. */
export function operatorsAndSearchSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('operators')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('totp_secret_enc', 'text', (c) => c.notNull())
        .addColumn('totp_last_step', ms)
        .addColumn('disabled_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('operator_tenants')
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addPrimaryKeyConstraint('operator_tenants_pk', ['operator_id', 'tenant_id'])
        .execute();

      await db.schema
        .createTable('operator_password_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute();

      await db.schema
        .createTable('operator_refresh_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .addColumn('revoked_at', ms)
        .execute();
      await db.schema.createIndex('operator_refresh_family').on('operator_refresh_tokens').column('family_id').execute();

      await db.schema
        .createTable('operator_access_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('operator_access_family').on('operator_access_tokens').column('family_id').execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('window_start', ms, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limits_pk', ['key', 'window_start'])
        .execute();

      // Search: exact paths for a full email or phone, and substring search over email, name, phone.
      await db.schema
        .alterTable('users')
        .addColumn('shared_mailbox', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('users_email').on('users').column('email').execute();
      await db.schema.createIndex('users_phone').on('users').column('phone').execute();
      // Search results come in account-creation order, (created_at, id): stable for cursors, and not
      // correlated with names, so walking it finds the matches of a common fragment early.
      await db.schema.createIndex('users_created_id').on('users').columns(['created_at', 'id']).execute();
      // The console's filters walk these small partial indexes in result order instead of the whole table.
      await db.schema
        .createIndex('users_disabled')
        .on('users')
        .columns(['created_at', 'id'])
        .where(sql.ref('disabled_at'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('users_shared')
        .on('users')
        .columns(['created_at', 'id'])
        .where(sql.ref('shared_mailbox'), '=', 1)
        .execute();
      await db.schema
        .createIndex('users_no_mfa')
        .on('users')
        .columns(['created_at', 'id'])
        .where(sql.ref('mfa_enrolled_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('lockouts_active')
        .on('lockouts')
        .columns(['until', 'user_id'])
        .where(sql.ref('lifted_at'), 'is', null)
        .execute();
      if (dialect === 'postgres') {
        await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
        await sql`CREATE INDEX users_search_trgm ON users USING gin ((lower(email) || ' ' || lower(name) || ' ' || coalesce(phone, '')) gin_trgm_ops)`.execute(
          db,
        );
      } else {
        // FTS5 with the trigram tokenizer: substring MATCH for fragments of 3+ characters, kept in
        // step with users by triggers (an external-content table over users' rowid).
        await sql`CREATE VIRTUAL TABLE users_search USING fts5(email, name, phone, content='users', content_rowid='rowid', tokenize='trigram')`.execute(
          db,
        );
        await sql`CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
          INSERT INTO users_search(rowid, email, name, phone) VALUES (new.rowid, new.email, new.name, coalesce(new.phone, ''));
        END`.execute(db);
        await sql`CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
          INSERT INTO users_search(users_search, rowid, email, name, phone) VALUES ('delete', old.rowid, old.email, old.name, coalesce(old.phone, ''));
        END`.execute(db);
        await sql`CREATE TRIGGER users_search_update AFTER UPDATE OF email, name, phone ON users BEGIN
          INSERT INTO users_search(users_search, rowid, email, name, phone) VALUES ('delete', old.rowid, old.email, old.name, coalesce(old.phone, ''));
          INSERT INTO users_search(rowid, email, name, phone) VALUES (new.rowid, new.email, new.name, coalesce(new.phone, ''));
        END`.execute(db);
        await sql`INSERT INTO users_search(users_search) VALUES ('rebuild')`.execute(db);
      }
    },
  };
}
