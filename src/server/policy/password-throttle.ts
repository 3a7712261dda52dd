import type { TenantPolicy } from '../../shared/policy.js';
import { ApiError } from '../api-error.js';
import { DAY, MINUTE } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';

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
export const EXHAUSTED_WAIT = 100 * 365 * DAY;

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

/** How long a short run is kept after its last failure. */
export const SHORT_RUN_DAYS = 30;
/** Runs shorter than this (no wait yet under the default policy) may be forgotten. */
export const SHORT_RUN = 5;
