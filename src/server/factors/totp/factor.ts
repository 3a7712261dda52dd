import { ApiError } from '../../api-error.js';
import { iso } from '../../clock.js';
import { claimTotpStep, findTotpFactor } from '../../store/repositories/totp-factors.js';
import type { Factor } from '../factor.js';
import { checkTotpCode } from './totp-codes.js';

/** The authenticator app (RFC 6238): nothing is sent; the code comes from the app, once per 30 s step. */
export const totpFactor: Factor = {
  method: 'totp',
  async offered(db, user, policy) {
    return policy.allowedMethods.includes('totp') && (await findTotpFactor(db, user.id, 'active')) !== undefined;
  },
  async usableNow() {
    return true;
  },
  async checkCode({ ctx, state, code, now }) {
    const factor = state.totp;
    if (!factor) throw new ApiError('invalid_request', 'This account has no authenticator app. Use another method.');
    const result = checkTotpCode({ secret: ctx.secrets.open(factor.secret_enc, state.user.id), code, at: now });
    if (!result.valid) return { outcome: 'wrong' };
    // A step at or before the last one used is a replay of a right code (RFC 6238 section 5.2).
    if (factor.last_used_step !== null && result.step <= factor.last_used_step) return { outcome: 'already_used' };
    return { outcome: 'right', spend: (trx) => claimTotpStep(trx, factor.id, result.step) };
  },
  async view(db, user) {
    const factor = await findTotpFactor(db, user.id, 'active');
    return factor ? { type: 'totp', since: iso(factor.activated_at ?? factor.created_at) } : null;
  },
};
