import type { Kysely } from 'kysely';
import type { FactorView } from '../../shared/api/views.js';
import type { SignInMethod } from '../../shared/methods.js';
import type { TenantPolicy } from '../../shared/policy.js';
import type { ServerContext } from '../context.js';
import type { ChallengeRow } from '../store/repositories/challenges.js';
import type { SignInState } from '../store/repositories/sign-in-state.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';

/** Spends an accepted code inside the success transaction; false when a concurrent request spent it first. */
export type SpendCode = (trx: Kysely<Database>) => Promise<boolean>;

/**
 * A factor's verdict on a code. `already_used`: a right code that was spent before (a TOTP step of a
 * sign-in a moment ago, a used recovery code): refused, but no guess, so not counted toward the lock.
 */
export type CodeCheck = { outcome: 'wrong' } | { outcome: 'already_used' } | { outcome: 'right'; spend: SpendCode };

export interface CodeCheckInput {
  ctx: ServerContext;
  state: SignInState;
  challenge: ChallengeRow;
  code: string;
  now: number;
}

/**
 * One second factor, as the sign-in and the views see it (better-auth's two-factor provider type).
 * Everything else about it (enrollment steps, sending a code, support's reset) lives in its folder,
 * factors/<name>/. The wrong-code count and the account lock are not a factor's business: the
 * challenge verification (flows/challenge-verification.ts) keeps them, one rule for every factor.
 */
export interface Factor {
  readonly method: SignInMethod;
  /** Whether a challenge for this user offers the method (the sign-in's `methods`). */
  offered(db: Kysely<Database>, user: UserRow, policy: TenantPolicy, now: number): Promise<boolean>;
  /** Whether an offered method can be used right now (support's "next sign-in": SMS left today, codes left). */
  usableNow(db: Kysely<Database>, user: UserRow, policy: TenantPolicy, now: number): Promise<boolean>;
  /**
   * Checks a code for an open challenge. A right code is spent later, in the success transaction
   * (`spend`), so a request that loses the race for the challenge keeps it. Throws a refusal when the
   * user cannot use this method at all (no phone: `method_not_available`; no app or codes: `invalid_request`).
   */
  checkCode(input: CodeCheckInput): Promise<CodeCheck>;
  /** The safe-to-show view of the user's enrolled factor, or null (recovery codes are counted, not listed). */
  view(db: Kysely<Database>, user: UserRow): Promise<FactorView | null>;
}
