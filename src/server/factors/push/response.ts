import type { z } from 'zod';
import type { respondAnswer, respondRequest } from '../../../shared/api/push.js';
import {
  contextHash,
  REQUEST_CLOCK_SKEW_MS,
  responseSigningInput,
  verifyBytes,
  type PublicJwk,
  type PushContext,
} from '../../../shared/push/protocol.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { HOUR } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { constantTimeEqual } from '../../crypto/tokens.js';
import { countFailedSecondFactor } from '../../flows/challenge-verification.js';
import type { RequestMeta } from '../../http/request-meta.js';
import { findChallenge } from '../../store/repositories/challenges.js';
import {
  countPushWrongCode,
  moveDeviceState,
  resetPushWrongCodes,
  touchPushDevice,
  type PushDeviceRow,
} from '../../store/repositories/push-devices.js';
import { cancelPendingPushes, findPushChallenge, movePushState, type PushChallengeRow } from '../../store/repositories/push-challenges.js';
import { findTenantById } from '../../store/repositories/tenants.js';
import { findUserById } from '../../store/repositories/users.js';
import { effectivePushState, openPushCode, pushLocked } from './challenge.js';
import { isPushLocked } from './factor.js';
import { announcePushChange } from './push-events.js';
import { withoutSeparators } from '../../../shared/typed-code.js';

/** Thrown inside the approval transaction when the device left its state meanwhile. */
const deviceChanged = new Error('device state changed');

type RespondRequest = z.infer<typeof respondRequest>;
type RespondAnswer = z.infer<typeof respondAnswer>;

const conflict = (state: string) =>
  new ApiError('conflict', `This request was already answered or is over (${state}); nothing was changed.`, { pushState: state });

/**
 * A device's signed answer to a push. Checked in this order: the device may answer this push, the
 * signature is the device's over {push, device, nonce, hash of the context shown, decision, code,
 * time}, the nonce and context hash are the push's, and then the decision:
 * - approve: the code (constant-time) and the move pending -> approved in one compare-and-set, so of
 *   20 answers at once one counts; a wrong code counts toward the user's push lock
 *   (`pushMaxWrongCodes`), and the push stays pending for another try;
 * - deny: pending -> denied; the sign-in ends and it counts toward the account's lock;
 * - fraud ("this wasn't me"): pending -> fraud; the device is suspended, the sign-in ends, it counts
 *   toward the account's lock, and the audit event is the alert support sees.
 * A late answer (the sign-in switched to SMS, expired, or was answered) changes nothing: 409.
 */
export async function respondToPush(
  ctx: ServerContext,
  device: PushDeviceRow,
  pushId: string,
  input: RespondRequest,
  meta: RequestMeta,
): Promise<RespondAnswer> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const push = await findPushChallenge(db, pushId);
  const mayAnswer =
    push &&
    push.user_id === device.user_id &&
    (push.kind === 'device_test' ? push.device_id === device.id && device.state === 'pending' : device.state === 'active');
  if (!push || !mayAnswer) {
    if (push && push.user_id === device.user_id && device.state === 'suspended') {
      throw new ApiError('forbidden', 'This device is suspended after a fraud report. Ask support.', { deviceState: device.state });
    }
    throw new ApiError('not_found', 'There is no such request for this device.');
  }

  const signed = responseSigningInput({
    challengeId: push.id,
    deviceId: device.id,
    nonce: input.nonce,
    contextHash: input.contextHash,
    decision: input.decision,
    code: input.code,
    signedAt: input.signedAt,
  });
  if (!(await verifyBytes(JSON.parse(device.public_jwk) as PublicJwk, signed, input.signature))) {
    throw new ApiError('invalid_signature', 'The answer is not signed by this device.', { reason: 'bad_signature' });
  }
  if (Math.abs(input.signedAt - now) > REQUEST_CLOCK_SKEW_MS) {
    throw new ApiError('invalid_signature', 'The answer was signed too long ago.', { reason: 'clock_skew' });
  }
  if (!constantTimeEqual(input.nonce, push.nonce)) {
    throw new ApiError('invalid_signature', 'The answer is for another request.', { reason: 'nonce_mismatch' });
  }
  if (!constantTimeEqual(input.contextHash, await contextHash(JSON.parse(push.context) as PushContext))) {
    throw new ApiError('invalid_signature', 'The device was shown another request than this one.', { reason: 'context_mismatch' });
  }

  const state = effectivePushState(push, now);
  if (state !== 'pending') throw conflict(state);
  // A sign-in's push lives only while its sign-in does: one answered with SMS, or ended, is over.
  if (push.challenge_id) {
    const challenge = await findChallenge(db, push.challenge_id);
    if (!challenge || challenge.consumed_at !== null || challenge.expires_at <= now) {
      await movePushState(db, push.id, 'pending', 'cancelled', now);
      announcePushChange({ pushId: push.id, challengeId: push.challenge_id, state: 'cancelled' });
      throw conflict('cancelled');
    }
  }
  const [user, tenant] = await Promise.all([findUserById(db, push.user_id), findTenantById(db, push.tenant_id)]);
  if (!user || !tenant) throw new ApiError('not_found', 'There is no such request for this device.');
  const audit = { tenantId: tenant.id, userId: user.id, actorType: 'user' as const, actorId: user.id, ip: meta.ip };
  const context = JSON.parse(push.context) as PushContext;
  const about = {
    pushId: push.id,
    challengeId: push.challenge_id,
    deviceId: device.id,
    deviceName: device.name,
    ip: context.ip,
    browser: context.browser,
  };

  if (input.decision === 'approve') {
    if (isPushLocked(user, now)) throw pushLocked(user);
    if (input.code === null || !constantTimeEqual(withoutSeparators(input.code), openPushCode(ctx, push))) {
      return refuseWrongCode(ctx, { push, user, tenant, device, audit, now });
    }
    const approved = await db
      .transaction()
      .execute(async (trx): Promise<boolean | 'device_changed'> => {
        const done = push.kind === 'device_test' ? 'consumed' : 'approved';
        if (!(await movePushState(trx, push.id, 'pending', done, now, device.id))) return false;
        await resetPushWrongCodes(trx, user.id);
        // The device must still be in the state it answered in: a suspension or revoke since rolls this back.
        if (!(await touchPushDevice(trx, device.id, now, push.kind === 'device_test' ? 'pending' : 'active'))) throw deviceChanged;
        if (push.kind === 'device_test') {
          if (!(await moveDeviceState(trx, device.id, ['pending'], 'active', now))) return false;
          await recordAudit(trx, now, {
            ...audit,
            action: 'push.device_activated',
            details: { deviceId: device.id, deviceName: device.name },
          });
        } else {
          await recordAudit(trx, now, { ...audit, action: 'push.approved', details: about });
        }
        return true;
      })
      .catch((error: unknown) => {
        if (error === deviceChanged) return 'device_changed' as const;
        throw error;
      });
    if (approved === 'device_changed') throw new ApiError('forbidden', 'This device was suspended or removed meanwhile.');
    if (!approved) throw conflict(effectivePushState((await findPushChallenge(db, push.id)) ?? push, now));
    announcePushChange({ pushId: push.id, challengeId: push.challenge_id, state: push.kind === 'device_test' ? 'consumed' : 'approved' });
    return { outcome: 'approved', deviceState: 'active' };
  }

  const to = input.decision === 'deny' ? 'denied' : 'fraud';
  const moved = await db.transaction().execute(async (trx) => {
    if (!(await movePushState(trx, push.id, 'pending', to, now, device.id))) return false;
    await touchPushDevice(trx, device.id, now);
    // The sign-in this push belongs to ends: the person said it was not theirs to approve.
    if (push.challenge_id) {
      await trx
        .updateTable('challenges')
        .set({ expires_at: now })
        .where('id', '=', push.challenge_id)
        .where('consumed_at', 'is', null)
        .execute();
    }
    if (to === 'fraud') {
      await moveDeviceState(trx, device.id, ['active', 'pending'], 'suspended', now);
      await cancelPendingPushes(trx, user.id);
    }
    await recordAudit(trx, now, { ...audit, action: to === 'fraud' ? 'push.fraud_reported' : 'push.denied', details: about });
    return true;
  });
  if (!moved) throw conflict(effectivePushState((await findPushChallenge(db, push.id)) ?? push, now));
  announcePushChange({ pushId: push.id, challengeId: push.challenge_id, state: to });
  // Denied and reported sign-ins count toward the account's lock (an expiry does not: nobody answered).
  if (push.kind === 'sign_in')
    await countFailedSecondFactor(ctx, { user, tenant, challenge: { id: push.challenge_id! }, method: 'push', meta, now });
  return { outcome: to === 'fraud' ? 'fraud_reported' : 'denied', deviceState: to === 'fraud' ? 'suspended' : device.state };
}

async function refuseWrongCode(
  ctx: ServerContext,
  c: {
    push: PushChallengeRow;
    user: { id: string };
    tenant: { id: string; policy: { pushMaxWrongCodes: number; pushLockHours: number } };
    device: PushDeviceRow;
    audit: { tenantId: string; userId: string; actorType: 'user'; actorId: string; ip: string };
    now: number;
  },
): Promise<never> {
  const { db } = ctx.store;
  const { pushMaxWrongCodes, pushLockHours } = c.tenant.policy;
  const result = await db.transaction().execute(async (trx) => {
    const counted = await countPushWrongCode(trx, c.user.id, pushMaxWrongCodes, c.now + pushLockHours * HOUR, c.now);
    await recordAudit(trx, c.now, {
      ...c.audit,
      action: 'push.wrong_code',
      details: { pushId: c.push.id, deviceId: c.device.id, wrongCodesInRow: counted.wrongCodes },
    });
    if (counted.locked) {
      await cancelPendingPushes(trx, c.user.id);
      await recordAudit(trx, c.now, {
        ...c.audit,
        action: 'push.locked',
        details: { wrongCodes: counted.wrongCodes, hours: pushLockHours },
      });
    }
    return counted;
  });
  if (result.locked || result.wrongCodes >= pushMaxWrongCodes) {
    announcePushChange({ pushId: c.push.id, challengeId: c.push.challenge_id, state: 'cancelled' });
    const user = await findUserById(db, c.user.id);
    throw pushLocked(user!);
  }
  throw new ApiError('invalid_code', 'The code is wrong. Type the code shown on the sign-in screen.', {
    attemptsLeft: pushMaxWrongCodes - result.wrongCodes,
  });
}
