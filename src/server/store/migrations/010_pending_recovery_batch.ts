import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * One place for a pending recovery-code batch: the users row. Until now an authenticator app kept the
 * batch issued at its confirmation on its own row (`totp_factors.recovery_batch_id`) and a phone kept
 * its batch on the user (`users.pending_recovery_batch_id`), and enrollment's completion knew both.
 * Now every factor's confirmation issues its batch to `users.pending_recovery_batch_id`, and
 * `pending_recovery_factor` says which confirmation it came from ('totp' | 'sms'): the phone path may
 * complete only on a batch its own confirmation issued (a phone typed in by an administrator is not
 * verified by the user until then). The codes shown last are the ones that go live.
 *
 * Existing rows: a pending phone batch is marked 'sms'; a confirmed app's batch moves over, unless
 * the phone's was issued after it. `totp_factors.recovery_batch_id` is no longer read or written; it
 * is dropped in a later release, so that instances of this release and the one before can share a
 * PostgreSQL database during a rolling upgrade. Each step may run again (SQLite runs DDL outside a
 * transaction here: a migration cut off half way must not fail on its second start).
 */
export function pendingRecoveryBatchSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (!(await hasColumn(db, dialect, 'users', 'pending_recovery_factor'))) {
        await db.schema.alterTable('users').addColumn('pending_recovery_factor', 'text').execute();
      }
      await sql`UPDATE users SET pending_recovery_factor = 'sms'
        WHERE pending_recovery_batch_id IS NOT NULL AND pending_recovery_factor IS NULL`.execute(db);
      const appBatch = sql`(SELECT f.recovery_batch_id FROM totp_factors f
        WHERE f.user_id = users.id AND f.status = 'confirmed' AND f.recovery_batch_id IS NOT NULL
        ORDER BY f.created_at DESC LIMIT 1)`;
      const issuedAt = (batch: unknown) => sql`(SELECT max(c.created_at) FROM recovery_codes c WHERE c.batch_id = ${batch})`;
      await sql`UPDATE users SET pending_recovery_batch_id = ${appBatch}, pending_recovery_factor = 'totp'
        WHERE id IN (SELECT user_id FROM totp_factors WHERE status = 'confirmed' AND recovery_batch_id IS NOT NULL)
          AND (pending_recovery_batch_id IS NULL OR ${issuedAt(appBatch)} >= ${issuedAt(sql.ref('users.pending_recovery_batch_id'))})`.execute(
        db,
      );
    },
  };
}

async function hasColumn(db: Kysely<unknown>, dialect: Dialect, table: string, column: string): Promise<boolean> {
  const rows =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}) WHERE name = ${column}`.execute(db)
      : await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  return rows.rows.length > 0;
}
