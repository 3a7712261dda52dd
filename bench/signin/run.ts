/**
 * Sign-in benchmark (not part of `npm test`). The server runs as its own process (`mfa-desk serve`);
 * this process seeds the database, then drives HTTP load with keep-alive connections.
 *
 *   npm run bench:signin -- [--db sqlite|postgres] [--seconds 10] [--clients 16] [--verify-users N]
 *
 * Phases (every phase counts every answer by kind; the JSON has them all):
 *   A. accepted TOTP verifies/s, fixed work: N users (default 3,000 x seconds), each with one open
 *      challenge and no code used yet; the clients go through them once, each request a fresh, right
 *      code that must be accepted. accepted/s = accepted / elapsed (first request to last answer).
 *      Any answer that is not an acceptance is shown; it should be 0.
 *   A2. replays refused/s: for `seconds`, requests carry codes already used (200 users, each signed in
 *      once just before), on open challenges. Refused as replays; a different, cheaper path than A.
 *   B. full sign-ins/s: login (argon2id), then verify with a fresh code; both must succeed. Users are
 *      drawn from a pool of 2,000 so the one-code-per-user-per-step rule never sets the pace.
 *   C. accepted-verify latency with half the clients alone, then while the other half floods
 *      password sign-ins (fixed work again, each capped at `seconds`).
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LoadClient } from '../support/load-client.js';
import { describe, summary } from '../support/tally.js';
import { startSeededMfaDesk, type RunningMfaDesk } from './mfa-desk.js';
import { acceptedVerifyPhase, freshUsersFor, fullSignInPhase, passwordFlood, replayPhase, spendCurrentCodes } from './phases.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    'verify-users': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const db = values.db as 'sqlite' | 'postgres';
const verifyUsers = values['verify-users'] ? Number(values['verify-users']) : freshUsersFor(seconds, 3000);
if (!['sqlite', 'postgres'].includes(db) || !(seconds > 0) || !(clients > 0) || !(verifyUsers > 0)) {
  console.error('usage: bench/signin/run.ts [--db sqlite|postgres] [--seconds N] [--clients N] [--verify-users N]');
  process.exit(2);
}
const half = Math.max(1, Math.floor(clients / 2));
const replayUsers = 200;

let running: RunningMfaDesk<string> | undefined;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  console.log(`seeding (${db}): ${verifyUsers} users for A, and for warm-up, A2, B, C...`);
  const mfa = await startSeededMfaDesk(db, {
    warmup: { users: freshUsersFor(2, 2000), challengesPerUser: 1 },
    verify: { users: verifyUsers, challengesPerUser: 1 },
    // Five attempts a challenge, one spent before the window: enough for 4,000 replays/s.
    replay: { users: replayUsers, challengesPerUser: Math.ceil((seconds * 4000) / (replayUsers * 5)) + 2 },
    pool: { users: 2000, challengesPerUser: 0 },
    alone: { users: freshUsersFor(seconds, 2000), challengesPerUser: 1 },
    flood: { users: freshUsersFor(seconds, 1500), challengesPerUser: 1 },
  });
  running = mfa;
  const { sets, tenant } = mfa.seeded;
  console.log(`seeded in ${mfa.seeded.seedSeconds} s; password hash ${mfa.seeded.passwordHashParameters}`);
  console.log(
    `server ${mfa.url}; ${clients} clients; ${seconds}s per timed phase; ${cpus().length} cores shared by server and load client`,
  );
  const client = new LoadClient(mfa.url, clients * 2);
  const results: Record<string, unknown> = {};

  // Warm-up (2 s of fresh codes, not counted).
  await acceptedVerifyPhase(client, sets.warmup, clients, 2000);

  const a = await acceptedVerifyPhase(client, sets.verify, clients, seconds * 3000);
  results.acceptedVerify = a;
  console.log(`A.  accepted TOTP verifies/s: ${describe(a)}`);
  if (a.otherAnswers) console.log(`    NOT HONEST: ${a.otherAnswers} answers were not acceptances`);

  const used = await spendCurrentCodes(client, sets.replay, clients);
  const a2 = await replayPhase(client, used, clients, seconds * 1000);
  results.replaysRefused = a2;
  console.log(`A2. replays refused/s (already-used codes, not acceptances): ${describe(a2)}`);

  const b = await fullSignInPhase(client, sets.pool, tenant, clients, seconds * 1000);
  results.fullSignIn = { ...b, signInsPerSecond: b.goalPerSecond };
  console.log(`B.  full sign-ins/s (password + TOTP): ${describe(b)}`);

  const alone = await acceptedVerifyPhase(client, sets.alone, half, seconds * 1000);
  results.verifyAlone = alone;
  console.log(`C1. accepted verify, ${half} clients alone: ${describe(alone)}`);
  const floodClient = new LoadClient(mfa.url, half);
  let verifying = true;
  const [during, flood] = await Promise.all([
    acceptedVerifyPhase(client, sets.flood, half, seconds * 1000).finally(() => (verifying = false)),
    passwordFlood(floodClient, sets.pool, tenant, half, () => verifying),
  ]);
  floodClient.close();
  client.close();
  results.verifyDuringFlood = during;
  results.passwordFlood = summary(flood.tally, flood.elapsedSeconds);
  console.log(`C2. accepted verify during the flood: ${describe(during)}`);
  console.log(`C2. password flood (${half} clients): ${describe(results.passwordFlood as ReturnType<typeof summary>)}`);

  const notAccepted = [a, alone, during].reduce((n, s) => n + s.otherAnswers, 0) + b.otherAnswers;
  const out = {
    db,
    at: new Date().toISOString(),
    startedAt,
    cores: cpus().length,
    node: process.version,
    clients,
    seconds,
    passwordHash: mfa.seeded.passwordHashParameters,
    seed: { seconds: mfa.seeded.seedSeconds, users: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])) },
    method: {
      acceptedVerify:
        'A: fixed work, each seeded user verifies once with a fresh right code on its own open challenge; goalPerSecond = accepted / elapsedSeconds',
      replaysRefused:
        'A2: for `seconds`, already-used codes on open challenges (200 users); goalPerSecond = refused_replay / elapsedSeconds',
      fullSignIn: 'B: for `seconds`, login then verify with a fresh code; goalPerSecond = signed_in / elapsedSeconds',
      verifyAlone: `C1: as A with ${half} clients, capped at \`seconds\``,
      verifyDuringFlood: `C2: as C1 while ${half} other clients send password sign-ins`,
    },
    notAcceptedAnswers: notAccepted,
    results,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/signin-${db}.json`, `${JSON.stringify(out, null, 2)}\n`);
  console.log(
    `written bench/results/signin-${db}.json${notAccepted ? ` (WARNING: ${notAccepted} answers in A, B, C were not acceptances)` : ''}`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => running?.stop());
