import type { Kysely } from 'kysely';
import type { TenantPolicy } from '../../shared/policy.js';
import { ipBucket } from '../policy/ip-bucket.js';
import { IP_WINDOW, tooManyAttempts, type ThrottleKey } from '../policy/password-throttle.js';
import { chargePasswordTry, refundPasswordTry } from '../store/repositories/password-failures.js';
import { hitRateLimit, refundRateLimit } from '../store/repositories/rate-limits.js';
import type { Database } from '../store/schema.js';

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
