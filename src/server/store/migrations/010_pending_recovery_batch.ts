import { sql, type Kysely, type Migration } from 'kysely';

/**
 * One place for a pending recovery-code batch: the users row. Until now an authenticator app kept the
 * batch issued at its confirmation on its own row (`totp_factors.recovery_batch_id`) and a phone kept
 * its batch on the user (`users.pending_recovery_batch_id`), and enrollment's completion knew both.
 * Now every factor's confirmation issues its batch to `users.pending_recovery_batch_id`, and
 * `pending_recovery_factor` says which confirmation it came from ('totp' | 'sms'): the phone path may
 * complete only on a batch its own confirmation issued (a phone typed in by an administrator is not
 * verified by the user until then).
 *
 * Existing rows: a pending phone batch is marked 'sms'; a confirmed app's batch moves over and wins,
 * as completion chose the app's batch before.
 */
export function pendingRecoveryBatchSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('pending_recovery_factor', 'text').execute();
      await sql`UPDATE users SET pending_recovery_factor = 'sms' WHERE pending_recovery_batch_id IS NOT NULL`.execute(db);
      const confirmedAppBatch = sql`(SELECT f.recovery_batch_id FROM totp_factors f
        WHERE f.user_id = users.id AND f.status = 'confirmed' AND f.recovery_batch_id IS NOT NULL
        ORDER BY f.created_at DESC LIMIT 1)`;
      await sql`UPDATE users SET pending_recovery_batch_id = ${confirmedAppBatch}, pending_recovery_factor = 'totp'
        WHERE ${confirmedAppBatch} IS NOT NULL`.execute(db);
      await db.schema.alterTable('totp_factors').dropColumn('recovery_batch_id').execute();
    },
  };
}
