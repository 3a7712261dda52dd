import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { TenantPolicy } from '../../../shared/policy.js';
import { DAY, MINUTE } from '../../clock.js';
import {
  EXHAUSTED_WAIT,
  SHORT_RUN,
  SHORT_RUN_DAYS,
  throttleKeys,
  waitAfterFailures,
  isExhausted,
  type ThrottleKey,
} from '../../policy/password-throttle.js';
import type { Database } from '../schema.js';

/** The runs of wrong passwords (policy/password-throttle.ts decides what they mean), one row per place. */

/**
 * `waitAfterFailures(failures + 1)` as SQL over the row's current count, so the decision and the new
 * wait are one statement. The schedule saturates after a handful of steps, so the CASE stays short;
 * its values are integers computed here, inlined so the statement text is stable per policy.
 */
function waitAfterNextFailureSql(policy: TenantPolicy): RawBuilder<number> {
  const cap = policy.passwordMaxDelayMinutes * MINUTE;
  const branches: RawBuilder<unknown>[] = [
    sql`WHEN password_failures.failures + 1 >= ${sql.lit(policy.passwordMaxFailures)} THEN ${sql.lit(EXHAUSTED_WAIT)}`,
    sql`WHEN password_failures.failures + 1 < ${sql.lit(policy.passwordFreeFailures)} THEN 0`,
  ];
  for (let n = policy.passwordFreeFailures; n < policy.passwordMaxFailures && waitAfterFailures(n, policy) < cap; n++) {
    branches.push(sql`WHEN password_failures.failures + 1 = ${sql.lit(n)} THEN ${sql.lit(waitAfterFailures(n, policy))}`);
  }
  return sql<number>`CASE ${sql.join(branches, sql` `)} ELSE ${sql.lit(cap)} END`;
}

export type Charge = { allowed: true; priorFailures: number } | { allowed: false; retryAfterMs: number; exhausted: boolean };

/** Takes one try for `key`: allowed unless the key waits or has used all its tries. */
export async function chargePasswordTry(db: Kysely<Database>, key: ThrottleKey, policy: TenantPolicy, now: number): Promise<Charge> {
  const row = await db
    .insertInto('password_failures')
    .values({
      key: key.key,
      tenant_id: key.tenantId,
      user_id: key.userId,
      failures: 1,
      next_allowed_at: now + waitAfterFailures(1, policy),
      last_failure_at: now,
    })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          failures: sql<number>`password_failures.failures + 1`,
          next_allowed_at: sql<number>`${now} + ${waitAfterNextFailureSql(policy)}`,
          last_failure_at: now,
        })
        .where('password_failures.failures', '<', policy.passwordMaxFailures)
        .where('password_failures.next_allowed_at', '<=', now),
    )
    .returning('failures')
    .executeTakeFirst();
  if (row) return { allowed: true, priorFailures: Number(row.failures) - 1 };
  const current = await db
    .selectFrom('password_failures')
    .select(['failures', 'next_allowed_at'])
    .where('key', '=', key.key)
    .executeTakeFirst();
  const exhausted =
    current !== undefined &&
    isExhausted({ failures: Number(current.failures), nextAllowedAt: Number(current.next_allowed_at) }, policy, now);
  // An exhausted place gets the longest wait as its Retry-After, and a message that says waiting is
  // not what will help.
  const retryAfterMs =
    !current || exhausted ? policy.passwordMaxDelayMinutes * MINUTE : Math.max(1000, Number(current.next_allowed_at) - now);
  return { allowed: false, retryAfterMs, exhausted };
}

/**
 * Gives back the charge of a try whose password was right: the count and the wait that charge set
 * (the try was let in, so the run's wait had run out by `now`). The run itself stays.
 */
export async function refundPasswordTry(db: Kysely<Database>, key: ThrottleKey, priorFailures: number, now: number): Promise<void> {
  // The common case, no run before this try, is one statement.
  if (priorFailures === 0) {
    const gone = await db.deleteFrom('password_failures').where('key', '=', key.key).where('failures', '<=', 1).executeTakeFirst();
    if (gone.numDeletedRows > 0n) return;
  }
  await db
    .updateTable('password_failures')
    .set({
      failures: sql<number>`failures - 1`,
      next_allowed_at: sql<number>`CASE WHEN next_allowed_at > ${now} THEN ${now} ELSE next_allowed_at END`,
    })
    .where('key', '=', key.key)
    .where('failures', '>', 0)
    .execute();
  await db.deleteFrom('password_failures').where('key', '=', key.key).where('failures', '<=', 0).execute();
}

/** Every run of a user's: its recognised places (by user id) and the email's, made before the account had one. */
function ofUser(tenantId: string, userId: string, email: string) {
  return (eb: ExpressionBuilder<Database, 'password_failures'>) =>
    eb.or([eb('user_id', '=', userId), eb('key', '=', throttleKeys.unrecognised(tenantId, email, userId).key)]);
}

/** Runs of the user's that wait or are exhausted now: what support's unlock lifts. */
export async function userHasWaitingRuns(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  email: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('password_failures')
    .select('key')
    .where(ofUser(tenantId, userId, email))
    .where('next_allowed_at', '>', now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Wrong passwords the user's runs hold right now, over all places (the email's included). */
export async function userPasswordFailures(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('password_failures')
    .select((eb) => eb.fn.sum<number>('failures').as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * A completed sign-in (or support's unlock) ends every run of the user's: recognised places and the
 * email's. Runs are "consecutive failures" (NIST SP 800-63B-4 3.2.2), and a success ends them.
 */
export async function clearUserPasswordFailures(db: Kysely<Database>, tenantId: string, userId: string, email: string): Promise<number> {
  const result = await db
    .deleteFrom('password_failures')
    .where(ofUser(tenantId, userId, email))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface PasswordRun {
  failures: number;
  nextAllowedAt: number;
}

/**
 * Every run of the user's by its key (`throttleKeys`): what their next sign-in meets at each place.
 * Support reads them to tell which places a next try is refused at, waits at, or asks the code at.
 */
export async function userPasswordRuns(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  email: string,
): Promise<Map<string, PasswordRun>> {
  const rows = await db
    .selectFrom('password_failures')
    .select(['key', 'failures', 'next_allowed_at'])
    .where(ofUser(tenantId, userId, email))
    .execute();
  return new Map(rows.map((r) => [r.key, { failures: Number(r.failures), nextAllowedAt: Number(r.next_allowed_at) }]));
}

/** The user's longest running run, for support: how many wrong passwords, and until when the next try waits. */
export async function passwordFailuresOf(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  email: string,
): Promise<{ failures: number; nextAllowedAt: number } | null> {
  const row = await db
    .selectFrom('password_failures')
    .select(['failures', 'next_allowed_at'])
    .where(ofUser(tenantId, userId, email))
    .orderBy('failures', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { failures: Number(row.failures), nextAllowedAt: Number(row.next_allowed_at) } : null;
}

/**
 * Runs of a few failures, quiet for a month, are dropped: credential stuffing with made-up emails
 * (one try each) must not leave its rows forever. Longer runs stay until a completed sign-in or
 * support's unlock (NIST counts consecutive failures; forgetting them would hand a patient attacker
 * a fresh budget every month). One rule for every key, with or without an account: a rule that told
 * the two apart would let anyone learn which emails exist by waiting.
 */
export async function prunePasswordFailures(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .deleteFrom('password_failures')
    .where('failures', '<', SHORT_RUN)
    .where('last_failure_at', '<', now - SHORT_RUN_DAYS * DAY)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
