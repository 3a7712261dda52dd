import type { z } from 'zod';
import type { verifyAnswer, verifyRequest } from '../../shared/api/end-user.js';
import { sensitiveScopes } from '../../shared/policy.js';
import { signInAmr } from '../../shared/methods.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY, HOUR, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { factors } from '../factors/registry.js';
import { findActiveLockout, lockAccount, type LockoutRow } from '../store/repositories/lockouts.js';
import { resetSmsCount } from '../store/repositories/sms-counters.js';
import { trustIp } from '../store/repositories/trusted-ips.js';
import { consumeChallenge, findChallenge, takeChallengeAttempt, type ChallengeRow } from '../store/repositories/challenges.js';
import { findSessionById, grantSessionScope, insertSession, revokeSession } from '../store/repositories/sessions.js';
import { loadSignInState } from '../store/repositories/sign-in-state.js';
import type { Tenant } from '../store/repositories/tenants.js';
import { insertTrustedDevice } from '../store/repositories/trusted-devices.js';
import { incrementFailedCodes, resetFailedCodes, type UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';
import { sql, type Kysely } from 'kysely';
import { newId } from '../crypto/tokens.js';
import type { RequestMeta } from '../http/request-meta.js';
import { refusals } from '../refusals.js';
import { clearUserPasswordFailures } from '../store/repositories/password-failures.js';
import { browserLabel } from '../views/browser-label.js';
import { clearRateLimit } from '../store/repositories/rate-limits.js';
import { pushLimitKeys } from '../factors/push/challenge.js';

type VerifyRequest = z.infer<typeof verifyRequest>;
type VerifyAnswer = z.infer<typeof verifyAnswer>;

/**
 * Step two: a code for an open challenge. Every attempt is taken atomically from the challenge; a
 * code is consumed atomically (TOTP step or recovery code), so of concurrent requests carrying the
 * same code exactly one succeeds. The success itself (challenge consumed, session issued, device
 * remembered, audit) is one transaction.
 */
export async function verifyChallenge(
  ctx: ServerContext,
  challengeId: string,
  input: VerifyRequest,
  meta: RequestMeta,
): Promise<VerifyAnswer> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const challenge = await takeChallengeAttempt(db, challengeId, now);
  if (!challenge) {
    if (await findChallenge(db, challengeId)) throw refusals.challengeOver();
    throw refusals.noSuchChallenge();
  }
  const attemptsLeft = challenge.max_attempts - challenge.attempts;
  const state = await loadSignInState(db, challenge.user_id, now);
  if (!state) throw refusals.noSuchChallenge();
  const { user, tenant } = state;
  // Belt and braces for the sessions' end expiring open challenges: one opened before the password
  // changed was opened with the old password.
  if (challenge.created_at < user.password_changed_at)
    throw new ApiError('challenge_expired', 'The password changed after this sign-in step began. Sign in again.');
  if (state.lockout) throw refusals.accountLocked(state.lockout);

  // Each method's check is its factor's (factors/registry.ts); the counting and locking below are shared.
  const check = await factors[input.method].checkCode({ ctx, state, challenge, code: input.code ?? '', now });
  const refusal = { user, tenant, challenge, method: input.method, attemptsLeft, meta, now };
  if (check.outcome === 'wrong') return refuse(ctx, refusal);
  if (check.outcome === 'already_used') return refuseUsedCode(refusal);
  const { spend } = check;

  const answer = await db
    .transaction()
    .execute(async (trx) => {
      if (!(await consumeChallenge(trx, challenge.id, now))) {
        throw new ApiError('challenge_expired', 'This sign-in step was already completed. Sign in again.');
      }
      const lockedMeanwhile = await findActiveLockout(trx, user.id, now);
      if (lockedMeanwhile) throw refusals.accountLocked(lockedMeanwhile);
      // The code is spent in the same transaction that consumes the challenge: a request that loses
      // the race for the challenge (or finds the account locked) rolls back and keeps its code.
      if (!(await spend(trx))) throw codeAlreadySpent;
      return succeed(trx, { user, tenant, challenge, input, meta, now });
    })
    .catch((error: unknown) => {
      if (error === codeAlreadySpent) return undefined;
      throw error;
    });
  // Lost the race for the code to a concurrent request: the code was right, so it is no guess.
  return answer ?? refuseUsedCode(refusal);
}

/** The rest of a success, in its transaction: the failure count reset, the audit, and the session or step-up. */
async function succeed(
  trx: Kysely<Database>,
  c: { user: UserRow; tenant: Tenant; challenge: ChallengeRow; input: VerifyRequest; meta: RequestMeta; now: number },
): Promise<VerifyAnswer> {
  const { user, tenant, challenge, input, meta, now } = c;
  await resetFailedCodes(trx, user.id);
  const audit = { tenantId: tenant.id, userId: user.id, actorType: 'user' as const, actorId: user.id, ip: meta.ip };
  await recordAudit(trx, now, {
    ...audit,
    action: input.method === 'recovery_code' ? 'recovery_code.used' : 'code.accepted',
    details: { method: input.method, challengeId: challenge.id, purpose: challenge.purpose },
  });
  return challenge.purpose === 'login'
    ? completeLogin(trx, { user, tenant, input, meta, now, audit })
    : completeStepUp(trx, { user, tenant, challenge, method: input.method, meta, now, audit });
}

/** Thrown inside the success transaction when the code turned out to be spent by a concurrent request. */
const codeAlreadySpent = new Error('code already spent');

interface Refusal {
  user: UserRow;
  tenant: Tenant;
  challenge: ChallengeRow;
  method: string;
  attemptsLeft: number;
  meta: RequestMeta;
  now: number;
}

/**
 * A right code already used (the TOTP step of a sign-in a moment ago, a used recovery code): refused
 * with its own reason, and not counted toward the lock: it is no guess, and counting it let one code
 * sent to many challenges at once lock the account of the user who had just signed in with it.
 */
function refuseUsedCode(r: Refusal): never {
  throw new ApiError('invalid_code', 'This code was already used. Wait for the next code in your app, or use another recovery code.', {
    attemptsLeft: r.attemptsLeft,
    reason: 'already_used',
  });
}

/** A wrong code: counted toward the account lock, then refused with the attempts this challenge has left. */
async function refuse(ctx: ServerContext, r: Refusal): Promise<never> {
  const lockout = await countFailedSecondFactor(ctx, r);
  if (lockout) throw refusals.accountLocked(lockout, 'Too many wrong codes.');
  throw new ApiError(
    'invalid_code',
    r.attemptsLeft > 0
      ? 'The code is wrong or was already used.'
      : 'The code is wrong. This sign-in step has no attempts left; sign in again.',
    { attemptsLeft: r.attemptsLeft },
  );
}

/** A failed second-factor answer as the account lock counts it: a wrong code, or a push denied or reported. */
export interface FailedAnswer {
  user: UserRow;
  tenant: Tenant;
  challenge: { id: string };
  method: string;
  meta: RequestMeta;
  now: number;
}

/**
 * Counts a failed answer (with its audit event) toward the account lock, and returns the lock when
 * the account is locked now. Whichever request first finds the count at the threshold and resets it
 * (one conditional update) takes the lock, so it is taken exactly once even when failures arrive together.
 */
export async function countFailedSecondFactor(ctx: ServerContext, r: FailedAnswer): Promise<LockoutRow | undefined> {
  const { db } = ctx.store;
  const { maxFailedCodes, lockoutHours } = r.tenant.policy;
  const failures = await countFailedCode(ctx, r);
  if (failures < maxFailedCodes) return undefined;
  const lockout = await db.transaction().execute(async (trx) => {
    const reset = await trx
      .updateTable('users')
      .set({ failed_code_count: 0 })
      .where('id', '=', r.user.id)
      .where('failed_code_count', '>=', maxFailedCodes)
      .executeTakeFirst();
    if (reset.numUpdatedRows !== 1n) return undefined;
    return lockAccount(
      trx,
      { userId: r.user.id, tenantId: r.tenant.id, reason: 'failed_codes', hours: lockoutHours, ip: r.meta.ip, details: { failures } },
      r.now,
    );
  });
  return lockout ?? (await findActiveLockout(db, r.user.id, r.now));
}

/** Counts a wrong code and writes its audit event atomically; returns the count of wrong codes in a row. */
async function countFailedCode(ctx: ServerContext, r: FailedAnswer): Promise<number> {
  const { db } = ctx.store;
  const details = { method: r.method, challengeId: r.challenge.id };
  if (ctx.store.dialect === 'postgres') {
    // One statement instead of four round trips (BEGIN, UPDATE, INSERT, COMMIT): wrong codes are
    // the common answer under attack and in the replay-heavy benchmark.
    const result = await sql<{ failures: number }>`
      WITH counted AS (
        UPDATE users SET failed_code_count = failed_code_count + 1 WHERE id = ${r.user.id} RETURNING failed_code_count
      ), event AS (
        INSERT INTO audit_events (id, at, tenant_id, user_id, actor_type, actor_id, action, ip, details)
        SELECT ${newId()}, ${r.now}, ${r.tenant.id}, ${r.user.id}, 'user', ${r.user.id}, 'code.failed', ${r.meta.ip},
               (${JSON.stringify(details)}::jsonb || jsonb_build_object('failuresInRow', failed_code_count))::text
        FROM counted
      )
      SELECT failed_code_count AS failures FROM counted`.execute(db);
    return Number(result.rows[0]?.failures ?? 0);
  }
  return db.transaction().execute(async (trx) => {
    const failures = await incrementFailedCodes(trx, r.user.id);
    await recordAudit(trx, r.now, {
      action: 'code.failed',
      tenantId: r.tenant.id,
      userId: r.user.id,
      actorType: 'user',
      actorId: r.user.id,
      ip: r.meta.ip,
      details: { ...details, failuresInRow: failures },
    });
    return failures;
  });
}

interface Completion {
  user: UserRow;
  tenant: Tenant;
  meta: RequestMeta;
  now: number;
  audit: { tenantId: string; userId: string; actorType: 'user'; actorId: string; ip: string };
}

async function completeLogin(trx: Kysely<Database>, c: Completion & { input: VerifyRequest }): Promise<VerifyAnswer> {
  const policy = c.tenant.policy;
  const { token } = await insertSession(
    trx,
    {
      userId: c.user.id,
      kind: 'full',
      ip: c.meta.ip,
      expiresAt: c.now + policy.sessionHours * HOUR,
      secondFactorAt: c.now,
      amr: signInAmr(c.input.method),
    },
    c.now,
  );
  // Seed 003: every successful sign-in resets the daily SMS count; the IP is trusted from now on.
  await resetSmsCount(trx, c.user.id, 'login');
  // And the count of push challenges since the last success (push bombing's day limit) starts again.
  if (policy.allowedMethods.includes('push')) await clearRateLimit(trx, pushLimitKeys.sinceSuccess(c.user.id));
  // And it ends the runs of wrong passwords: those were not consecutive failures any more.
  await clearUserPasswordFailures(trx, c.tenant.id, c.user.id, c.user.email);
  if (policy.askOnlyOnNewIpOrPasswordChange) await trustIp(trx, c.user.id, c.meta.ip, c.now);
  let deviceToken: string | undefined;
  if (c.input.rememberDevice && policy.rememberDeviceDays > 0) {
    const device = await insertTrustedDevice(
      trx,
      c.user.id,
      browserLabel(c.meta.userAgent),
      c.now + policy.rememberDeviceDays * DAY,
      c.now,
    );
    deviceToken = device.token;
    await recordAudit(trx, c.now, {
      ...c.audit,
      action: 'device.remembered',
      details: { deviceId: device.id, days: policy.rememberDeviceDays },
    });
  }
  await recordAudit(trx, c.now, {
    ...c.audit,
    action: 'login.succeeded',
    // The browser's label (never the raw header): many of them in a week is a sign of a shared account.
    details: { secondFactor: c.input.method, browser: browserLabel(c.meta.userAgent) },
  });
  return { status: 'authenticated', sessionToken: token, ...(deviceToken ? { deviceToken } : {}) };
}

/** A step-up rotates the session (a new token for raised privilege) and grants the scope to it. */
async function completeStepUp(
  trx: Kysely<Database>,
  c: Completion & { challenge: ChallengeRow; method: VerifyRequest['method'] },
): Promise<VerifyAnswer> {
  const old = c.challenge.session_id ? await findSessionById(trx, c.challenge.session_id) : undefined;
  if (!old || old.revoked_at !== null || old.expires_at <= c.now || !(await revokeSession(trx, old.id, c.now))) {
    throw new ApiError('invalid_token', 'The session this step-up belongs to has ended. Sign in again.');
  }
  const { token, session } = await insertSession(
    trx,
    {
      userId: c.user.id,
      kind: 'full',
      ip: c.meta.ip,
      expiresAt: old.expires_at,
      secondFactorAt: c.now,
      amr: [...(old.amr?.split(' ') ?? ['pwd']), ...signInAmr(c.method).slice(1)],
    },
    c.now,
  );
  const scope = c.challenge.scope ?? 'account';
  if ((sensitiveScopes as readonly string[]).includes(scope)) {
    await grantSessionScope(trx, session.id, scope, c.now + c.tenant.policy.sensitiveScopeMinutes * MINUTE);
  }
  await recordAudit(trx, c.now, { ...c.audit, action: 'step_up.granted', details: { scope } });
  return { status: 'authenticated', sessionToken: token, scope };
}
