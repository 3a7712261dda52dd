import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { TenantPolicy } from '../../shared/policy.js';
import { ApiError } from '../api-error.js';
import { DAY, MINUTE } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';
import type { Database } from '../store/schema.js';
import { ipBucket } from './ip-bucket.js';
import { hitRateLimit, refundRateLimit } from '../store/repositories/rate-limits.js';

/**
 * End-user password throttling, as NIST SP 800-63B-4 3.2.2 and OWASP's Authentication Cheat Sheet
 * describe it: no hard lockout that an attacker could use against the real user, but a run of wrong
 * passwords makes every further try wait longer (1 s, 2 s, 4 s, ... up to `passwordMaxDelayMinutes`),
 * and after `passwordMaxFailures` the place stops being allowed to try at all.
 *
 * A run is counted per place ("key"): every place the account does not recognise shares one key,
 * made from the email (so an email without an account behaves exactly like one with an account,
 * except to someone at one of the account's trusted IPs, where its own run counts), while each
 * trusted IP and each remembered device of the user has its own. An attacker elsewhere therefore
 * cannot shut the real user out of their remembered device or their office IP. On top, each
 * IP may make `passwordFailuresPerIp` wrong tries against a tenant's accounts in 15
 * minutes (trusted IPs included: an IP is shared by whoever is behind it), which is what bounds
 * spraying one password over many accounts.
 *
 * A try is charged before the password is checked (one conditional upsert decides it), so concurrent
 * requests cannot slip past a limit; a right password gives that one charge back, but the run itself
 * ends only with a completed sign-in (`endPasswordRuns`: the second factor answered, or a recognised
 * place let in), never at a right password alone: else a guessed password sent twice would find
 * the run gone and skip the second factor on a trusted IP. Tries still in flight count as failures
 * until they are answered, so more than `passwordFreeFailures` simultaneous sign-ins of one account
 * from one place wait like a guesser would.
 */

export interface ThrottleKey {
  key: string;
  tenantId: string;
  userId: string | null;
}

export const throttleKeys = {
  /** Places the account does not recognise: one run per email, whether an account has it or not. */
  unrecognised: (tenantId: string, email: string, userId: string | null): ThrottleKey => ({
    key: `a:${tenantId}:${sha256Hex(email.toLowerCase())}`,
    tenantId,
    userId,
  }),
  trustedIp: (tenantId: string, userId: string, ip: string): ThrottleKey => ({ key: `t:${userId}:${ip}`, tenantId, userId }),
  device: (tenantId: string, userId: string, deviceId: string): ThrottleKey => ({ key: `d:${deviceId}`, tenantId, userId }),
  /** The current-password check of a password change, made with a session. */
  passwordChange: (tenantId: string, userId: string): ThrottleKey => ({ key: `c:${userId}`, tenantId, userId }),
};

/** The per-IP window. */
export const IP_WINDOW = 15 * MINUTE;

/**
 * The wait of a place that has used all its tries: a century, i.e. until the user completes a sign-in
 * from a recognised place or support unlocks. Stored as a time, so "exhausted" reads back without
 * the policy (`exhaustedAfter`).
 */
const EXHAUSTED_WAIT = 100 * 365 * DAY;

/**
 * Whether a run may never try again: its next try lies so far ahead that it can only be the
 * exhausted mark, or it stands past a limit that was lowered since.
 */
export function isExhausted(run: { failures: number; nextAllowedAt: number }, policy: TenantPolicy, now: number): boolean {
  return run.nextAllowedAt > exhaustedAfter(now) || run.failures >= policy.passwordMaxFailures;
}

/**
 * A right password after this many wrong ones in a row may have been guessed: the second factor is
 * asked even at a recognised place (flows/sign-in.ts says which runs count there).
 */
export function passwordMayBeGuessed(failuresBefore: number, policy: TenantPolicy): boolean {
  return failuresBefore >= policy.secondFactorAfterPasswordFailures;
}

/** The `next_allowed_at` past which a run is exhausted, for queries. */
export function exhaustedAfter(now: number): number {
  return now + 365 * DAY;
}

/** How long after the n-th wrong password in a row the next try may come. */
export function waitAfterFailures(failures: number, policy: TenantPolicy): number {
  if (failures >= policy.passwordMaxFailures) return EXHAUSTED_WAIT;
  if (failures < policy.passwordFreeFailures) return 0;
  const exponent = Math.min(failures - policy.passwordFreeFailures, 30);
  return Math.min(1000 * 2 ** exponent, policy.passwordMaxDelayMinutes * MINUTE);
}

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
async function refundPasswordTry(db: Kysely<Database>, key: ThrottleKey, priorFailures: number, now: number): Promise<void> {
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

/** The 429 every sign-in throttle answers (end users and operators): Retry-After and the same body. */
export function tooManyAttempts(retryAfterMs: number, now: number, exhausted = false): ApiError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  const message = exhausted
    ? 'Sign-in from here is blocked after too many wrong passwords. Sign in from a device or network you used before, or contact support.'
    : `Too many sign-in attempts. Try again in ${formatWait(seconds)}, or contact support.`;
  return new ApiError(
    'too_many_attempts',
    message,
    { retryAfterSeconds: seconds, retryAt: new Date(now + seconds * 1000).toISOString() },
    { retryAfterSeconds: seconds },
  );
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export interface PasswordAttempt {
  /** Wrong passwords in a row at this key before this try. */
  priorFailures: number;
  /** The password was right: this try's charges are given back (the run stays until `clearUserPasswordFailures`). */
  passwordRight(): Promise<void>;
}

/**
 * Charges a password try to its key and, when `ip` is given, to the IP's window. Throws 429 (with
 * Retry-After) when either refuses; the IP is given back its try when the key refuses.
 */
export async function startPasswordAttempt(
  db: Kysely<Database>,
  input: { key: ThrottleKey; policy: TenantPolicy; ip: string | null },
  now: number,
  onRefused: () => Promise<void> = async () => {},
): Promise<PasswordAttempt> {
  const { key, policy, ip } = input;
  let ipCharge: { key: string; windowStart: number } | null = null;
  if (ip !== null) {
    const ipKey = `pw-ip:${key.tenantId}:${ipBucket(ip)}`;
    const hit = await hitRateLimit(db, ipKey, policy.passwordFailuresPerIp, IP_WINDOW, now);
    if (!hit.allowed) {
      await onRefused();
      throw tooManyAttempts(hit.resetAt - now, now);
    }
    ipCharge = { key: ipKey, windowStart: hit.resetAt - IP_WINDOW };
  }
  const refundIp = async () => {
    if (ipCharge) await refundRateLimit(db, ipCharge.key, ipCharge.windowStart);
  };
  const charge = await chargePasswordTry(db, key, policy, now);
  if (!charge.allowed) {
    await refundIp();
    await onRefused();
    throw tooManyAttempts(charge.retryAfterMs, now, charge.exhausted);
  }
  return {
    priorFailures: charge.priorFailures,
    async passwordRight() {
      await refundPasswordTry(db, key, charge.priorFailures, now);
      await refundIp();
    },
  };
}

/** How long a short run is kept after its last failure. */
export const SHORT_RUN_DAYS = 30;
/** Runs shorter than this (no wait yet under the default policy) may be forgotten. */
const SHORT_RUN = 5;

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
