import { sql, type Kysely, type Migration } from 'kysely';

const ms = 'bigint' as const;

/**
 * The tenant admin's tools: an operator's verdict on whether an account is shared, a shared
 * account's scheduled end, break-ups (one per idempotency key) with their people, the invitations
 * that start each personal account, and printed enrollment sheets.
 */
export function tenantAdminSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('users')
        /** 'shared' (an operator flagged it) or 'not_shared' (an operator said so: the signs are ignored); null: the signs decide. */
        .addColumn('shared_verdict', 'text')
        .execute();
      await db.schema.alterTable('users').addColumn('shared_verdict_at', ms).execute();
      await db.schema.alterTable('users').addColumn('shared_verdict_by', 'text').execute();
      await db.schema.alterTable('users').addColumn('shared_verdict_note', 'text').execute();
      /** The account is disabled from this time on (a break-up's chosen date); `disabled_at` is set when it passes. */
      await db.schema.alterTable('users').addColumn('disable_at', ms).execute();
      await db.schema.createIndex('users_disable_at').on('users').column('disable_at').execute();
      // The signs of a shared account: a week of successful sign-ins, across the operator's tenants.
      await db.schema.createIndex('audit_events_action_at').on('audit_events').columns(['action', 'at']).execute();

      await db.schema
        .createTable('breakups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('shared_user_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        /** sha256 of the people and the date asked for: the same key with other people is refused. */
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('operator_id', 'text', (c) => c.notNull())
        .addColumn('operator_email', 'text', (c) => c.notNull())
        .addColumn('ticket', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        /** Null: the shared account is disabled at once, once every person's account exists. */
        .addColumn('disable_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('completed_at', ms)
        .addUniqueConstraint('breakups_key', ['tenant_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('breakups_shared_user').on('breakups').columns(['shared_user_id', 'created_at']).execute();
      // One break-up under way per shared account: two admins starting at once cannot both record one.
      await sql`CREATE UNIQUE INDEX breakups_one_under_way ON breakups (shared_user_id) WHERE completed_at IS NULL`.execute(db);

      await db.schema
        .createTable('breakup_members')
        .addColumn('breakup_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        /** E.164, proposed by the admin: the person confirms it by SMS when they enrol. */
        .addColumn('phone', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        /** pending | created | failed */
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('error', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('breakup_members_pk', ['breakup_id', 'position'])
        .execute();

      await db.schema
        .createTable('invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        /** sha256 of the token the emailed link carries in its fragment. */
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('proposed_phone', 'text')
        .addColumn('breakup_id', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute();
      await db.schema.createIndex('invitations_user').on('invitations').column('user_id').execute();

      await db.schema
        .createTable('enrollment_sheets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('batch_id', 'text', (c) => c.notNull())
        /** The app's key, sealed to the user (as totp_factors.secret_enc); it becomes the factor when a code from it is typed. */
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .addColumn('voided_at', ms)
        .addColumn('voided_by', 'text')
        /** A newer sheet for the same user took its place. */
        .addColumn('replaced_at', ms)
        .execute();
      await db.schema.createIndex('enrollment_sheets_user').on('enrollment_sheets').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('enrollment_sheets_tenant').on('enrollment_sheets').columns(['tenant_id', 'created_at']).execute();
    },
  };
}
