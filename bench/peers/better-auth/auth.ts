/**
 * The peer of `npm run bench:compare`: better-auth with its twoFactor plugin (TOTP), email and
 * password sign-in, on SQLite through better-sqlite3. Not part of MFA Desk: this folder has its own
 * package.json and node_modules (`npm ci --prefix bench/peers/better-auth`).
 *
 * Configured as a careful deployment would be, and as close to MFA Desk's bench as better-auth allows:
 * - passwords, by `hash` (shared.ts, PEER_HASHES):
 *   `argon2id`: argon2id at MFA Desk's parameters (m=19456 KiB, t=2, p=1, OWASP's minimum) through
 *   `emailAndPassword.password.hash/verify`, with the `argon2` package MFA Desk uses, so the full
 *   sign-in phase compares the frameworks with the same hash.
 *   `default`: better-auth as shipped, no `password` option (its own scrypt, BETTER_AUTH_SCRYPT).
 *   better-auth calls either as requests come: up to libuv's 4 threads hash at once (MFA Desk lets at
 *   most cores - 1 run, keeping a core for requests).
 * - SQLite with MFA Desk's pragmas: WAL, synchronous=NORMAL, busy_timeout, foreign keys on.
 * - the rate limiter off: it allows 3 two-factor requests per 10 s per IP, and every bench client is
 *   127.0.0.1 (MFA Desk's password throttling stays on in its runs; it lets this load through).
 * - telemetry off (no network here), logger at warn (MFA Desk runs LOG_LEVEL=warn).
 * - origin checks on: the load client sends `Origin: http://127.0.0.1` as a browser would.
 */
import argon2 from 'argon2';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins/two-factor';
import { PEER_ARGON2ID_PARAMETERS, PEER_BASE_PATH, PEER_ORIGIN, type PeerHash } from './shared.js';

/** MFA Desk's OWASP_ARGON2ID (src/server/passwords/password-hasher.ts); bench/compare.ts checks the stored hashes match. */
export const PEER_ARGON2ID = { type: argon2.argon2id, ...PEER_ARGON2ID_PARAMETERS } as const;

export type PasswordVerify = (data: { hash: string; password: string }) => Promise<boolean>;

export function openPeerDatabase(file: string): Database.Database {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

export function peerOptions(sqlite: Database.Database, secret: string, hash: PeerHash, verify?: PasswordVerify) {
  // `default`: better-auth's own hash and verify, or (setup) its own hash with `verify` in place of its verify.
  const password =
    hash === 'argon2id'
      ? {
          hash: (password: string) => argon2.hash(password, PEER_ARGON2ID),
          verify: verify ?? (({ hash, password }: { hash: string; password: string }) => argon2.verify(hash, password)),
        }
      : verify && { verify };
  return {
    appName: 'MFA Desk bench peer',
    baseURL: PEER_ORIGIN,
    basePath: PEER_BASE_PATH,
    secret,
    database: sqlite,
    trustedOrigins: [PEER_ORIGIN],
    emailAndPassword: { enabled: true, ...(password && { password }) },
    plugins: [twoFactor({ issuer: 'MFA Desk bench peer' })],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: 'warn' as const },
  };
}

/** The auth instance on `file` with password hash `hash`; `verify` replaces the password check (setup only: see setup.ts). */
export function createPeerAuth(file: string, secret: string, hash: PeerHash, verify?: PasswordVerify) {
  const sqlite = openPeerDatabase(file);
  const options = peerOptions(sqlite, secret, hash, verify);
  return { auth: betterAuth(options), options, sqlite };
}
