/**
 * The one list of second-factor methods. The tenant policy, the end-user API and the admin API all
 * build their enums from it, and the server's factor registry (src/server/factors/registry.ts) is a
 * `Record<SignInMethod, Factor>`: a method added here does not compile until it has a factor.
 */

/** Factors a user enrols, in no order of preference (a tenant's `allowedMethods` orders them). */
export const enrolledMethods = ['totp', 'sms', 'push'] as const;
export type EnrolledMethod = (typeof enrolledMethods)[number];

/**
 * Factors a user can set up at first enrollment, with an enrollment token. A push device is added to
 * an account that already has one of these: its enrollment is started from a signed-in session (with
 * a fresh second factor) or by support, and its recovery codes came with the first factor.
 */
export const firstFactorMethods = ['totp', 'sms'] as const satisfies readonly EnrolledMethod[];
export type FirstFactorMethod = (typeof firstFactorMethods)[number];

/** Every way to answer a challenge: the enrolled factors and the recovery codes that come with them. */
export const signInMethods = [...enrolledMethods, 'recovery_code'] as const;
export type SignInMethod = (typeof signInMethods)[number];

/**
 * What each method counts as in an ID token's `amr` (RFC 8176 where it has a word: an app code and
 * a recovery code are one-time passwords; `push` is this product's, as the issue names it).
 */
export const amrOfMethod: Record<SignInMethod, string> = { totp: 'otp', sms: 'sms', push: 'push', recovery_code: 'otp' };

/** A session's amr after a password and, when given, a second factor ("pwd otp mfa"). */
export function signInAmr(method?: SignInMethod): string[] {
  return method ? ['pwd', amrOfMethod[method], 'mfa'] : ['pwd'];
}
