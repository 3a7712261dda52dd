/**
 * Sign-in benchmark (not part of `npm test`). The server runs as its own process (`mfa-desk serve`);
 * this process seeds the database, then drives HTTP load with keep-alive connections.
 *
 *   npm run bench:signin -- [--db sqlite|postgres] [--seconds 10] [--clients 16]
 *
 * Phases:
 *   A. TOTP verify requests/s: 16 clients, 200 enrolled users, each request a real verify of the
 *      current code on an open challenge. One code per user and 30 s step can succeed; the rest are
 *      refused as replays by the same check, so the answer mix is reported too.
 *   B. full sign-ins/s (password + TOTP): login, then verify. Users are drawn from a pool of 2,000 so
 *      the one-code-per-user-per-step rule, not the server, never sets the pace.
 *   C. TOTP verify latency (p50/p95/p99) alone, then while 8 clients flood password sign-ins.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSync } from 'otplib';
import { configFromEnv } from '../../src/server/config.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';
import { LoadClient, percentile, runFor } from '../support/load-client.js';
import { startServerProcess } from '../support/server-process.js';
import { BENCH_PASSWORD, seedBenchUsers, type BenchUser } from './seed.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
if (!['sqlite', 'postgres'].includes(values.db!) || !(seconds > 0) || !(clients > 0)) {
  console.error('usage: bench/signin/run.ts [--db sqlite|postgres] [--seconds N] [--clients N]');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'mfa-bench-'));
let postgres: PrivatePostgres | undefined;
let server: ChildProcess | undefined;

function codeFor(secret: string, at = Date.now()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
}

async function startServer(env: NodeJS.ProcessEnv): Promise<string> {
  const started = await startServerProcess(env);
  server = started.child;
  return started.url;
}

interface Tally {
  latencies: number[];
  statuses: Map<string, number>;
}
const tally = (): Tally => ({ latencies: [], statuses: new Map() });
function count(t: Tally, key: string, ms: number): void {
  t.latencies.push(ms);
  t.statuses.set(key, (t.statuses.get(key) ?? 0) + 1);
}
function summary(t: Tally, secondsRun: number) {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    perSecond: Math.round(sorted.length / secondsRun),
    p50ms: +percentile(sorted, 50).toFixed(2),
    p95ms: +percentile(sorted, 95).toFixed(2),
    p99ms: +percentile(sorted, 99).toFixed(2),
    answers: Object.fromEntries(t.statuses),
  };
}

/** One verify request for a user's current challenge; moves to the next challenge when spent. */
async function verifyOnce(client: LoadClient, user: BenchUser & { cursor?: number }, t: Tally): Promise<void> {
  user.cursor ??= 0;
  const challenge = user.challenges[user.cursor];
  if (!challenge) throw new Error('the bench ran out of seeded challenges; seed more');
  const answer = await client.post(`/v1/auth/challenges/${challenge}/verify`, { method: 'totp', code: codeFor(user.secret) });
  const key = answer.status === 200 ? 'accepted' : answer.status === 400 ? 'refused_replay' : `status_${answer.status}_${String(answer.body.error)}`;
  count(t, key, answer.ms);
  if (answer.status === 200 || answer.status === 410 || (answer.status === 400 && answer.body.attemptsLeft === 0)) user.cursor++;
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, MFA_DESK_DATA_DIR: dataDir, MFA_DESK_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn', DATABASE_URL: '' };
  if (values.db === 'postgres') {
    postgres = await startPrivatePostgres();
    env.DATABASE_URL = postgres.url;
  }
  const config = { ...configFromEnv(env) };
  console.log(`seeding (${values.db})...`);
  const { users, pool, tenant } = await seedBenchUsers(config, { users: 200, challengesPerUser: 120, poolUsers: 2000 });
  const baseUrl = await startServer(env);
  console.log(`server ${baseUrl}; ${clients} clients; ${seconds}s per phase; ${cpus().length} cores shared by server and load client`);
  const client = new LoadClient(baseUrl, clients * 2);
  const results: Record<string, unknown> = {};

  // A. TOTP verify throughput (2 s warm-up first).
  const byWorker = (list: BenchUser[], workers: number, w: number) => list.filter((_, i) => i % workers === w);
  const turn = new Array<number>(clients).fill(0);
  const pick = (list: BenchUser[], workers: number, w: number) => {
    const mine = byWorker(list, workers, w);
    return mine[turn[w]!++ % mine.length]!;
  };
  await runFor(2000, clients, (w) => verifyOnce(client, pick(users, clients, w), tally()));
  const a = tally();
  await runFor(seconds * 1000, clients, (w) => verifyOnce(client, pick(users, clients, w), a));
  results.totpVerify = summary(a, seconds);
  console.log('A. TOTP verify', results.totpVerify);

  // B. Full sign-ins: password, then a fresh code. A user is used at most once per 30 s step.
  const lastStep = new Map<string, number>();
  const b = tally();
  let signIns = 0;
  const poolTurn = new Array<number>(clients).fill(0);
  await runFor(seconds * 1000, clients, async (w) => {
    const mine = byWorker(pool, clients, w);
    const step = Math.floor(Date.now() / 30_000);
    let user: BenchUser | undefined;
    for (let tries = 0; tries < mine.length && !user; tries++) {
      const candidate = mine[poolTurn[w]!++ % mine.length]!;
      if ((lastStep.get(candidate.id) ?? -1) < step) user = candidate;
    }
    if (!user) return new Promise((r) => setTimeout(r, 50));
    lastStep.set(user.id, step);
    const started = performance.now();
    const login = await client.post('/v1/auth/login', { tenant, email: user.email, password: BENCH_PASSWORD });
    if (login.body.status !== 'mfa_required') return count(b, `login_${login.status}`, login.ms);
    const verify = await client.post(`/v1/auth/challenges/${String(login.body.challengeId)}/verify`, { method: 'totp', code: codeFor(user.secret) });
    if (verify.status === 200) signIns++;
    count(b, verify.status === 200 ? 'signed_in' : `verify_${verify.status}`, performance.now() - started);
  });
  results.fullSignIn = { ...summary(b, seconds), signInsPerSecond: +(signIns / seconds).toFixed(1) };
  console.log('B. full sign-in', results.fullSignIn);

  // C. Verify latency alone, then during a flood of password sign-ins.
  const half = Math.max(1, Math.floor(clients / 2));
  const alone = tally();
  await runFor(seconds * 1000, half, (w) => verifyOnce(client, pick(users, half, w), alone));
  results.verifyAlone = summary(alone, seconds);
  console.log('C1. verify alone', results.verifyAlone);
  const during = tally();
  const flood = tally();
  const floodClient = new LoadClient(baseUrl, half);
  await Promise.all([
    runFor(seconds * 1000, half, (w) => verifyOnce(client, pick(users, half, w), during)),
    runFor(seconds * 1000, half, async (w) => {
      const user = pool[(w * 7919 + flood.latencies.length) % pool.length]!;
      const login = await floodClient.post('/v1/auth/login', { tenant, email: user.email, password: BENCH_PASSWORD });
      count(flood, login.status === 200 ? 'password_ok' : `status_${login.status}`, login.ms);
    }),
  ]);
  floodClient.close();
  results.verifyDuringFlood = summary(during, seconds);
  results.passwordFlood = summary(flood, seconds);
  console.log('C2. verify during flood', results.verifyDuringFlood);
  console.log('C2. password flood', results.passwordFlood);
  client.close();

  const out = { db: values.db, at: new Date().toISOString(), cores: cpus().length, node: process.version, clients, seconds, results };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/signin-${values.db}.json`, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written bench/results/signin-${values.db}.json`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    server?.kill('SIGTERM');
    postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
