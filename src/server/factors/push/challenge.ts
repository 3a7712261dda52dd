import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { challengeStatusAnswer, pushSentAnswer } from '../../../shared/api/push.js';
import { newNonce, type PushContext } from '../../../shared/push/protocol.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { DAY, MINUTE, iso } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import type { RequestMeta } from '../../http/request-meta.js';
import { refusals } from '../../refusals.js';
import { findChallenge, type ChallengeRow } from '../../store/repositories/challenges.js';
import { activePushDevices } from '../../store/repositories/push-devices.js';
import {
  cancelPendingPushes,
  insertPushChallenge,
  pushForChallenge,
  recordResend,
  type PushChallengeRow,
} from '../../store/repositories/push-challenges.js';
import { hitRateLimit } from '../../store/repositories/rate-limits.js';
import { loadSignInState } from '../../store/repositories/sign-in-state.js';
import type { Tenant } from '../../store/repositories/tenants.js';
import type { UserRow } from '../../store/repositories/users.js';
import type { Database } from '../../store/schema.js';
import { browserLabel } from '../../views/browser-label.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import { isPushLocked } from './factor.js';
import { announcePendingPush } from './push-events.js';
import { wakeDevices } from './wake-up.js';

type PushSent = z.infer<typeof pushSentAnswer>;

/** Seals a push's code to its row: a code copied to another row does not open. */
const codeContext = (pushId: string) => `push-code:${pushId}`;

/** Six digits from the CSPRNG (NIST SP 800-63B-4 3.1.3.1: at least 6 decimal digits from an approved RBG). */
function newPushCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Rate-limit keys: the 15-minute window, and the day since the last success (reset by a sign-in). */
export const pushLimitKeys = {
  quarter: (userId: string) => `push:15m:${userId}`,
  sinceSuccess: (userId: string) => `push:day:${userId}`,
};

/**
 * Sends a push for an open sign-in (or step-up) challenge, or resends it: the same push is woken
 * again, with the same code (no new secret, no reset of any count: NIST SP 800-63B-4 3.2.2), after
 * `pushResendCooldownSeconds` and at most `pushMaxResends` times. A new push cancels the user's other
 * pending ones (one pending per user), and the user may be sent `pushPer15Minutes` in 15 minutes and
 * `pushPerDaySinceSuccess` in a day until a sign-in succeeds: the defences against push bombing.
 */
export async function sendPush(ctx: ServerContext, challengeId: string, meta: RequestMeta): Promise<PushSent> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const challenge = await findChallenge(db, challengeId);
  if (!challenge) throw refusals.noSuchChallenge();
  if (challenge.consumed_at !== null || challenge.expires_at <= now || challenge.attempts >= challenge.max_attempts) {
    throw refusals.challengeOver();
  }
  const state = await loadSignInState(db, challenge.user_id, now);
  if (!state) throw refusals.noSuchChallenge();
  const { user, tenant } = state;
  const policy = tenant.policy;
  if (state.lockout) throw refusals.accountLocked(state.lockout);
  if (!policy.allowedMethods.includes('push')) throw refusals.pushNotAvailable();
  if (isPushLocked(user, now)) throw pushLocked(user);
  const devices = await activePushDevices(db, user.id);
  if (devices.length === 0) throw new ApiError('method_not_available', 'This account has no active push device. Use another method.');

  const existing = await pushForChallenge(db, challenge.id);
  // An approved push waits for its verification: a new one would hide the approval.
  if (existing?.state === 'approved')
    throw new ApiError('conflict', 'This push was approved. Finish the sign-in with {method: "push"}.', { pushState: 'approved' });
  const push =
    existing && existing.state === 'pending' && existing.expires_at > now
      ? await resend(ctx, existing, tenant, now)
      : await openSignInPush(ctx, { user, tenant, challenge, meta, now });
  const woken = await wakeDevices(ctx, devices, { type: 'pending', challengeId: push.id, tenant: tenant.name }, push);
  announcePendingPush(user.id, push.id);
  const resendAt = push.last_sent_at + policy.pushResendCooldownSeconds * 1000;
  return {
    code: ctx.secrets.open(push.code_enc, codeContext(push.id)),
    expiresAt: iso(push.expires_at),
    devices: devices.map((device) => device.name),
    resendsLeft: Math.max(0, policy.pushMaxResends + 1 - push.sends),
    resendAt: iso(resendAt),
    woken,
  };
}

async function resend(ctx: ServerContext, push: PushChallengeRow, tenant: Tenant, now: number): Promise<PushChallengeRow> {
  const policy = tenant.policy;
  const retryAt = push.last_sent_at + policy.pushResendCooldownSeconds * 1000;
  if (push.sends > policy.pushMaxResends) {
    throw new ApiError('too_many_attempts', 'This push was resent as often as allowed. Use another method, or sign in again.', {
      reason: 'resend_limit',
    });
  }
  if (
    now < retryAt ||
    !(await recordResend(ctx.store.db, push, policy.pushMaxResends + 1, now - policy.pushResendCooldownSeconds * 1000, now))
  ) {
    throw new ApiError('too_many_attempts', 'Wait a little before sending the push again.', {
      reason: 'resend_cooldown',
      retryAt: iso(Math.max(retryAt, now + 1000)),
    });
  }
  await recordAudit(ctx.store.db, now, {
    tenantId: tenant.id,
    userId: push.user_id,
    actorType: 'user',
    actorId: push.user_id,
    action: 'push.resent',
    details: { pushId: push.id, challengeId: push.challenge_id, sends: push.sends + 1 },
  });
  return { ...push, sends: push.sends + 1, last_sent_at: now };
}

async function openSignInPush(
  ctx: ServerContext,
  c: { user: UserRow; tenant: Tenant; challenge: ChallengeRow; meta: RequestMeta; now: number },
): Promise<PushChallengeRow> {
  const { user, tenant, challenge, meta, now } = c;
  const { db } = ctx.store;
  const policy = tenant.policy;
  for (const [key, cap, window] of [
    [pushLimitKeys.quarter(user.id), policy.pushPer15Minutes, 15 * MINUTE],
    [pushLimitKeys.sinceSuccess(user.id), policy.pushPerDaySinceSuccess, DAY],
  ] as const) {
    const hit = await hitRateLimit(db, key, cap, window, now);
    if (!hit.allowed) {
      throw new ApiError('too_many_attempts', 'Too many push requests for this account. Use another method, or try again later.', {
        reason: 'push_limit',
        retryAt: iso(hit.resetAt),
      });
    }
  }
  const context: PushContext = {
    tenant: tenant.name,
    app: challenge.purpose === 'login' ? 'sign-in' : (challenge.scope ?? 'account'),
    ip: meta.ip,
    place: null,
    browser: browserLabel(meta.userAgent),
    at: iso(now),
    kind: 'sign_in',
  };
  const id = newId();
  const row: Omit<PushChallengeRow, 'sends'> = {
    id,
    user_id: user.id,
    tenant_id: tenant.id,
    kind: 'sign_in',
    challenge_id: challenge.id,
    device_id: null,
    nonce: newNonce(),
    code_enc: ctx.secrets.seal(newPushCode(), codeContext(id)),
    context: JSON.stringify(context),
    state: 'pending',
    created_at: now,
    expires_at: Math.min(now + policy.pushApprovalSeconds * 1000, challenge.expires_at),
    last_sent_at: now,
    answered_at: null,
    answered_by: null,
  };
  try {
    await db.transaction().execute(async (trx) => {
      // One pending push per user: this one replaces any other (an older sign-in's, now cancelled).
      await cancelPendingPushes(trx, user.id);
      await insertPushChallenge(trx, row);
      await recordAudit(trx, now, {
        tenantId: tenant.id,
        userId: user.id,
        actorType: 'user',
        actorId: user.id,
        ip: meta.ip,
        action: 'push.sent',
        details: { pushId: id, challengeId: challenge.id },
      });
    });
  } catch (error) {
    // The unique index of pending pushes: another push for this user was opened at the same moment.
    if (isUniqueViolation(error)) throw new ApiError('conflict', 'Another push for this account is being sent. Try again.');
    throw error;
  }
  return { ...row, sends: 1 };
}

/** A new device's first approval: the code shown where the enrollment began, typed on the device. */
export async function openTestApproval(
  ctx: ServerContext,
  trx: Kysely<Database>,
  c: { user: UserRow; tenant: Tenant; deviceId: string; code: string; ip: string; browser: string; now: number },
): Promise<string> {
  const id = newId();
  const context: PushContext = {
    tenant: c.tenant.name,
    app: 'device-test',
    ip: c.ip,
    place: null,
    browser: c.browser,
    at: iso(c.now),
    kind: 'device_test',
  };
  await insertPushChallenge(trx, {
    id,
    user_id: c.user.id,
    tenant_id: c.tenant.id,
    kind: 'device_test',
    challenge_id: null,
    device_id: c.deviceId,
    nonce: newNonce(),
    code_enc: ctx.secrets.seal(c.code, codeContext(id)),
    context: JSON.stringify(context),
    state: 'pending',
    created_at: c.now,
    expires_at: c.now + 10 * MINUTE,
    last_sent_at: c.now,
    answered_at: null,
    answered_by: null,
  });
  return id;
}

/** The code a push carries, for the check of a device's answer. */
export function openPushCode(ctx: ServerContext, push: PushChallengeRow): string {
  return ctx.secrets.open(push.code_enc, codeContext(push.id));
}

/** Polling: where a challenge and its push stand. */
export async function describeChallenge(ctx: ServerContext, challengeId: string): Promise<z.infer<typeof challengeStatusAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const challenge = await findChallenge(db, challengeId);
  if (!challenge) throw refusals.noSuchChallenge();
  const push = await pushForChallenge(db, challengeId);
  return {
    status:
      challenge.consumed_at !== null
        ? 'done'
        : challenge.expires_at <= now || challenge.attempts >= challenge.max_attempts
          ? 'expired'
          : 'open',
    expiresAt: iso(challenge.expires_at),
    push: push ? { state: effectivePushState(push, now), expiresAt: iso(push.expires_at) } : null,
  };
}

/** A pending push past its time is expired, whether or not a sweep has written that yet. */
export function effectivePushState(push: PushChallengeRow, now: number): PushChallengeRow['state'] {
  return push.state === 'pending' && push.expires_at <= now ? 'expired' : push.state;
}

export function pushLocked(user: UserRow): ApiError {
  return new ApiError(
    'method_not_available',
    'Push approval is locked for this account after wrong codes. Use SMS or the app, or ask support.',
    {
      reason: 'push_locked',
      lockedUntil: user.push_locked_until === null ? null : iso(user.push_locked_until),
    },
  );
}
