import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

/**
 * End-user password throttling (policy/password-throttle.ts) and the per-tenant windows of failed
 * sign-ins (policy/sign-in-failures.ts) that aggregate the audit trail and raise the
 * credential-stuffing alarm.
 */
export function signInThrottleSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('password_failures')
        // "a:<tenant>:<sha256(email)>" (unrecognised places), "t:<user>:<ip>" (a trusted IP),
        // "d:<device>" (a remembered device), "c:<user>" (the current-password check of a change).
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('next_allowed_at', ms, (c) => c.notNull())
        .addColumn('last_failure_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('password_failures_user').on('password_failures').column('user_id').execute();
      await db.schema.createIndex('password_failures_last').on('password_failures').column('last_failure_at').execute();

      await db.schema
        .createTable('sign_in_failure_windows')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('window_start', ms, (c) => c.notNull())
        /** Wrong passwords that were checked. */
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        /** Attempts refused unchecked by a throttle (429). */
        .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
        /** Accounts (by email, known or not) whose run of failures started in this window. */
        .addColumn('accounts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('alarmed_at', ms)
        .addPrimaryKeyConstraint('sign_in_failure_windows_pk', ['tenant_id', 'window_start'])
        .execute();
      await db.schema.createIndex('sign_in_failure_windows_alarm').on('sign_in_failure_windows').columns(['alarmed_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sign_in_failure_windows').execute();
      await db.schema.dropTable('password_failures').execute();
    },
  };
}
