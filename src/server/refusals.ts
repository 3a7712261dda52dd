import { ApiError } from './api-error.js';
import { iso } from './clock.js';
import type { LockoutRow } from './store/repositories/lockouts.js';

/**
 * The refusals more than one flow answers with, written once (better-auth's two-factor
 * `error-code.ts`): the same situation reads the same wherever it is met, and a wording is changed in
 * one place. A refusal met in one place only stays where it is thrown.
 */
export const refusals = {
  /** `why` leads the sentence when the lock was just taken ("Too many wrong codes."). */
  accountLocked: (lockout: LockoutRow, why?: string) =>
    new ApiError(
      'account_locked',
      `${why ? `${why} ` : ''}The account is locked until ${iso(lockout.until)}.`,
      lockedAnswerDetails(lockout),
    ),
  noSuchChallenge: () => new ApiError('not_found', 'There is no such challenge. Sign in again.'),
  challengeOver: () => new ApiError('challenge_expired', 'This sign-in step has expired or used all its attempts. Sign in again.'),
  smsNotAvailable: () => new ApiError('method_not_available', 'This account cannot receive sign-in codes by SMS. Use another method.'),
  pushNotAvailable: () => new ApiError('method_not_available', 'Push approval is not available for this account. Use another method.'),
  sessionEnded: () => new ApiError('invalid_token', 'The session has expired or was signed out. Sign in again.'),
};

/** What a client needs to tell the user about a lock: until when, and why. */
export function lockedAnswerDetails(lockout: LockoutRow): { lockedUntil: string; reason: string } {
  return { lockedUntil: iso(lockout.until), reason: lockout.reason };
}
