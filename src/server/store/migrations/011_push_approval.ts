import { sql, type Kysely, type Migration } from 'kysely';

const ms = 'bigint' as const;

/**
 * Push approval (factors/push/): devices with their public keys, single-use enrollments, the push
 * challenges a device answers, the nonces of signed device requests, and the per-user push lock.
 */
export function pushApprovalSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('push_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        /** The P-256 public key as a JWK; the private key never left the device. */
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        /** RFC 7638 thumbprint: one key, one device. */
        .addColumn('jkt', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('activated_at', ms)
        .addColumn('last_used_at', ms)
        .addColumn('suspended_at', ms)
        .addColumn('revoked_at', ms)
        /** A Web Push subscription (JSON), or null: the device polls. */
        .addColumn('subscription', 'text')
        /** Set when the push service answered 404/410: the subscription is dropped, the device polls. */
        .addColumn('subscription_stale_at', ms)
        .execute();
      await db.schema.createIndex('push_devices_user').on('push_devices').columns(['user_id', 'state']).execute();

      await db.schema
        .createTable('push_enrollments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        /** sha256 of the secret the link carries in its fragment. */
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        /** The test approval's code, sealed (shown where the enrollment started, typed on the device). */
        .addColumn('test_code_enc', 'text', (c) => c.notNull())
        .addColumn('started_by_type', 'text', (c) => c.notNull())
        .addColumn('started_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .addColumn('device_id', 'text')
        .execute();
      await db.schema.createIndex('push_enrollments_user').on('push_enrollments').column('user_id').execute();

      await db.schema
        .createTable('push_challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        /** sign_in: a sign-in or step-up challenge (`challenge_id`); device_test: a new device's first approval. */
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('challenge_id', 'text')
        /** device_test: the one device that may answer; sign_in: null (any active device of the user). */
        .addColumn('device_id', 'text')
        .addColumn('nonce', 'text', (c) => c.notNull())
        /** The code shown on the sign-in screen, sealed: a resend shows the same code again. */
        .addColumn('code_enc', 'text', (c) => c.notNull())
        /** The JSON context the device shows (and signs the hash of). */
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('last_sent_at', ms, (c) => c.notNull())
        .addColumn('answered_at', ms)
        .addColumn('answered_by', 'text')
        .execute();
      await db.schema.createIndex('push_challenges_challenge').on('push_challenges').column('challenge_id').execute();
      await db.schema.createIndex('push_challenges_user').on('push_challenges').columns(['user_id', 'state']).execute();
      // One pending sign-in push per user (push bombing: the Keycloak push-mfa extension's maxPendingChallenges=1).
      await sql`CREATE UNIQUE INDEX push_challenges_one_pending ON push_challenges (user_id)
        WHERE state = 'pending' AND kind = 'sign_in'`.execute(db);

      await db.schema
        .createTable('push_request_nonces')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('seen_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('push_request_nonces_pk', ['device_id', 'nonce'])
        .execute();
      await db.schema.createIndex('push_request_nonces_seen').on('push_request_nonces').column('seen_at').execute();

      await db.schema
        .alterTable('users')
        .addColumn('push_wrong_codes', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('users').addColumn('push_locked_at', ms).execute();
      await db.schema.alterTable('users').addColumn('push_locked_until', ms).execute();
    },
  };
}
