import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

/** The phone factor (seed 003): SMS codes, daily counters, trusted IPs, reset links, the message outbox. */
export function phoneFactorSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('pending_recovery_batch_id', 'text').execute();

      await db.schema
        .createTable('sms_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('challenge_id', 'text')
        .addColumn('reset_link_id', 'text')
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('code_mac', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('consumed_at', ms)
        .execute();
      await db.schema.createIndex('sms_codes_user').on('sms_codes').columns(['user_id', 'purpose', 'created_at']).execute();
      await db.schema.createIndex('sms_codes_challenge').on('sms_codes').column('challenge_id').execute();

      await db.schema
        .createTable('sms_counters')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('sms_counters_pk', ['user_id', 'kind', 'day'])
        .execute();

      await db.schema
        .createTable('trusted_ips')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('trusted_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('trusted_ips_pk', ['user_id', 'ip'])
        .execute();

      await db.schema
        .createTable('phone_reset_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute();
      await db.schema.createIndex('phone_reset_links_user').on('phone_reset_links').column('user_id').execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', ms, (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('sent_at', ms)
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('messages_due').on('messages').columns(['status', 'next_attempt_at']).execute();
    },
  };
}
