/**
 * The peer's run: setup.ts (schema, users, open challenges; not measured), then server.ts as its own
 * process, then load from this process with the load shape of bench/signin (bench/support/auth-phases.ts):
 * keep-alive clients (16 by default), closed loop; each request chain keeps its own cookies.
 *
 *   node bin/run-ts.mjs bench/peers/better-auth/load.ts [--seconds 10] [--clients 16] [--verify N] [--peer-hash argon2id|default]
 *
 * `--peer-hash` (auth.ts): argon2id at MFA Desk's parameters (the default here), or better-auth's own
 * default hash (scrypt, as shipped). Each run has a database and setup of its own.
 *
 * Phases:
 *   warm-up: 2 s of verifies on challenges of their own (not counted).
 *   verify-only: fixed work, N users (default 400 x seconds) each with one challenge opened before the
 *     window (the signed two_factor cookie of a real sign-in); each request is POST
 *     /api/auth/two-factor/verify-totp with that cookie and the user's current code, and must be
 *     accepted (200, a session token, a session cookie). Other answers are counted apart.
 *   full sign-in: for `seconds`, POST /api/auth/sign-in/email (password verify; answers
 *     twoFactorRedirect and sets the two_factor cookie), then verify-totp with that cookie and a fresh
 *     code; both must succeed. A user signs in at most once per 30 s step, as in MFA Desk's phase B.
 * Import `runBetterAuth` (bench/compare.ts) or run this file alone.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSync } from 'otplib';
import { freshVerifyPhase, signInPhase } from '../../support/auth-phases.js';
import { CookieJar, LoadClient, type Answer } from '../../support/load-client.js';
import { startListeningProcess, stopProcess } from '../../support/server-process.js';
import { describe } from '../../support/tally.js';
import {
  BETTER_AUTH_SCRYPT,
  isPeerHash,
  PEER_ARGON2ID_PARAMETERS,
  PEER_BASE_PATH,
  PEER_ORIGIN,
  PEER_PASSWORD,
  TWO_FACTOR_COOKIE,
  type PeerHash,
  type PeerSetup,
  type PeerUser,
} from './shared.js';

const peerDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(peerDir, '../../..');
const runTs = join(repoRoot, 'bin/run-ts.mjs');
const SESSION_COOKIE = 'better-auth.session_token';

/** Installs the peer's own packages (its package-lock.json) when its node_modules is missing. */
export async function ensurePeerInstalled(log: (line: string) => void = console.log): Promise<void> {
  if (existsSync(join(peerDir, 'node_modules/better-auth/package.json'))) return;
  log('installing bench/peers/better-auth (npm ci --prefix bench/peers/better-auth)...');
  await run('npm', ['ci', '--prefix', peerDir, '--no-audit', '--no-fund'], process.env);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { env, stdio: 'inherit', cwd: repoRoot });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

const codeFor = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });

/** "accepted": 200 with a session token in the body and a session cookie set; else the status and better-auth's error code. */
function classify(answer: Answer, jar: CookieJar): string {
  if (answer.status === 200 && typeof answer.body.token === 'string' && jar.get(SESSION_COOKIE)) return 'accepted';
  return `status_${answer.status}_${String(answer.body.code ?? answer.body.message ?? '')}`;
}

async function verifyTotp(client: LoadClient, jar: CookieJar, secret: string): Promise<Answer> {
  const answer = await client.post(`${PEER_BASE_PATH}/two-factor/verify-totp`, { code: codeFor(secret) }, undefined, jar.header());
  jar.take(answer.headers);
  return answer;
}

export interface PeerRunOptions {
  seconds: number;
  clients: number;
  /** Users (and challenges) of the verify-only phase; default 400 x seconds. */
  verify?: number;
  /** The peer's password hash (auth.ts); default argon2id. */
  hash?: PeerHash;
  log?: (line: string) => void;
}

/** What each `hash` configures (auth.ts), next to what setup read back from the database. */
export const PEER_HASH_CONFIGURED = {
  argon2id: {
    label: 'argon2id as MFA Desk',
    configured: { type: 'argon2id', ...PEER_ARGON2ID_PARAMETERS },
    note: 'better-auth emailAndPassword.password.hash/verify with the argon2 package; no limit on concurrent hashes (libuv thread pool)',
  },
  default: {
    label: 'as shipped',
    configured: { type: 'scrypt', ...BETTER_AUTH_SCRYPT },
    note: "better-auth's default hashPassword/verifyPassword (node:crypto scrypt, no password option given); no limit on concurrent hashes (libuv thread pool)",
  },
} as const;

export async function runBetterAuth(options: PeerRunOptions) {
  const log = options.log ?? console.log;
  const { seconds, clients } = options;
  const verifyCount = options.verify ?? Math.max(200, Math.ceil(seconds * 400));
  const hash = options.hash ?? 'argon2id';
  const name = `better-auth (${PEER_HASH_CONFIGURED[hash].label})`;
  await ensurePeerInstalled(log);
  const dir = mkdtempSync(join(tmpdir(), 'better-auth-peer-'));
  const env = { ...process.env, BENCH_PEER_SECRET: randomBytes(32).toString('base64') };
  let server: Awaited<ReturnType<typeof startListeningProcess>>['child'] | undefined;
  try {
    const startedAt = new Date().toISOString();
    log(`${name}: setup (${verifyCount} verify users, 600 warm-up, 2,000 pool; schema by getMigrations; --hash ${hash})...`);
    const dbFile = join(dir, 'peer.db');
    const setupFile = join(dir, 'setup.json');
    await run(
      process.execPath,
      [
        runTs,
        join(peerDir, 'setup.ts'),
        '--db',
        dbFile,
        '--out',
        setupFile,
        '--warmup',
        '600',
        '--verify',
        String(verifyCount),
        '--pool',
        '2000',
        '--hash',
        hash,
      ],
      env,
    );
    const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as PeerSetup;
    const started = await startListeningProcess([runTs, join(peerDir, 'server.ts'), '--db', dbFile, '--hash', hash], env);
    server = started.child;
    log(`${name} ${setup.betterAuthVersion} ${started.url}; ${clients} clients; password hash ${setup.passwordHashParameters}`);
    const client = new LoadClient(started.url, clients * 2, { origin: PEER_ORIGIN });

    const verifyOne = async (user: PeerUser) => {
      const jar = new CookieJar(user.cookie);
      const answer = await verifyTotp(client, jar, user.secret);
      return { key: classify(answer, jar), ms: answer.ms };
    };
    await freshVerifyPhase(setup.warmup, clients, verifyOne, 2000);
    const verifyOnly = await freshVerifyPhase(setup.verify, clients, verifyOne, seconds * 3000);
    log(`${name} verify-only (accepted TOTP verifies/s): ${describe(verifyOnly)}`);

    const fullSignIn = await signInPhase(setup.pool, clients, seconds * 1000, async (user) => {
      const begun = performance.now();
      const jar = new CookieJar();
      const signIn = await client.post(
        `${PEER_BASE_PATH}/sign-in/email`,
        { email: user.email, password: PEER_PASSWORD },
        undefined,
        jar.header(),
      );
      jar.take(signIn.headers);
      if (signIn.status !== 200 || signIn.body.twoFactorRedirect !== true || !jar.get(TWO_FACTOR_COOKIE))
        return { key: `sign_in_${signIn.status}_${String(signIn.body.code ?? signIn.body.twoFactorRedirect)}`, ms: signIn.ms };
      const verify = await verifyTotp(client, jar, user.secret);
      const key = classify(verify, jar);
      return { key: key === 'accepted' ? 'signed_in' : `verify_${key}`, ms: performance.now() - begun };
    });
    log(`${name} full sign-ins/s (password + TOTP): ${describe(fullSignIn)}`);
    client.close();
    const { seconds: setupSeconds, apiCheck, passwordChecksAnsweredWithoutHashing, betterAuthVersion } = setup;
    return {
      betterAuthVersion,
      peerHash: hash,
      startedAt,
      at: new Date().toISOString(),
      passwordHash: {
        parameters: setup.passwordHashParameters,
        storedAs: setup.passwordHashStoredAs,
        configured: PEER_HASH_CONFIGURED[hash].configured,
        note: PEER_HASH_CONFIGURED[hash].note,
      },
      setup: {
        seconds: setupSeconds,
        apiCheck,
        passwordChecksAnsweredWithoutHashing,
        users: { warmup: setup.warmup.length, verify: setup.verify.length, pool: setup.pool.length },
      },
      verifyOnly,
      fullSignIn,
    };
  } finally {
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      clients: { type: 'string', default: '16' },
      verify: { type: 'string' },
      'peer-hash': { type: 'string', default: 'argon2id' },
    },
  });
  const hash = values['peer-hash'];
  if (!isPeerHash(hash)) {
    console.error('usage: load.ts [--seconds N] [--clients N] [--verify N] [--peer-hash argon2id|default]');
    process.exit(2);
  }
  runBetterAuth({
    hash,
    seconds: Number(values.seconds),
    clients: Number(values.clients),
    ...(values.verify ? { verify: Number(values.verify) } : {}),
  })
    .then((result) => console.log(JSON.stringify(result, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
