import type { z } from 'zod';
import type { ChallengeMethod, scopeAccessAnswer, stepUpAnswer } from '../../shared/api/end-user.js';
import { ApiError } from '../api-error.js';
import { MINUTE, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { findScopeGrant } from '../store/repositories/sessions.js';
import { openChallenge } from './open-challenge.js';
import type { RequestMeta } from '../http/request-meta.js';
import type { Authenticated } from '../http/session-auth.js';
import { availableMethods } from '../factors/registry.js';
import type { ChallengeRow } from '../store/repositories/challenges.js';

// Step-up: a fresh second factor in this session, for sensitive changes (the account scope) and for
// sensitive modules (the bank module of seed 000). Its own module so that factor enrollment, which
// asks for it, does not import the account's self-service.

/**
 * Sensitive account changes need a second factor checked within the last few minutes in this very
 * session; a remembered device or an old session is not enough. Otherwise: 403 with a challenge to answer.
 */
export async function requireFreshSecondFactor(ctx: ServerContext, auth: Authenticated, meta: RequestMeta): Promise<void> {
  const now = ctx.clock.now();
  const freshSince = now - auth.tenant.policy.stepUpFreshMinutes * MINUTE;
  if (auth.session.second_factor_at !== null && auth.session.second_factor_at >= freshSince) return;
  throw await stepUpRequired(ctx, auth, 'account', meta);
}

/** A step-up challenge bound to this session and scope. */
async function openStepUp(
  ctx: ServerContext,
  auth: Authenticated,
  scope: string,
  meta: RequestMeta,
): Promise<{ challengeId: string; methods: ChallengeMethod[] }> {
  const { challenge, methods } = await openStepUpChallenge(ctx, auth, scope, meta);
  return { challengeId: challenge.id, methods };
}

/** The same, with the challenge itself (its attempts and expiry), for the hosted pages' step-up. */
export async function openStepUpChallenge(
  ctx: ServerContext,
  auth: Pick<Authenticated, 'user' | 'tenant' | 'session'>,
  scope: string,
  meta: RequestMeta,
): Promise<{ challenge: ChallengeRow; methods: ChallengeMethod[] }> {
  const methods = await availableMethods(ctx.store.db, auth.user, auth.tenant.policy, ctx.clock.now());
  if (methods.length === 0) throw new ApiError('forbidden', 'Set up a second factor first.');
  const challenge = await openChallenge(
    ctx.store.db,
    auth.user,
    auth.tenant.policy,
    'step_up',
    { ip: meta.ip, scope, sessionId: auth.session.id },
    ctx.clock.now(),
  );
  return { challenge, methods };
}

async function stepUpRequired(ctx: ServerContext, auth: Authenticated, scope: string, meta: RequestMeta): Promise<ApiError> {
  const { challengeId, methods } = await openStepUp(ctx, auth, scope, meta);
  return new ApiError('step_up_required', 'Confirm with your second factor first.', { challengeId, methods, scope });
}

export async function requestStepUp(
  ctx: ServerContext,
  auth: Authenticated,
  scope: string,
  meta: RequestMeta,
): Promise<z.infer<typeof stepUpAnswer>> {
  const until = await findScopeGrant(ctx.store.db, auth.session.id, scope, ctx.clock.now());
  if (until !== null) return { status: 'granted', scope, until: iso(until) };
  return { status: 'challenge', ...(await openStepUp(ctx, auth, scope, meta)) };
}

/** The check a sensitive module (seed 000's bank module) makes: a step-up for that scope in this session. */
export async function checkScopeAccess(
  ctx: ServerContext,
  auth: Authenticated,
  scope: string,
  meta: RequestMeta,
): Promise<z.infer<typeof scopeAccessAnswer>> {
  const until = await findScopeGrant(ctx.store.db, auth.session.id, scope, ctx.clock.now());
  if (until === null) throw await stepUpRequired(ctx, auth, scope, meta);
  return { scope, granted: true, until: iso(until) };
}

/**
 * Adding or replacing a factor of an enrolled account is a sensitive change too: whoever holds a
 * session (signed in on a trusted IP with the password alone, or a stolen token) must not set up
 * their own app and get new recovery codes. First enrollment (an enrollment token) needs no such check.
 */
export async function requireFreshFactorForEnrolledUser(ctx: ServerContext, auth: Authenticated, meta: RequestMeta): Promise<void> {
  if (auth.session.kind === 'full' && auth.user.mfa_enrolled_at !== null) await requireFreshSecondFactor(ctx, auth, meta);
}
