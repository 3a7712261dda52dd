/**
 * What the peer's setup, server and load client agree on. No better-auth import here: bench/compare.ts
 * loads this (through load.ts) in the root's type check, which must pass without the peer installed.
 */

/** MFA Desk's OWASP_ARGON2ID (src/server/passwords/password-hasher.ts): argon2id, m=19456 KiB, t=2, p=1. */
export const PEER_ARGON2ID_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/**
 * The peer's password hash (auth.ts): `argon2id`, MFA Desk's argon2id given to better-auth through
 * `emailAndPassword.password.hash/verify`; or `default`, better-auth as shipped (no `password` option:
 * its own scrypt). Everything else is the same.
 */
export const PEER_HASHES = ['argon2id', 'default'] as const;
export type PeerHash = (typeof PEER_HASHES)[number];
export const isPeerHash = (value: unknown): value is PeerHash => PEER_HASHES.includes(value as PeerHash);
/**
 * better-auth 1.7's default hash (`hashPassword` of better-auth/crypto, from @better-auth/utils/password:
 * node:crypto scrypt of the NFKC password, 16 random bytes of salt as hex). It stores "<salt hex>:<key hex>",
 * without its parameters: setup.ts checks that these re-derive the stored key.
 */
export const BETTER_AUTH_SCRYPT = { N: 16_384, r: 16, p: 1, dkLen: 64 } as const;
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
  passwordHash: PeerHash;
  /**
   * Read back from the account table: argon2id, the stored hash up to its salt ("$argon2id$v=19$m=...");
   * default, "scrypt:N=...,r=...,p=...,dkLen=..." once those re-derived the stored key from its salt.
   */
  passwordHashParameters: string;
  /** What the account table holds, e.g. "<salt: 32 hex>:<key: 128 hex>". */
  passwordHashStoredAs: string;
  apiCheck: { sameCodeOnASecondSignInInTheSameStep: string } & Record<string, unknown>;
  seconds: { migrate: number; apiCheck: number; users: number; challenges: number; total: number };
  /** Setup's password checks answered for the one shared hash without re-hashing (setup.ts). */
  passwordChecksAnsweredWithoutHashing: number;
  warmup: PeerUser[];
  verify: PeerUser[];
  pool: PeerUser[];
}
