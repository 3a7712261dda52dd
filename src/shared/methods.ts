/**
 * The one list of second-factor methods. The tenant policy, the end-user API and the admin API all
 * build their enums from it, and the server's factor registry (src/server/factors/registry.ts) is a
 * `Record<SignInMethod, Factor>`: a method added here does not compile until it has a factor.
 */

/** Factors a user enrols, in no order of preference (a tenant's `allowedMethods` orders them). */
export const enrolledMethods = ['totp', 'sms'] as const;
export type EnrolledMethod = (typeof enrolledMethods)[number];

/** Every way to answer a challenge: the enrolled factors and the recovery codes that come with them. */
export const signInMethods = [...enrolledMethods, 'recovery_code'] as const;
export type SignInMethod = (typeof signInMethods)[number];
