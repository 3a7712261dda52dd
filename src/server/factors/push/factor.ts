import { ApiError } from '../../api-error.js';
import { iso } from '../../clock.js';
import { refusals } from '../../refusals.js';
import { hasActivePushDevice } from '../../store/repositories/push-devices.js';
import { movePushState, pushForChallenge } from '../../store/repositories/push-challenges.js';
import type { Factor } from '../factor.js';

/**
 * Push approval with a code (NIST SP 800-63B-4 3.1.3): the sign-in screen shows a code, the person
 * types it on their device, and the device's signed answer approves the push (response.ts). The
 * challenge is then answered with `{method: 'push'}` and no code: the approval is the proof, and the
 * spend moves the push approved -> consumed in the success transaction, so it signs in once.
 */
export const pushFactor: Factor = {
  method: 'push',
  async offered(db, user, policy, now) {
    return policy.allowedMethods.includes('push') && !isPushLocked(user, now) && (await hasActivePushDevice(db, user.id));
  },
  async usableNow(db, user, _policy, now) {
    return !isPushLocked(user, now) && (await hasActivePushDevice(db, user.id));
  },
  async checkCode({ ctx, state, challenge, now }) {
    if (!state.tenant.policy.allowedMethods.includes('push')) throw refusals.pushNotAvailable();
    const push = await pushForChallenge(ctx.store.db, challenge.id);
    if (!push) throw new ApiError('invalid_request', 'No push was sent for this sign-in. Send one first.');
    if (push.state === 'pending' && push.expires_at > now) {
      throw new ApiError('conflict', 'The push has not been approved yet. Wait for the approval, then answer again.', {
        reason: 'push_pending',
      });
    }
    if (push.state !== 'approved')
      throw new ApiError('challenge_expired', `The push was ${push.state}. Sign in again.`, { push: push.state });
    return { outcome: 'right', spend: (trx) => movePushState(trx, push.id, 'approved', 'consumed', now) };
  },
  async view(db, user) {
    const first = await db
      .selectFrom('push_devices')
      .select('activated_at')
      .where('user_id', '=', user.id)
      .where('state', '=', 'active')
      .orderBy('activated_at', 'asc')
      .limit(1)
      .executeTakeFirst();
    return first?.activated_at != null ? { type: 'push', since: iso(first.activated_at) } : null;
  },
};

export function isPushLocked(user: { push_locked_until: number | null }, now: number): boolean {
  return user.push_locked_until !== null && user.push_locked_until > now;
}
