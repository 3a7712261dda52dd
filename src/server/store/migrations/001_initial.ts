import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

const ms = 'bigint' as const;

export function initialSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('password_changed_at', ms, (c) => c.notNull())
        .addColumn('mfa_enrolled_at', ms)
        .addColumn('recovery_batch_id', 'text')
        .addColumn('failed_code_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addUniqueConstraint('users_tenant_email', ['tenant_id', 'email'])
        .execute();

      await db.schema
        .createTable('totp_factors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_used_step', ms)
        .addColumn('recovery_batch_id', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('activated_at', ms)
        .execute();
      await db.schema.createIndex('totp_factors_user').on('totp_factors').column('user_id').execute();

      await db.schema
        .createTable('recovery_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('batch_id', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('used_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recovery_codes_user_hash').on('recovery_codes').columns(['user_id', 'code_hash']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('second_factor_at', ms)
        .addColumn('revoked_at', ms)
        .addColumn('ip', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('session_scopes')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('granted_until', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('session_scopes_pk', ['session_id', 'scope'])
        .execute();

      await db.schema
        .createTable('challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('scope', 'text')
        .addColumn('session_id', 'text')
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('consumed_at', ms)
        .execute();
      await db.schema.createIndex('challenges_user').on('challenges').column('user_id').execute();

      await db.schema
        .createTable('trusted_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('last_used_at', ms)
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .execute();
      await db.schema.createIndex('trusted_devices_user').on('trusted_devices').column('user_id').execute();

      await db.schema
        .createTable('lockouts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('since', ms, (c) => c.notNull())
        .addColumn('until', ms, (c) => c.notNull())
        .addColumn('lifted_at', ms)
        .addColumn('lifted_by', 'text')
        .execute();
      await db.schema.createIndex('lockouts_user').on('lockouts').columns(['user_id', 'until']).execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', ms, (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_user_at').on('audit_events').columns(['user_id', 'at']).execute();
      await db.schema.createIndex('audit_events_tenant_at').on('audit_events').columns(['tenant_id', 'at']).execute();

      // The audit trail is append-only in the database itself, not only by convention in the code.
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
          BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql`.execute(db);
        await sql`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
      }
    },
  };
}
