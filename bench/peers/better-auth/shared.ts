/**
 * What the peer's setup, server and load client agree on. No better-auth import here: bench/compare.ts
 * loads this (through load.ts) in the root's type check, which must pass without the peer installed.
 */

/** MFA Desk's OWASP_ARGON2ID (src/server/passwords/password-hasher.ts): argon2id, m=19456 KiB, t=2, p=1. */
export const PEER_ARGON2ID_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** better-auth's base URL; the server listens on any port of 127.0.0.1. */
export const PEER_ORIGIN = 'http://127.0.0.1';
export const PEER_BASE_PATH = '/api/auth';
/** The cookie the twoFactor plugin keeps a pending sign-in in (signed; value: the verification id). */
export const TWO_FACTOR_COOKIE = 'better-auth.two_factor';
/** The password of every bench user (MFA Desk's bench uses the same). */
export const PEER_PASSWORD = 'bench password 2026';

export interface PeerUser {
  email: string;
  /** Base32, as the user's authenticator app gets it from the totpURI. */
  secret: string;
  /** `better-auth.two_factor=<signed id>`: an open challenge (warm-up and verify users). */
  cookie?: string;
}

/** What setup.ts leaves for the load client (a JSON file). */
export interface PeerSetup {
  betterAuthVersion: string;
  /** The stored argon2 hash up to its salt, as read back from the account table. */
  passwordHashParameters: string;
  apiCheck: { sameCodeOnASecondSignInInTheSameStep: string } & Record<string, unknown>;
  seconds: { migrate: number; apiCheck: number; users: number; challenges: number; total: number };
  passwordChecksAnsweredWithoutArgon2: number;
  warmup: PeerUser[];
  verify: PeerUser[];
  pool: PeerUser[];
}
