/**
 * MFA Desk against better-auth (its twoFactor plugin), one after the other in one run, on SQLite,
 * the same load shape (docs/BENCHMARKS.md, "bench:compare (better-auth)"):
 *
 *   npm run bench:compare -- [--seconds 10] [--clients 16] [--verify-users N] [--peer-verify N]
 *
 * 1. MFA Desk (bench/signin): a seeded SQLite database, `mfa-desk serve`, a 2 s warm-up, then
 *    A. accepted TOTP verifies/s (fixed work: N users with one open challenge each, every request a
 *    fresh right code) and B. full sign-ins/s (password, then code) for `seconds`.
 * 2. better-auth (bench/peers/better-auth, installed with `npm ci` there if missing): setup, its
 *    server, a 2 s warm-up, verify-only (challenges opened before the window, every request a fresh
 *    right code) and full sign-in, the same loops (bench/support/auth-phases.ts).
 * Prints both and the ratios against the targets (verify >= 10x, full sign-in >= 2x) and writes
 * bench/results/compare-better-auth.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { OWASP_ARGON2ID } from '../src/server/passwords/password-hasher.js';
import { PEER_ARGON2ID_PARAMETERS } from './peers/better-auth/shared.js';
import { ensurePeerInstalled, runBetterAuth } from './peers/better-auth/load.js';
import { startSeededMfaDesk, type RunningMfaDesk } from './signin/mfa-desk.js';
import { acceptedVerifyPhase, freshUsersFor, fullSignInPhase } from './signin/phases.js';
import { LoadClient } from './support/load-client.js';
import { describe } from './support/tally.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    'verify-users': { type: 'string' },
    'peer-verify': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const verifyUsers = values['verify-users'] ? Number(values['verify-users']) : freshUsersFor(seconds, 3000);
const peerVerify = values['peer-verify'] ? Number(values['peer-verify']) : freshUsersFor(seconds, 400);
if (!(seconds > 0) || !(clients > 0) || !(verifyUsers > 0) || !(peerVerify > 0)) {
  console.error('usage: bench/compare.ts [--seconds N] [--clients N] [--verify-users N] [--peer-verify N]');
  process.exit(2);
}
const TARGETS = { verify: 10, fullSignIn: 2 };
/** OWASP Password Storage Cheat Sheet's argon2id minimum: m=19 MiB, t=2, p=1. */
const OWASP_MINIMUM = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** "$argon2id$v=19$m=19456,p=1,t=2" -> { type, m, t, p }. */
function parsePhc(parameters: string): { type: string; memoryCost: number; timeCost: number; parallelism: number } {
  const [, type = '', , list = ''] = parameters.split('$');
  const p = Object.fromEntries(list.split(',').map((kv) => kv.split('=') as [string, string]));
  return { type, memoryCost: Number(p.m), timeCost: Number(p.t), parallelism: Number(p.p) };
}
const atLeastOwasp = (h: ReturnType<typeof parsePhc>) =>
  h.type === 'argon2id' && h.memoryCost >= OWASP_MINIMUM.memoryCost && h.timeCost >= OWASP_MINIMUM.timeCost && h.parallelism >= 1;

const ratio = (a: number, b: number) => (b > 0 ? a / b : Infinity);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

let mfa: RunningMfaDesk<string> | undefined;

async function main(): Promise<void> {
  const runStarted = performance.now();
  const startedAt = new Date().toISOString();
  // Installing is not part of either side's time.
  await ensurePeerInstalled();
  const { version: mfaDeskVersion } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const { version: betterAuthVersion } = JSON.parse(
    readFileSync('bench/peers/better-auth/node_modules/better-auth/package.json', 'utf8'),
  ) as { version: string };

  // 1. MFA Desk.
  const loadBefore = loadavg()[0]!;
  console.log(`MFA Desk: seeding SQLite (${verifyUsers} users for the verify phase, 2,000 for sign-ins)...`);
  const desk = await startSeededMfaDesk('sqlite', {
    warmup: { users: freshUsersFor(2, 2000), challengesPerUser: 1 },
    verify: { users: verifyUsers, challengesPerUser: 1 },
    pool: { users: 2000, challengesPerUser: 0 },
  });
  mfa = desk;
  const { sets, tenant, passwordHashParameters: mfaSeededHash, seedSeconds: mfaSeedSeconds } = desk.seeded;
  console.log(`MFA Desk ${mfaDeskVersion} ${desk.url}; ${clients} clients; password hash ${mfaSeededHash}`);
  const mfaStartedAt = new Date().toISOString();
  const client = new LoadClient(desk.url, clients * 2);
  await acceptedVerifyPhase(client, sets.warmup, clients, 2000);
  const mfaVerify = await acceptedVerifyPhase(client, sets.verify, clients, seconds * 3000);
  console.log(`MFA Desk accepted TOTP verifies/s: ${describe(mfaVerify)}`);
  const mfaSignIn = await fullSignInPhase(client, sets.pool, tenant, clients, seconds * 1000);
  console.log(`MFA Desk full sign-ins/s (password + TOTP): ${describe(mfaSignIn)}`);
  client.close();
  const mfaEndedAt = new Date().toISOString();
  await desk.stop();
  mfa = undefined;
  const loadBetween = loadavg()[0]!;

  // 2. better-auth.
  const peer = await runBetterAuth({ seconds, clients, verify: peerVerify });
  const loadAfter = loadavg()[0]!;

  // Hashes: both read back from what each side stored.
  const mfaHash = parsePhc(mfaSeededHash);
  const peerHash = parsePhc(peer.passwordHash.parameters);
  const sameHash = JSON.stringify(mfaHash) === JSON.stringify(peerHash);
  const productParameters = {
    memoryCost: OWASP_ARGON2ID.memoryCost,
    timeCost: OWASP_ARGON2ID.timeCost,
    parallelism: OWASP_ARGON2ID.parallelism,
  };
  const peerConfiguredAsProduct = JSON.stringify(productParameters) === JSON.stringify({ ...PEER_ARGON2ID_PARAMETERS });

  const verifyRatio = ratio(mfaVerify.goalPerSecond, peer.verifyOnly.goalPerSecond);
  const signInRatio = ratio(mfaSignIn.goalPerSecond, peer.fullSignIn.goalPerSecond);
  const honest =
    mfaVerify.otherAnswers === 0 &&
    peer.verifyOnly.otherAnswers === 0 &&
    mfaSignIn.otherAnswers === 0 &&
    peer.fullSignIn.otherAnswers === 0;
  const rows = [
    ['measure', 'MFA Desk', `better-auth ${betterAuthVersion}`, 'ratio', 'target', 'met'],
    [
      `accepted TOTP verifies/s (${clients} clients)`,
      fmt(mfaVerify.goalPerSecond),
      fmt(peer.verifyOnly.goalPerSecond),
      `${fmt(verifyRatio, 1)}x`,
      `>= ${TARGETS.verify}x`,
      verifyRatio >= TARGETS.verify ? 'yes' : 'NO',
    ],
    ['  verify p50 / p99 ms', `${mfaVerify.p50ms} / ${mfaVerify.p99ms}`, `${peer.verifyOnly.p50ms} / ${peer.verifyOnly.p99ms}`, '', '', ''],
    [
      '  verifies done / answers not accepted',
      `${mfaVerify.goalCount} / ${mfaVerify.otherAnswers}`,
      `${peer.verifyOnly.goalCount} / ${peer.verifyOnly.otherAnswers}`,
      '',
      '0 not accepted',
      mfaVerify.otherAnswers + peer.verifyOnly.otherAnswers === 0 ? 'yes' : 'NO',
    ],
    [
      `full sign-ins/s (password + TOTP)`,
      fmt(mfaSignIn.goalPerSecond, 1),
      fmt(peer.fullSignIn.goalPerSecond, 1),
      `${fmt(signInRatio, 2)}x`,
      `>= ${TARGETS.fullSignIn}x`,
      signInRatio >= TARGETS.fullSignIn ? 'yes' : 'NO',
    ],
    [
      '  sign-in p50 / p99 ms',
      `${mfaSignIn.p50ms} / ${mfaSignIn.p99ms}`,
      `${peer.fullSignIn.p50ms} / ${peer.fullSignIn.p99ms}`,
      '',
      '',
      '',
    ],
    [
      '  sign-ins done / not signed in',
      `${mfaSignIn.goalCount} / ${mfaSignIn.otherAnswers}`,
      `${peer.fullSignIn.goalCount} / ${peer.fullSignIn.otherAnswers}`,
      '',
      '0 not signed in',
      mfaSignIn.otherAnswers + peer.fullSignIn.otherAnswers === 0 ? 'yes' : 'NO',
    ],
    [
      'password hash (stored)',
      mfaSeededHash,
      peer.passwordHash.parameters,
      sameHash ? 'same' : 'DIFFERENT',
      '>= OWASP argon2id',
      atLeastOwasp(mfaHash) && atLeastOwasp(peerHash) ? 'yes' : 'NO',
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
  console.log('');
  console.log(
    `Both sides hash with argon2id m=${peerHash.memoryCost} KiB, t=${peerHash.timeCost}, p=${peerHash.parallelism} (the argon2 package), read back from the stored hashes${sameHash ? '' : ' (THEY DIFFER)'}.`,
  );
  console.log(
    `MFA Desk runs at most cores - 1 (here ${Math.max(1, availableParallelism() - 1)}) hashes at once; better-auth, as configured, calls argon2 directly (up to libuv's 4 threads).`,
  );
  console.log(
    `better-auth's challenges were opened by its own sign-in endpoint before the window (setup ${peer.setup.seconds.total} s). A used TOTP code on a second sign-in in the same step, better-auth: ${String(peer.setup.apiCheck.sameCodeOnASecondSignInInTheSameStep)}; MFA Desk refuses it as a replay.`,
  );
  if (!peerConfiguredAsProduct)
    console.log(
      `WARNING: the peer's argon2id parameters ${JSON.stringify(PEER_ARGON2ID_PARAMETERS)} are not MFA Desk's ${JSON.stringify(productParameters)}.`,
    );
  if (!honest) console.log('WARNING: some answers were not acceptances / sign-ins: the rates above are not the work they claim to be.');
  const totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);
  console.log(
    `load average (1 min): ${loadBefore.toFixed(2)} before, ${loadBetween.toFixed(2)} between, ${loadAfter.toFixed(2)} after; ${cpus().length} cores; whole run ${totalSeconds} s`,
  );

  const out = {
    startedAt,
    at: new Date().toISOString(),
    wholeRunSeconds: totalSeconds,
    machine: { cores: cpus().length, node: process.version, loadAverage1m: { before: loadBefore, between: loadBetween, after: loadAfter } },
    versions: { mfaDesk: mfaDeskVersion, betterAuth: betterAuthVersion, node: process.version },
    load: { clients, seconds, keepAlive: true, closedLoop: true, db: 'sqlite' },
    passwordHash: {
      mfaDesk: { stored: mfaSeededHash, ...mfaHash, concurrentHashes: Math.max(1, availableParallelism() - 1) },
      betterAuth: { stored: peer.passwordHash.parameters, ...peerHash, concurrentHashes: 'unlimited (libuv thread pool, 4 by default)' },
      same: sameHash,
      peerConfiguredAsProduct,
      owaspMinimum: { type: 'argon2id', ...OWASP_MINIMUM },
      atLeastOwaspMinimum: atLeastOwasp(mfaHash) && atLeastOwasp(peerHash),
    },
    targets: { verifyRatio: TARGETS.verify, fullSignInRatio: TARGETS.fullSignIn },
    ratios: { verify: +verifyRatio.toFixed(2), fullSignIn: +signInRatio.toFixed(2) },
    met: { verify: verifyRatio >= TARGETS.verify, fullSignIn: signInRatio >= TARGETS.fullSignIn, allAnswersAsClaimed: honest },
    mfaDesk: {
      startedAt: mfaStartedAt,
      endedAt: mfaEndedAt,
      seed: { seconds: mfaSeedSeconds, users: { warmup: sets.warmup.length, verify: sets.verify.length, pool: sets.pool.length } },
      acceptedVerify: mfaVerify,
      fullSignIn: mfaSignIn,
    },
    betterAuth: peer,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/compare-better-auth.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('written bench/results/compare-better-auth.json');
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => mfa?.stop());
