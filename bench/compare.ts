/**
 * MFA Desk against better-auth (its twoFactor plugin), one after the other in one run, on SQLite,
 * the same load shape (docs/BENCHMARKS.md, "bench:compare (better-auth)"):
 *
 *   npm run bench:compare -- [--seconds 10] [--clients 16] [--verify-users N] [--peer-verify N]
 *     [--peer-hash argon2id|default|both]
 *
 * 1. MFA Desk (bench/signin): a seeded SQLite database, `mfa-desk serve`, a 2 s warm-up, then
 *    A. accepted TOTP verifies/s (fixed work: N users with one open challenge each, every request a
 *    fresh right code) and B. full sign-ins/s (password, then code) for `seconds`.
 * 2. better-auth (bench/peers/better-auth, installed with `npm ci` there if missing): setup, its
 *    server, a 2 s warm-up, verify-only (challenges opened before the window, every request a fresh
 *    right code) and full sign-in, the same loops (bench/support/auth-phases.ts). By default twice, one
 *    after the other, each with a database and setup of its own (`--peer-hash`, auth.ts): `argon2id`,
 *    MFA Desk's argon2id given to better-auth; then `default`, better-auth as shipped (its own scrypt).
 * Prints all sides and MFA Desk's ratios against each peer and the targets (verify >= 10x, full
 * sign-in >= 2x) and writes bench/results/compare-better-auth.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { OWASP_ARGON2ID } from '../src/server/passwords/password-hasher.js';
import { PEER_ARGON2ID_PARAMETERS, PEER_HASHES, isPeerHash, type PeerHash } from './peers/better-auth/shared.js';
import { ensurePeerInstalled, PEER_HASH_CONFIGURED, runBetterAuth } from './peers/better-auth/load.js';
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
    'peer-hash': { type: 'string', default: 'both' },
  },
});
const peerHashes: PeerHash[] =
  values['peer-hash'] === 'both' ? [...PEER_HASHES] : isPeerHash(values['peer-hash']) ? [values['peer-hash']] : [];
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const verifyUsers = values['verify-users'] ? Number(values['verify-users']) : freshUsersFor(seconds, 3000);
const peerVerify = values['peer-verify'] ? Number(values['peer-verify']) : freshUsersFor(seconds, 400);
if (!(seconds > 0) || !(clients > 0) || !(verifyUsers > 0) || !(peerVerify > 0) || peerHashes.length === 0) {
  console.error(
    'usage: bench/compare.ts [--seconds N] [--clients N] [--verify-users N] [--peer-verify N] [--peer-hash argon2id|default|both]',
  );
  process.exit(2);
}
const TARGETS = { verify: 10, fullSignIn: 2 };
/** OWASP Password Storage Cheat Sheet's argon2id minimum: m=19 MiB, t=2, p=1. */
const OWASP_MINIMUM = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * "$argon2id$v=19$m=19456,p=1,t=2" -> { type, memoryCost, timeCost, parallelism };
 * "scrypt:N=16384,r=16,p=1,dkLen=64" (better-auth's default, setup.ts) -> { type, N, r, p, dkLen, memoryKiB }.
 */
interface StoredHash {
  type: string;
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
  N?: number;
  r?: number;
  p?: number;
  dkLen?: number;
  memoryKiB?: number;
}
function parseHash(parameters: string): StoredHash {
  const phc = parameters.split('$'); // "", type, "v=19", list
  const [type = '', list = ''] = parameters.startsWith('$') ? [phc[1], phc[3]] : parameters.split(':');
  const p = Object.fromEntries(list.split(',').map((kv) => kv.split('=') as [string, string]));
  if (type !== 'scrypt') return { type, memoryCost: Number(p.m), timeCost: Number(p.t), parallelism: Number(p.p) };
  const [N, r] = [Number(p.N), Number(p.r)];
  return { type, N, r, p: Number(p.p), dkLen: Number(p.dkLen), memoryKiB: (128 * N * r) / 1024 };
}
const atLeastOwasp = (h: StoredHash) =>
  h.type === 'argon2id' && h.memoryCost! >= OWASP_MINIMUM.memoryCost && h.timeCost! >= OWASP_MINIMUM.timeCost && h.parallelism! >= 1;
const describeHash = (h: StoredHash) =>
  h.type === 'scrypt'
    ? `scrypt N=${h.N}, r=${h.r}, p=${h.p} (${h.memoryKiB! / 1024} MiB), a ${h.dkLen}-byte key`
    : `${h.type} m=${h.memoryCost} KiB, t=${h.timeCost}, p=${h.parallelism}`;

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

  // 2. better-auth, once per password hash, each with a database and setup of its own.
  const loadAfterPeer: Partial<Record<PeerHash, number>> = {};
  const runPeer = async (hash: PeerHash) => {
    const result = await runBetterAuth({ seconds, clients, verify: peerVerify, hash });
    loadAfterPeer[hash] = loadavg()[0]!;
    const verifyRatio = ratio(mfaVerify.goalPerSecond, result.verifyOnly.goalPerSecond);
    const signInRatio = ratio(mfaSignIn.goalPerSecond, result.fullSignIn.goalPerSecond);
    return {
      hash,
      label: PEER_HASH_CONFIGURED[hash].label,
      result,
      stored: parseHash(result.passwordHash.parameters),
      verifyRatio,
      signInRatio,
    };
  };
  const peers: Awaited<ReturnType<typeof runPeer>>[] = [];
  for (const hash of peerHashes) peers.push(await runPeer(hash));
  const loadAfter = loadavg()[0]!;

  // Hashes: all read back from what each side stored.
  const mfaHash = parseHash(mfaSeededHash);
  const sameAsMfaDesk = (h: StoredHash) => JSON.stringify(mfaHash) === JSON.stringify(h);
  const productParameters = {
    memoryCost: OWASP_ARGON2ID.memoryCost,
    timeCost: OWASP_ARGON2ID.timeCost,
    parallelism: OWASP_ARGON2ID.parallelism,
  };
  const peerConfiguredAsProduct = JSON.stringify(productParameters) === JSON.stringify({ ...PEER_ARGON2ID_PARAMETERS });

  const honest =
    mfaVerify.otherAnswers === 0 &&
    mfaSignIn.otherAnswers === 0 &&
    peers.every((p) => p.result.verifyOnly.otherAnswers === 0 && p.result.fullSignIn.otherAnswers === 0);
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  /** A row: the measure, MFA Desk's cell, then per peer its cell and the cell after it (ratio / met), then the target. */
  const row = (measure: string, mfaCell: string, cells: (p: (typeof peers)[number]) => [string, string], target = '') => [
    measure,
    mfaCell,
    ...peers.flatMap(cells),
    target,
  ];
  const rows = [
    ['measure', 'MFA Desk', ...peers.flatMap((p) => [`better-auth ${betterAuthVersion} ${p.label}`, 'ratio, met']), 'target'],
    row(
      `accepted TOTP verifies/s (${clients} clients)`,
      fmt(mfaVerify.goalPerSecond),
      (p) => [fmt(p.result.verifyOnly.goalPerSecond), `${fmt(p.verifyRatio, 1)}x ${yes(p.verifyRatio >= TARGETS.verify)}`],
      `>= ${TARGETS.verify}x`,
    ),
    row('  verify p50 / p99 ms', `${mfaVerify.p50ms} / ${mfaVerify.p99ms}`, (p) => [
      `${p.result.verifyOnly.p50ms} / ${p.result.verifyOnly.p99ms}`,
      '',
    ]),
    row(
      '  verifies done / answers not accepted',
      `${mfaVerify.goalCount} / ${mfaVerify.otherAnswers}`,
      (p) => [
        `${p.result.verifyOnly.goalCount} / ${p.result.verifyOnly.otherAnswers}`,
        yes(mfaVerify.otherAnswers + p.result.verifyOnly.otherAnswers === 0),
      ],
      '0 not accepted',
    ),
    row(
      `full sign-ins/s (password + TOTP)`,
      fmt(mfaSignIn.goalPerSecond, 1),
      (p) => [fmt(p.result.fullSignIn.goalPerSecond, 1), `${fmt(p.signInRatio, 2)}x ${yes(p.signInRatio >= TARGETS.fullSignIn)}`],
      `>= ${TARGETS.fullSignIn}x`,
    ),
    row('  sign-in p50 / p99 ms', `${mfaSignIn.p50ms} / ${mfaSignIn.p99ms}`, (p) => [
      `${p.result.fullSignIn.p50ms} / ${p.result.fullSignIn.p99ms}`,
      '',
    ]),
    row(
      '  sign-ins done / not signed in',
      `${mfaSignIn.goalCount} / ${mfaSignIn.otherAnswers}`,
      (p) => [
        `${p.result.fullSignIn.goalCount} / ${p.result.fullSignIn.otherAnswers}`,
        yes(mfaSignIn.otherAnswers + p.result.fullSignIn.otherAnswers === 0),
      ],
      '0 not signed in',
    ),
    row('password hash (stored)', mfaSeededHash, (p) => [p.result.passwordHash.parameters, sameAsMfaDesk(p.stored) ? 'same' : 'DIFFERENT']),
    row(
      '  at least OWASP argon2id (m=19456, t=2)',
      yes(atLeastOwasp(mfaHash)),
      (p) => [atLeastOwasp(p.stored) ? 'yes' : 'no', ''],
      'MFA Desk',
    ),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
  console.log('');
  console.log(`MFA Desk hashes with ${describeHash(mfaHash)} (the argon2 package), read back from its stored hashes.`);
  for (const p of peers)
    console.log(
      `better-auth ${p.label} hashes with ${describeHash(p.stored)}, read back from its stored hashes (${p.result.passwordHash.storedAs}${p.stored.type === 'scrypt' ? ': no parameters stored; these re-derive the stored key from its salt' : ''})${p.hash === 'argon2id' && !sameAsMfaDesk(p.stored) ? " (NOT MFA Desk's)" : ''}.`,
    );
  console.log(
    `MFA Desk runs at most cores - 1 (here ${Math.max(1, availableParallelism() - 1)}) hashes at once; better-auth hashes as requests come (argon2 or node:crypto scrypt, up to libuv's 4 threads).`,
  );
  for (const p of peers) {
    // Either reading of the issue: MFA Desk's hash at least OWASP's argon2id; against the argon2id peer, the same hash on both sides too.
    const hashOk = atLeastOwasp(mfaHash) && (p.hash !== 'argon2id' || sameAsMfaDesk(p.stored));
    console.log(
      `Target: full sign-ins/s >= ${TARGETS.fullSignIn}x better-auth ${p.label}, MFA Desk's hash >= OWASP's argon2id${p.hash === 'argon2id' ? ', the same on both sides' : ''}: ${fmt(p.signInRatio, 2)}x, ${yes(hashOk && p.signInRatio >= TARGETS.fullSignIn)}.`,
    );
  }
  const { setup } = peers[0]!.result;
  console.log(
    `better-auth's challenges were opened by its own sign-in endpoint before the window (setup ${peers.map((p) => `${p.result.setup.seconds.total} s`).join(', ')}). A used TOTP code on a second sign-in in the same step, better-auth: ${String(setup.apiCheck.sameCodeOnASecondSignInInTheSameStep)}; MFA Desk refuses it as a replay.`,
  );
  if (!peerConfiguredAsProduct && peerHashes.includes('argon2id'))
    console.log(
      `WARNING: the peer's argon2id parameters ${JSON.stringify(PEER_ARGON2ID_PARAMETERS)} are not MFA Desk's ${JSON.stringify(productParameters)}.`,
    );
  if (!honest) console.log('WARNING: some answers were not acceptances / sign-ins: the rates above are not the work they claim to be.');
  const totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);
  console.log(
    `load average (1 min): ${loadBefore.toFixed(2)} before, ${loadBetween.toFixed(2)} after MFA Desk, ${peers.map((p) => `${loadAfterPeer[p.hash]!.toFixed(2)} after better-auth ${p.label}`).join(', ')}; ${cpus().length} cores; whole run ${totalSeconds} s`,
  );

  const byPeer = <T>(f: (p: (typeof peers)[number]) => T) =>
    Object.fromEntries(peers.map((p) => [p.hash, f(p)])) as Partial<Record<PeerHash, T>>;
  const out = {
    startedAt,
    at: new Date().toISOString(),
    wholeRunSeconds: totalSeconds,
    machine: {
      cores: cpus().length,
      node: process.version,
      loadAverage1m: { before: loadBefore, between: loadBetween, afterPeer: loadAfterPeer, after: loadAfter },
    },
    versions: { mfaDesk: mfaDeskVersion, betterAuth: betterAuthVersion, node: process.version },
    load: { clients, seconds, keepAlive: true, closedLoop: true, db: 'sqlite', peerHashes },
    passwordHash: {
      mfaDesk: { stored: mfaSeededHash, ...mfaHash, concurrentHashes: Math.max(1, availableParallelism() - 1) },
      betterAuth: byPeer((p) => ({
        stored: p.result.passwordHash.parameters,
        storedAs: p.result.passwordHash.storedAs,
        ...p.stored,
        concurrentHashes: 'unlimited (libuv thread pool, 4 by default)',
        sameAsMfaDesk: sameAsMfaDesk(p.stored),
        atLeastOwaspMinimum: atLeastOwasp(p.stored),
      })),
      peerConfiguredAsProduct,
      owaspMinimum: { type: 'argon2id', ...OWASP_MINIMUM },
      mfaDeskAtLeastOwaspMinimum: atLeastOwasp(mfaHash),
    },
    targets: { verifyRatio: TARGETS.verify, fullSignInRatio: TARGETS.fullSignIn },
    ratios: byPeer((p) => ({ verify: +p.verifyRatio.toFixed(2), fullSignIn: +p.signInRatio.toFixed(2) })),
    met: {
      ...byPeer((p) => ({ verify: p.verifyRatio >= TARGETS.verify, fullSignIn: p.signInRatio >= TARGETS.fullSignIn })),
      mfaDeskHashAtLeastOwasp: atLeastOwasp(mfaHash),
      allAnswersAsClaimed: honest,
    },
    mfaDesk: {
      startedAt: mfaStartedAt,
      endedAt: mfaEndedAt,
      seed: { seconds: mfaSeedSeconds, users: { warmup: sets.warmup.length, verify: sets.verify.length, pool: sets.pool.length } },
      acceptedVerify: mfaVerify,
      fullSignIn: mfaSignIn,
    },
    betterAuth: byPeer((p) => p.result),
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
