import type { NextSignInView } from '../../shared/api/admin.js';
import { isDisabled } from '../flows/scheduled-disable.js';
import type { ChallengeMethod } from '../../shared/api/end-user.js';
import type { TenantPolicy } from '../../shared/policy.js';
import type { ServerContext } from '../context.js';
import { enrollmentMethods, recognisablePlaces } from '../flows/sign-in.js';
import { maskPhone } from '../factors/sms/phone-numbers.js';
import { calendarDay, nextDayStart } from '../policy/calendar-day.js';
import { findActiveLockout, type LockoutRow } from '../store/repositories/lockouts.js';
import { isExhausted, passwordMayBeGuessed, throttleKeys } from '../policy/password-throttle.js';
import { smsCountToday } from '../store/repositories/sms-counters.js';
import { listTrustedIps } from '../store/repositories/trusted-ips.js';
import type { Tenant } from '../store/repositories/tenants.js';
import { listTrustedDevices } from '../store/repositories/trusted-devices.js';
import type { UserRow } from '../store/repositories/users.js';
import { iso } from '../clock.js';
import { loginSmsLeft } from '../factors/sms/daily-limit.js';
import { availableMethods, factors } from '../factors/registry.js';
import { userPasswordFailures, userPasswordRuns, type PasswordRun } from '../store/repositories/password-failures.js';

type Db = ServerContext['store']['db'];
type Runs = Map<string, PasswordRun>;

/**
 * What the user meets at their next sign-in, read from the same functions the sign-in flow decides
 * with (flows/sign-in.ts, factors/registry.ts and each factor's `usableNow`, factors/sms/challenge.ts), so the support desk's answer and
 * the user's experience cannot drift apart.
 */
export async function describeNextSignIn(db: Db, tenant: Tenant, user: UserRow, now: number): Promise<NextSignInView> {
  const policy = tenant.policy;
  const runs = await userPasswordRuns(db, tenant.id, user.id, user.email);
  // A new place signs in on the email's run (flows/sign-in.ts: throttleKeys.unrecognised).
  const newPlaceRun = runs.get(throttleKeys.unrecognised(tenant.id, user.email, user.id).key);
  const enrolled = user.mfa_enrolled_at !== null;
  const enroll = enrolled ? null : enrollmentMethods(policy);
  return {
    refused: await refusal(db, user, policy, newPlaceRun, now),
    passwordWaitUntil:
      newPlaceRun && !isExhausted(newPlaceRun, policy, now) && newPlaceRun.nextAllowedAt > now ? iso(newPlaceRun.nextAllowedAt) : null,
    enroll,
    newPlace: enrolled ? await newPlaceSteps(db, user, policy, now) : null,
    trustedIps: await trustedIpsWithoutCode(db, tenant, user, runs, now),
    rememberedDevices: await devicesWithoutCode(db, tenant, user, runs, now),
    // flows/sign-in.ts: not enrolled and nothing to enrol in (MFA optional) -> signed in on the password.
    passwordOnly: !enrolled && enroll === null,
  };
}

/**
 * The refusal that stands wherever they sign in, first: a disabled account (nothing else helps), then
 * a lockout (after the password, at every place), then the exhausted run of new places (those only;
 * the flow checks it before the password, but a recognised place still gets in).
 */
async function refusal(
  db: Db,
  user: UserRow,
  policy: TenantPolicy,
  newPlaceRun: PasswordRun | undefined,
  now: number,
): Promise<NextSignInView['refused']> {
  if (isDisabled(user, now)) return { reason: 'disabled' };
  const lockout = await findActiveLockout(db, user.id, now);
  if (lockout)
    return { reason: 'locked', lockoutReason: lockout.reason, until: iso(lockout.until), afterwards: afterLockout[lockout.reason] };
  if (newPlaceRun && isExhausted(newPlaceRun, policy, now)) return { reason: 'password_attempts', failedPasswords: newPlaceRun.failures };
  return null;
}

/**
 * Seed 003: after the SMS lock "a new code can be requested" (factors/sms/challenge.ts starts the count
 * again); after wrong codes they may enter codes again; an administrator's lock is theirs to explain.
 */
const afterLockout: Record<LockoutRow['reason'], 'request_new_code' | 'enter_code' | 'contact_support'> = {
  sms_daily_limit: 'request_new_code',
  failed_codes: 'enter_code',
  admin: 'contact_support',
};

/**
 * The challenge a new place opens: the methods of `availableMethods` (its order: the tenant's, recovery
 * codes last), of which those that can be used now (each factor's `usableNow`). SMS cannot once today's count is at the limit (the
 * next request locks), or when no code can be sent to the phone; recovery codes cannot when all are used.
 */
async function newPlaceSteps(db: Db, user: UserRow, policy: TenantPolicy, now: number): Promise<NonNullable<NextSignInView['newPlace']>> {
  const methods = await availableMethods(db, user, policy, now);
  const limit = policy.smsLoginDailyLimit;
  const smsLeft = methods.includes('sms')
    ? loginSmsLeft(limit, await smsCountToday(db, user.id, 'login', calendarDay(now, policy.timeZone)))
    : 0;
  const usableMethods: ChallengeMethod[] = [];
  for (const method of methods) if (await factors[method].usableNow(db, user, policy, now)) usableMethods.push(method);
  return {
    method: usableMethods[0] ?? null,
    alternatives: usableMethods.slice(1),
    phoneHint: user.phone ? maskPhone(user.phone) : null,
    sms: methods.includes('sms') ? { left: smsLeft, limit, resetsAt: iso(nextDayStart(now, policy.timeZone)) } : null,
  };
}

/**
 * Trusted IPs where the password alone signs them in (flows/sign-in.ts): still valid after the last
 * password change, not shut by their own exhausted run, and none while the account's wrong passwords
 * (from anywhere) say the password may have been guessed. Null when the tenant asks at every sign-in.
 */
async function trustedIpsWithoutCode(db: Db, tenant: Tenant, user: UserRow, runs: Runs, now: number): Promise<number | null> {
  if (!recognisablePlaces(tenant.policy).trustedIps) return null;
  if (user.mfa_enrolled_at === null) return 0;
  if (passwordMayBeGuessed(await userPasswordFailures(db, user.id), tenant.policy)) return 0;
  const ips = await listTrustedIps(db, user.id, user.password_changed_at);
  return ips.filter((ip) => !shut(runs.get(throttleKeys.trustedIp(tenant.id, user.id, ip).key), tenant.policy, now)).length;
}

/**
 * Live remembered devices on which no code is asked (flows/sign-in.ts): while the tenant remembers
 * devices, and each only while its own run of wrong passwords is short of "may have been guessed".
 */
async function devicesWithoutCode(db: Db, tenant: Tenant, user: UserRow, runs: Runs, now: number): Promise<number> {
  if (!recognisablePlaces(tenant.policy).devices || user.mfa_enrolled_at === null) return 0;
  const devices = await listTrustedDevices(db, user.id, now);
  return devices.filter((d) => {
    const run = runs.get(throttleKeys.device(tenant.id, user.id, d.id).key);
    return !shut(run, tenant.policy, now) && !passwordMayBeGuessed(run?.failures ?? 0, tenant.policy);
  }).length;
}

/** A place whose run has used all its tries refuses the password there. */
function shut(run: PasswordRun | undefined, policy: TenantPolicy, now: number): boolean {
  return run !== undefined && isExhausted(run, policy, now);
}
