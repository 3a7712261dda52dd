import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { TenantPolicy } from '../../shared/policy.js';
import { ApiError } from '../api-error.js';
import { DAY, MINUTE } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';
import type { Database } from '../store/schema.js';
import { hitRateLimit, refundRateLimit } from './rate-limits.js';

/**
 * End-user password throttling, as NIST SP 800-63B-4 3.2.2 and OWASP's Authentication Cheat Sheet
 * describe it: no hard lockout that an attacker could use against the real user, but a run of wrong
 * passwords makes every further try wait longer (1 s, 2 s, 4 s, ... up to `passwordMaxDelayMinutes`),
 * and after `passwordMaxFailures` the place stops being allowed to try at all.
 *
 * A run is counted per place ("key"): every place the account does not recognise shares one key,
 * made from the email (so an email without an account behaves exactly like one with an account),
 * while each trusted IP and each remembered device of the user has its own. An attacker elsewhere
 * therefore cannot shut the real user out of their remembered device or their office IP. On top, each
 * IP may make `passwordFailuresPerIp` wrong tries against unrecognised accounts of a tenant in 15
 * minutes, which is what bounds spraying one password over many accounts.
 *
 * A try is charged before the password is checked (one conditional upsert decides it), so concurrent
 * requests cannot slip past a limit: a right password gives the charge back.
 */

export interface ThrottleKey {
  key: string;
  tenantId: string;
  userId: string | null;
}

export const throttleKeys = {
  /** Places the account does not recognise: one run per email, whether an account has it or not. */
  unrecognised: (tenantId: string, email: string, userId: string | null): ThrottleKey => ({ key: `a:${tenantId}:${sha256Hex(email.toLowerCase())}`, tenantId, userId }),
  trustedIp: (tenantId: string, userId: string, ip: string): ThrottleKey => ({ key: `t:${userId}:${ip}`, tenantId, userId }),
  device: (tenantId: string, userId: string, deviceId: string): ThrottleKey => ({ key: `d:${deviceId}`, tenantId, userId }),
  /** The current-password check of a password change, made with a session. */
  passwordChange: (tenantId: string, userId: string): ThrottleKey => ({ key: `c:${userId}`, tenantId, userId }),
};

/** The per-IP window. */
export const IP_WINDOW = 15 * MINUTE;

/**
 * The wait of a place that has used all its tries: a century, i.e. until a success elsewhere or
 * support clears it. Stored as a time, so "exhausted" needs no policy to be read back (pruning).
 */
const EXHAUSTED_WAIT = 100 * 365 * DAY;

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
    .values({ key: key.key, tenant_id: key.tenantId, user_id: key.userId, failures: 1, next_allowed_at: now + waitAfterFailures(1, policy), last_failure_at: now })
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
  const current = await db.selectFrom('password_failures').select(['failures', 'next_allowed_at']).where('key', '=', key.key).executeTakeFirst();
  const exhausted = current !== undefined && Number(current.next_allowed_at) - now > 365 * DAY;
  // An exhausted place is told to come back after the longest wait; it will be refused again until the
  // user signs in from a recognised place or support unlocks the account.
  const retryAfterMs = !current || exhausted ? policy.passwordMaxDelayMinutes * MINUTE : Math.max(1000, Number(current.next_allowed_at) - now);
  return { allowed: false, retryAfterMs, exhausted };
}

/** A right password: the run for this key is over. */
export async function clearPasswordFailures(db: Kysely<Database>, key: ThrottleKey): Promise<void> {
  await db.deleteFrom('password_failures').where('key', '=', key.key).execute();
}

/** Support's unlock: every run of the user's (recognised places and the email's). */
export async function clearUserPasswordFailures(db: Kysely<Database>, tenantId: string, userId: string, email: string): Promise<number> {
  const result = await db
    .deleteFrom('password_failures')
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('key', '=', throttleKeys.unrecognised(tenantId, email, userId).key)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The user's longest running run, for support: how many wrong passwords, and until when the next try waits. */
export async function passwordFailuresOf(db: Kysely<Database>, tenantId: string, userId: string, email: string): Promise<{ failures: number; nextAllowedAt: number } | null> {
  const row = await db
    .selectFrom('password_failures')
    .select(['failures', 'next_allowed_at'])
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('key', '=', throttleKeys.unrecognised(tenantId, email, userId).key)]))
    .orderBy('failures', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { failures: Number(row.failures), nextAllowedAt: Number(row.next_allowed_at) } : null;
}

export function tooManyAttempts(retryAfterMs: number): ApiError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new ApiError('too_many_attempts', `Too many sign-in attempts. Try again in ${formatWait(seconds)}, or contact support.`, { retryAfterSeconds: seconds }, { retryAfterSeconds: seconds });
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export interface PasswordAttempt {
  /** Wrong passwords in a row at this key before this try. */
  priorFailures: number;
  /** The password was right: the key's run ends and the IP gets its try back. */
  succeeded(): Promise<void>;
}

/**
 * Charges a password try to its key and, for unrecognised places, to the IP. Throws 429 (with
 * Retry-After) when either refuses; the IP is given back its try when the key refuses.
 */
export async function startPasswordAttempt(
  db: Kysely<Database>,
  input: { key: ThrottleKey; policy: TenantPolicy; ip: string | null },
  now: number,
  onRefused: () => Promise<void> = async () => {},
): Promise<PasswordAttempt> {
  const { key, policy, ip } = input;
  const ipKey = ip === null ? null : `pw-ip:${key.tenantId}:${ip}`;
  let ipWindowStart: number | null = null;
  if (ipKey) {
    const hit = await hitRateLimit(db, ipKey, policy.passwordFailuresPerIp, IP_WINDOW, now);
    if (!hit.allowed) {
      await onRefused();
      throw tooManyAttempts(hit.resetAt - now);
    }
    ipWindowStart = hit.resetAt - IP_WINDOW;
  }
  const charge = await chargePasswordTry(db, key, policy, now);
  if (!charge.allowed) {
    if (ipKey && ipWindowStart !== null) await refundRateLimit(db, ipKey, ipWindowStart);
    await onRefused();
    throw tooManyAttempts(charge.retryAfterMs);
  }
  return {
    priorFailures: charge.priorFailures,
    async succeeded() {
      await clearPasswordFailures(db, key);
      if (ipKey && ipWindowStart !== null) await refundRateLimit(db, ipKey, ipWindowStart);
    },
  };
}

/**
 * Runs below the hard stop are forgotten after a quiet day (by then an attacker has waited out more
 * than the free tries would give); exhausted ones stay until a success or support clears them.
 */
export async function prunePasswordFailures(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('password_failures').where('last_failure_at', '<', now - DAY).where('next_allowed_at', '<', now + 365 * DAY).executeTakeFirst();
  return Number(result.numDeletedRows);
}
