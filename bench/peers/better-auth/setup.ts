/**
 * Prepares the peer's SQLite database before its server starts (not measured):
 *
 *   node bin/run-ts.mjs bench/peers/better-auth/setup.ts --db FILE --out FILE [--warmup N] [--verify N] [--pool N]
 *     [--hash argon2id|default]   (the password hash, auth.ts; the server must get the same)
 *   (BENCH_PEER_SECRET: better-auth's secret, the same the server gets)
 *
 * 1. The schema, by better-auth's own programmatic migration (`getMigrations(options).runMigrations()`:
 *    user, session, account, verification, and the twoFactor plugin's table and user column).
 * 2. A correctness check through better-auth's HTTP API (in process, `auth.handler`): sign up, enable
 *    TOTP (`/two-factor/enable`, the secret from its `totpURI`), confirm it with a code, sign in (the
 *    plugin answers `twoFactorRedirect` and sets its cookie), verify the code. Also whether the same
 *    code is accepted on a second sign-in in the same step (better-auth keeps no used step).
 * 3. The bench users through better-auth's own adapter (`internalAdapter.createUser`, `linkAccount`,
 *    `adapter.create('twoFactor')`), written as the API wrote the check user's rows: the credential
 *    account with a hash by the configured hasher (argon2id: `argon2.hash` at PEER_ARGON2ID; default:
 *    better-auth's own `hashPassword`), the TOTP secret and backup codes encrypted with
 *    `symmetricEncrypt` under the auth secret, the factor verified. All share one hash of one password
 *    (as MFA Desk's bench users do): the API path costs three password hashes per user.
 *    The rows of the first bench user are compared with the check user's (same columns filled), and the
 *    parameters of its stored hash with those of the check user's (made by better-auth's sign-up).
 * 4. One open two-factor challenge for each warm-up and verify user, by better-auth's own sign-in
 *    endpoint (`/sign-in/email`: session made and deleted, the verification rows and the signed
 *    `two_factor` cookie made by the plugin's hook), the cookie kept for the load client.
 *    The choice, and why: opening a challenge costs a password check, and with the real argon2id
 *    verify (about 60 a second on the two shared cores) the 4,000 challenges of a 10-second phase
 *    would take over a minute. So this setup process passes `password.verify` a check that answers
 *    for the one shared hash without re-hashing (the answer the real verify gave for it once, checked
 *    below); any other hash still runs the real verify (argon2, or better-auth's `verifyPassword`). The
 *    measured server is a separate process that hashes on every sign-in. The challenges themselves
 *    are exactly what a real sign-in leaves.
 */
import { scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import { generateRandomString, hashPassword, symmetricDecrypt, symmetricEncrypt, verifyPassword } from 'better-auth/crypto';
import { getMigrations } from 'better-auth/db/migration';
import { generateSync } from 'otplib';
import { CookieJar } from '../../support/load-client.js';
import { createPeerAuth, PEER_ARGON2ID, type PasswordVerify } from './auth.js';
import {
  BETTER_AUTH_SCRYPT,
  isPeerHash,
  PEER_BASE_PATH,
  PEER_ORIGIN,
  PEER_PASSWORD,
  TWO_FACTOR_COOKIE,
  type PeerHash,
  type PeerSetup,
  type PeerUser,
} from './shared.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32 without padding: how better-auth's totpURI carries the secret's UTF-8 bytes. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const code = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });

/** The hasher and verifier the server runs for `hash` (auth.ts). */
const HASHERS: Record<PeerHash, { hash: (password: string) => Promise<string>; verify: PasswordVerify }> = {
  argon2id: { hash: (password) => argon2.hash(password, PEER_ARGON2ID), verify: ({ hash, password }) => argon2.verify(hash, password) },
  default: { hash: hashPassword, verify: verifyPassword },
};

/**
 * The parameters of a stored hash, read back: argon2id's PHC string up to its salt; for better-auth's
 * default ("<salt hex>:<key hex>", no parameters stored), BETTER_AUTH_SCRYPT once they re-derive the key.
 */
function storedParameters(stored: string): { parameters: string; storedAs: string } {
  if (stored.startsWith('$argon2')) return { parameters: stored.split('$').slice(0, 4).join('$'), storedAs: 'PHC string' };
  const [salt = '', key = ''] = stored.split(':');
  const { N, r, p, dkLen } = BETTER_AUTH_SCRYPT;
  const derived = scryptSync(PEER_PASSWORD.normalize('NFKC'), salt, dkLen, { N, r, p, maxmem: 256 * N * r }).toString('hex');
  if (!/^[0-9a-f]+$/.test(salt) || derived !== key)
    throw new Error(`stored hash ${salt}:${key.slice(0, 8)}... is not scrypt ${JSON.stringify(BETTER_AUTH_SCRYPT)}`);
  return { parameters: `scrypt:N=${N},r=${r},p=${p},dkLen=${dkLen}`, storedAs: `<salt: ${salt.length} hex>:<key: ${key.length} hex>` };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      out: { type: 'string' },
      warmup: { type: 'string', default: '600' },
      verify: { type: 'string', default: '4000' },
      pool: { type: 'string', default: '2000' },
      hash: { type: 'string', default: 'argon2id' },
    },
  });
  const secret = process.env.BENCH_PEER_SECRET;
  const peerHash = values.hash;
  if (!values.db || !values.out || !secret || !isPeerHash(peerHash))
    throw new Error(
      'usage: setup.ts --db FILE --out FILE [--warmup N] [--verify N] [--pool N] [--hash argon2id|default], with BENCH_PEER_SECRET set',
    );
  const counts = { warmup: Number(values.warmup), verify: Number(values.verify), pool: Number(values.pool) };
  const t0 = performance.now();
  const lap = (since: number) => +((performance.now() - since) / 1000).toFixed(1);

  const hasher = HASHERS[peerHash];
  const sharedHash = await hasher.hash(PEER_PASSWORD);
  if (!(await hasher.verify({ hash: sharedHash, password: PEER_PASSWORD }))) throw new Error(`${peerHash} does not verify its own hash`);
  let shortcuts = 0;
  const setupVerify: PasswordVerify = async ({ hash, password }) => {
    if (hash === sharedHash && password === PEER_PASSWORD) {
      shortcuts++;
      return true;
    }
    return hasher.verify({ hash, password });
  };
  const { auth, options, sqlite } = createPeerAuth(values.db, secret, peerHash, setupVerify);

  const { runMigrations, toBeCreated, toBeAdded } = await getMigrations(options);
  await runMigrations();
  const migrate = lap(t0);

  /** One request through better-auth's HTTP handler, in process; the jar sends and keeps cookies. */
  const call = async (path: string, body: unknown, jar?: CookieJar) => {
    const response = await auth.handler(
      new Request(`${PEER_ORIGIN}${PEER_BASE_PATH}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: PEER_ORIGIN, ...(jar?.header() as Record<string, string>) },
        body: JSON.stringify(body),
      }),
    );
    jar?.takeLines(response.headers.getSetCookie());
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const expect = (
    what: string,
    answer: { status: number; body: Record<string, unknown> },
    ok: (body: Record<string, unknown>) => boolean,
  ) => {
    if (answer.status !== 200 || !ok(answer.body)) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };

  // 2. The check user, through the API.
  const t1 = performance.now();
  const email = 'api-check@bench.test';
  const session = new CookieJar();
  expect(
    'sign-up/email',
    await call('/sign-up/email', { email, password: PEER_PASSWORD, name: 'API check' }, session),
    (b) => typeof b.token === 'string' || typeof b.user === 'object',
  );
  const enabled = await call('/two-factor/enable', { password: PEER_PASSWORD }, session);
  expect('two-factor/enable', enabled, (b) => typeof b.totpURI === 'string');
  const apiSecret = new URL(String(enabled.body.totpURI)).searchParams.get('secret')!;
  expect(
    'two-factor/verify-totp (enrolment)',
    await call('/two-factor/verify-totp', { code: code(apiSecret) }, session),
    (b) => typeof b.token === 'string',
  );
  const signIn = async () => {
    const jar = new CookieJar();
    const answer = await call('/sign-in/email', { email, password: PEER_PASSWORD }, jar);
    expect('sign-in/email', answer, (b) => b.twoFactorRedirect === true);
    if (!jar.get(TWO_FACTOR_COOKIE)) throw new Error(`sign-in/email set no ${TWO_FACTOR_COOKIE} cookie`);
    return jar;
  };
  const firstCode = code(apiSecret);
  const first = await call('/two-factor/verify-totp', { code: firstCode }, await signIn());
  expect('two-factor/verify-totp (sign-in)', first, (b) => typeof b.token === 'string');
  const again = await call('/two-factor/verify-totp', { code: firstCode }, await signIn());
  const ctx = await auth.$context;
  const checkUser = sqlite.prepare('SELECT id FROM user WHERE email = ?').get(email) as { id: string };
  const stored = sqlite.prepare('SELECT secret FROM twoFactor WHERE userId = ?').get(checkUser.id) as { secret: string };
  const decrypted = await symmetricDecrypt({ key: ctx.secretConfig, data: stored.secret });
  if (base32(new TextEncoder().encode(decrypted)) !== apiSecret) throw new Error("base32 of the stored secret is not the totpURI's secret");
  const apiCheck = {
    signUpEnableConfirmSignInVerify: 'ok',
    totpUriSecretMatchesStoredSecret: true,
    sameCodeOnASecondSignInInTheSameStep:
      again.status === 200 ? 'accepted (better-auth keeps no used TOTP step)' : `refused: ${again.status} ${JSON.stringify(again.body)}`,
    migrations: { tablesCreated: toBeCreated.map((t) => t.table), tablesChanged: toBeAdded.map((t) => t.table) },
  };
  const apiCheckSeconds = lap(t1);

  // 3. Bench users through better-auth's adapter.
  const t2 = performance.now();
  const makeUsers = async (prefix: string, n: number): Promise<PeerUser[]> => {
    const users: PeerUser[] = [];
    for (let i = 0; i < n; i++) {
      const userEmail = `${prefix}${i}@bench.test`;
      const user = await ctx.internalAdapter.createUser(
        { email: userEmail, name: userEmail, emailVerified: false, twoFactorEnabled: true },
        { method: 'email-password' },
      );
      await ctx.internalAdapter.linkAccount({ userId: user.id, providerId: 'credential', accountId: user.id, password: sharedHash });
      const raw = generateRandomString(32);
      const backupCodes = Array.from({ length: 10 }, () => generateRandomString(10, 'a-z', '0-9', 'A-Z')).map(
        (c) => `${c.slice(0, 5)}-${c.slice(5)}`,
      );
      await ctx.adapter.create({
        model: 'twoFactor',
        data: {
          secret: await symmetricEncrypt({ key: ctx.secretConfig, data: raw }),
          backupCodes: await symmetricEncrypt({ key: ctx.secretConfig, data: JSON.stringify(backupCodes) }),
          userId: user.id,
          verified: true,
        },
      });
      users.push({ email: userEmail, secret: base32(new TextEncoder().encode(raw)) });
    }
    return users;
  };
  const warmup = await makeUsers('warmup', counts.warmup);
  const verify = await makeUsers('verify', counts.verify);
  const pool = await makeUsers('pool', counts.pool);
  // The same columns filled as for the user the API made.
  const filled = (table: string, column: string, value: string) => {
    const row = sqlite.prepare(`SELECT * FROM "${table}" WHERE "${column}" = ?`).get(value) as Record<string, unknown>;
    return Object.keys(row)
      .filter((k) => row[k] !== null)
      .sort()
      .join(',');
  };
  const seededUser = sqlite.prepare('SELECT id FROM user WHERE email = ?').get(pool[0]?.email ?? verify[0]!.email) as { id: string };
  for (const [table, column] of [
    ['user', 'id'],
    ['account', 'userId'],
    ['twoFactor', 'userId'],
  ] as const) {
    const api = filled(table, column, checkUser.id);
    const seeded = filled(table, column, seededUser.id);
    if (api !== seeded) throw new Error(`${table}: the API filled ${api}, the seed ${seeded}`);
  }
  const storedHash = (userId: string) =>
    storedParameters(
      (sqlite.prepare("SELECT password FROM account WHERE userId = ? AND providerId = 'credential'").get(userId) as { password: string })
        .password,
    );
  const seededHash = storedHash(seededUser.id);
  const apiHash = storedHash(checkUser.id);
  if (JSON.stringify(apiHash) !== JSON.stringify(seededHash))
    throw new Error(`stored hashes: the API's ${JSON.stringify(apiHash)}, the seed's ${JSON.stringify(seededHash)}`);
  const usersSeconds = lap(t2);

  // 4. One open challenge per warm-up and verify user, by the real sign-in endpoint.
  const t3 = performance.now();
  const open = [...warmup, ...verify];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < open.length) {
        const user = open[next++]!;
        const jar = new CookieJar();
        expect(
          `sign-in/email ${user.email}`,
          await call('/sign-in/email', { email: user.email, password: PEER_PASSWORD }, jar),
          (b) => b.twoFactorRedirect === true,
        );
        const value = jar.get(TWO_FACTOR_COOKIE);
        if (!value) throw new Error(`no ${TWO_FACTOR_COOKIE} cookie for ${user.email}`);
        user.cookie = `${TWO_FACTOR_COOKIE}=${value}`;
      }
    }),
  );
  const challengesSeconds = lap(t3);
  sqlite.close();

  const { version } = JSON.parse(readFileSync(new URL('./node_modules/better-auth/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const out: PeerSetup = {
    betterAuthVersion: version,
    passwordHash: peerHash,
    passwordHashParameters: seededHash.parameters,
    passwordHashStoredAs: seededHash.storedAs,
    apiCheck,
    seconds: { migrate, apiCheck: apiCheckSeconds, users: usersSeconds, challenges: challengesSeconds, total: lap(t0) },
    passwordChecksAnsweredWithoutHashing: shortcuts,
    warmup,
    verify,
    pool,
  };
  writeFileSync(values.out, JSON.stringify(out));
  console.log(
    `peer setup (${peerHash} hash): ${counts.warmup + counts.verify + counts.pool} users, ${open.length} open challenges in ${out.seconds.total} s ${JSON.stringify(out.seconds)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
