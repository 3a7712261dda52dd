import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { loginAnswer, loginRequest } from '../../shared/api/end-user.js';
import type { TenantPolicy } from '../../shared/policy.js';
import { firstFactorMethods, signInAmr, type FirstFactorMethod } from '../../shared/methods.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { HOUR, MINUTE, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { findActiveLockout } from '../store/repositories/lockouts.js';
import { passwordMayBeGuessed, throttleKeys, type ThrottleKey } from '../policy/password-throttle.js';
import { hitRateLimit } from '../store/repositories/rate-limits.js';
import { recordFailedSignIn, recordRefusedSignIn } from '../store/repositories/sign-in-failures.js';
import { resetSmsCount } from '../store/repositories/sms-counters.js';
import { isIpTrusted } from '../store/repositories/trusted-ips.js';
import { insertSession } from '../store/repositories/sessions.js';
import { findTenantBySlug } from '../store/repositories/tenants.js';
import { findTrustedDevice, useTrustedDevice } from '../store/repositories/trusted-devices.js';
import { findUserByEmail, type UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { describeChallenge, openChallenge } from './open-challenge.js';
import type { RequestMeta } from '../http/request-meta.js';
import { refusals } from '../refusals.js';
import { availableMethods } from '../factors/registry.js';
import { toPublicUser } from '../views/user-views.js';
import { userPasswordFailures, clearUserPasswordFailures } from '../store/repositories/password-failures.js';
import { startPasswordAttempt } from './password-attempt.js';
import { applyDueDisable } from './scheduled-disable.js';
import { browserLabel } from '../views/browser-label.js';
import { findLiveSheet } from '../store/repositories/enrollment-sheets.js';
import { findTotpFactor } from '../store/repositories/totp-factors.js';
import { NO_PASSWORD_YET } from '../passwords/password-hasher.js';

type LoginRequest = z.infer<typeof loginRequest>;
type LoginAnswer = z.infer<typeof loginAnswer>;

/** How long an enrollment token lets a user finish setting up a factor. */
const ENROLLMENT_TTL = 30 * MINUTE;

/**
 * Step one of sign-in: the password. Unknown users and wrong passwords get the same answer after the
 * same work, and the same throttling (policy/password-throttle.ts). A locked account is revealed only
 * to someone who knows the password.
 */
export async function signIn(ctx: ServerContext, input: LoginRequest, meta: RequestMeta): Promise<LoginAnswer> {
  const { db } = ctx.store;
  const tenant = await findTenantBySlug(db, input.tenant);
  if (!tenant) throw new ApiError('unknown_tenant', `There is no tenant "${input.tenant}".`);
  const policy = tenant.policy;
  const now = ctx.clock.now();
  const found = await findUserByEmail(db, tenant.id, input.email);
  // A shared account whose break-up date has passed is disabled from that moment, not from the next sweep.
  const user = found && (await applyDueDisable(db, found, now));
  const place = await recognisedPlace(db, user, policy, input, meta, now);
  const attempt = await startPasswordAttempt(
    db,
    {
      key: place?.key ?? throttleKeys.unrecognised(tenant.id, input.email, user?.id ?? null),
      policy,
      // A remembered device is a secret only its holder has: it needs no per-IP limit. A trusted IP is
      // shared by whoever sits behind it (an office NAT), so it counts toward the IP's limit too.
      ip: place?.kind === 'device' ? null : meta.ip,
    },
    now,
    () => recordRefusedSignIn(db, tenant.id, now),
  );
  // An invited person who has not chosen a password yet has none to match: the same work as for no account.
  const passwordOk =
    user && user.password_hash !== NO_PASSWORD_YET
      ? await ctx.passwords.verify(user.password_hash, input.password)
      : await ctx.passwords.verifyAgainstNothing(input.password);

  if (!user || !passwordOk || user.disabled_at) {
    const reason = !user ? 'unknown_user' : user.disabled_at && passwordOk ? 'disabled' : 'wrong_password';
    await recordFailedSignIn(
      db,
      {
        tenantId: tenant.id,
        userId: user?.id ?? null,
        ip: meta.ip,
        reason,
        newRun: !place && attempt.priorFailures === 0,
        failuresInRow: attempt.priorFailures + 1,
        alarmAccounts: policy.credentialStuffingAlarmAccounts,
      },
      now,
    );
    throw new ApiError('invalid_credentials', 'The email or password is wrong.');
  }
  await attempt.passwordRight();
  const audit = { tenantId: tenant.id, userId: user.id, actorType: 'user' as const, actorId: user.id, ip: meta.ip };

  const lockout = await findActiveLockout(db, user.id, now);
  if (lockout) {
    // Once per lockout and 15 minutes: whoever holds the password must not grow the trail at will.
    if ((await hitRateLimit(db, `audit:refused_locked:${lockout.id}`, 1, 15 * MINUTE, now)).allowed) {
      await recordAudit(db, now, { ...audit, action: 'login.refused_locked', details: { reason: lockout.reason } });
    }
    throw refusals.accountLocked(lockout);
  }

  if (user.mfa_enrolled_at === null) {
    // The password is all this account has so far: a right one completes what there is to complete.
    await clearUserPasswordFailures(db, tenant.id, user.id, user.email);
    const enrollment = enrollmentMethods(policy);
    if (enrollment) {
      const { token } = await insertSession(
        db,
        { userId: user.id, kind: 'enrollment', ip: meta.ip, expiresAt: now + ENROLLMENT_TTL, secondFactorAt: null },
        now,
      );
      await recordAudit(db, now, { ...audit, action: 'login.enrollment_required' });
      const sheet = enrollment.includes('totp') ? await findLiveSheet(db, user.id, now) : undefined;
      const confirmedApp = enrollment.includes('totp') ? await findTotpFactor(db, user.id, 'confirmed') : undefined;
      return {
        status: 'enrollment_required',
        enrollmentToken: token,
        methods: enrollment,
        ...(sheet ? { enrollmentSheet: { expiresAt: iso(sheet.expires_at) } } : {}),
        ...(confirmedApp ? { appAwaitingCodes: true as const } : {}),
      };
    }
    const { token } = await insertSession(
      db,
      { userId: user.id, kind: 'full', ip: meta.ip, expiresAt: now + policy.sessionHours * HOUR, secondFactorAt: null, amr: signInAmr() },
      now,
    );
    await recordAudit(db, now, {
      ...audit,
      action: 'login.succeeded',
      details: { secondFactor: 'none_enrolled', browser: browserLabel(meta.userAgent) },
    });
    return { status: 'authenticated', sessionToken: token, user: toPublicUser(user) };
  }

  // Signed in without a code (a remembered device, a trusted IP): one transaction for the session, the
  // daily SMS count reset (seed 003: every successful sign-in resets it) and the audit event. A
  // remembered device is a possession factor (its token is a secret only that device holds), so its
  // sign-in ends the runs of wrong passwords as a code would; a trusted IP is not (whoever shares the
  // network has it), so there the runs stay: else someone at the office would get a fresh couple of
  // guesses after each of the user's sign-ins.
  const signInWithoutCode = async (trx: Kysely<Database>, details: Record<string, unknown>, endsRuns: boolean) => {
    // Only the password was given here: the place stood in for the second factor (the acr says so).
    const { token } = await insertSession(
      trx,
      { userId: user.id, kind: 'full', ip: meta.ip, expiresAt: now + policy.sessionHours * HOUR, secondFactorAt: null, amr: signInAmr() },
      now,
    );
    await resetSmsCount(trx, user.id, 'login');
    if (endsRuns) await clearUserPasswordFailures(trx, tenant.id, user.id, user.email);
    await recordAudit(trx, now, { ...audit, action: 'login.succeeded', details: { ...details, browser: browserLabel(meta.userAgent) } });
    return { status: 'authenticated' as const, sessionToken: token, user: toPublicUser(user) };
  };

  // A right password after a run of wrong ones may have been guessed: the second factor is asked even
  // on a recognised place. A device counts its own run (its token proves the device is at hand, so
  // only someone with it, a borrowed laptop, could have guessed there); an IP is shared by whoever
  // is behind it, so there every wrong password the account has seen counts, from anywhere: someone
  // who guessed elsewhere and then came to the office network gets no password-only session. The
  // runs end only when a sign-in completes.
  const failedBefore = place?.kind === 'trusted_ip' ? await userPasswordFailures(db, user.id) : attempt.priorFailures;
  const guessedMaybe = passwordMayBeGuessed(failedBefore, policy);
  if (place?.kind === 'device' && !guessedMaybe) {
    const deviceToken = place.deviceToken;
    const remembered = await db.transaction().execute(async (trx) => {
      const deviceId = await useTrustedDevice(trx, user.id, deviceToken, now);
      return deviceId ? signInWithoutCode(trx, { secondFactor: 'remembered_device', deviceId }, true) : null;
    });
    if (remembered) return remembered;
  }
  if (place?.kind === 'trusted_ip' && !guessedMaybe) {
    // Seed 003: the second factor is asked again only from a new IP address or after a password change.
    return db.transaction().execute((trx) => signInWithoutCode(trx, { secondFactor: 'trusted_ip' }, false));
  }

  const methods = await availableMethods(db, user, policy, now);
  if (methods.length === 0) throw new ApiError('conflict', 'No second factor is available for this account. Contact support.');
  const challenge = await openChallenge(db, user, policy, 'login', { ip: meta.ip }, now);
  await recordAudit(db, now, {
    ...audit,
    action: 'login.password_ok',
    details: {
      challengeId: challenge.id,
      methods,
      ...(guessedMaybe && place ? { secondFactorBecause: 'failed_passwords', failedPasswordsBefore: failedBefore, place: place.kind } : {}),
    },
  });
  return { status: 'mfa_required', ...(await describeChallenge(db, user, policy, challenge, methods, now)) };
}

/**
 * What a right password asks of a user without a second factor: to set up one of these (the tenant's
 * order), or, where MFA is optional (null), nothing: the password alone signs them in.
 */
export function enrollmentMethods(policy: TenantPolicy): FirstFactorMethod[] | null {
  return policy.mfaRequired ? policy.allowedMethods.filter(isFirstFactorMethod) : null;
}

type Place = { kind: 'device'; key: ThrottleKey; deviceToken: string } | { kind: 'trusted_ip'; key: ThrottleKey };

/**
 * A place the account recognises, where the second factor may be skipped: a live remembered device
 * (its token came with the request) or, on tenants with seed 003's rule, an IP where the user signed
 * in with a second factor since the last password change. Each has its own password throttle.
 */
async function recognisedPlace(
  db: Kysely<Database>,
  user: UserRow | undefined,
  policy: TenantPolicy,
  input: LoginRequest,
  meta: RequestMeta,
  now: number,
): Promise<Place | null> {
  // The same lookups whether the email has an account or not (an id that matches nothing stands in),
  // so a failed sign-in costs the same either way: they run before the password is checked.
  const userId = user?.id ?? NO_USER;
  const enrolled = user !== undefined && user.mfa_enrolled_at !== null;
  const recognisable = recognisablePlaces(policy);
  if (input.deviceToken && recognisable.devices) {
    const deviceId = await findTrustedDevice(db, userId, input.deviceToken, now);
    if (deviceId && user && enrolled)
      return { kind: 'device', key: throttleKeys.device(user.tenant_id, user.id, deviceId), deviceToken: input.deviceToken };
  }
  if (recognisable.trustedIps && (await isIpTrusted(db, userId, meta.ip, user?.password_changed_at ?? 0)) && user && enrolled) {
    return { kind: 'trusted_ip', key: throttleKeys.trustedIp(user.tenant_id, user.id, meta.ip) };
  }
  return null;
}

/**
 * The kinds of place that may let a user of this tenant in without a code: remembered devices while
 * the tenant remembers devices (turning that off also stops honouring devices remembered before), and
 * trusted IPs under seed 003's rule. Either counts only for a user who has a second factor.
 */
export function recognisablePlaces(policy: TenantPolicy): { devices: boolean; trustedIps: boolean } {
  return { devices: policy.rememberDeviceDays > 0, trustedIps: policy.askOnlyOnNewIpOrPasswordChange };
}

function isFirstFactorMethod(method: string): method is FirstFactorMethod {
  return (firstFactorMethods as readonly string[]).includes(method);
}

/** A user id no row has (ids are UUIDs). */
const NO_USER = 'no-such-user';
