import { ApiError } from '../../api-error.js';
import { consumeRecoveryCode, countRecoveryCodesLeft, recoveryCodeState } from '../../store/repositories/recovery-codes.js';
import type { Factor } from '../factor.js';
import { hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.js';

/** Recovery codes: issued with every enrollment, each usable once, stamped `used_at` (not deleted). */
export const recoveryCodeFactor: Factor = {
  method: 'recovery_code',
  async offered(_db, user) {
    return user.recovery_batch_id !== null;
  },
  async usableNow(db, user) {
    return (await countRecoveryCodesLeft(db, user.id, user.recovery_batch_id)) > 0;
  },
  async checkCode({ ctx, state, code, now }) {
    const { user } = state;
    if (!user.recovery_batch_id) throw new ApiError('invalid_request', 'This account has no recovery codes. Use another method.');
    if (!looksLikeRecoveryCode(code)) return { outcome: 'wrong' };
    const batchId = user.recovery_batch_id;
    const hash = hashRecoveryCode(code);
    const known = await recoveryCodeState(ctx.store.db, user.id, batchId, hash);
    if (known === 'unknown') return { outcome: 'wrong' };
    if (known === 'used') return { outcome: 'already_used' };
    return { outcome: 'right', spend: (trx) => consumeRecoveryCode(trx, user.id, batchId, hash, now) };
  },
  // Counted (`recoveryCodesLeft` in both views), never listed: a code is shown once, when issued.
  async view() {
    return null;
  },
};
