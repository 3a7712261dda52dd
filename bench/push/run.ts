/**
 * Push approval benchmark (not part of `npm test`): approvals end to end with the Node reference
 * device, against `mfa-desk serve` as its own process on SQLite.
 *
 *   npm run bench:push -- [--users 60] [--per-user 5] [--clients 4]
 *
 * Setup (not timed): one tenant (sms preset; push limits raised so the benchmark is not refused as
 * push bombing), `users` users enrolled with the app, each with an active push device (enrolled by
 * its link and activated by its test code), and `per-user` open sign-in challenges each (password
 * sign-ins, argon2id, before the window: the password step is bench:signin's business).
 * Timed, fixed work: `clients` workers go through the challenges, a user's challenges one after
 * another (one pending push per user), each:
 *   1. open the sign-in's event stream (GET /v1/auth/challenges/:id/events, Server-Sent Events);
 *   2. send the push (POST .../push) and read the code the sign-in screen shows;
 *   3. the device fetches its pending request (signed GET /v1/push/pending);
 *   4. the device approves with the code (signed POST /v1/push/challenges/:id/respond);
 *   5. the waiting sign-in receives `approved` on its stream;
 *   6. the sign-in verifies with {method: "push"} and must get a session.
 * approvals/s = sessions issued / elapsed. Latency = from the device sending its approval (4) to the
 * event arriving at the waiting sign-in (5); p50/p95/p99 over every approval.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSync } from 'otplib';
import { ReferencePushDevice } from '../../src/push-device/reference-device.js';
import { createContext } from '../../src/server/bootstrap.js';
import { configFromEnv } from '../../src/server/config.js';
import { createTenant, createUser } from '../../src/server/flows/provisioning.js';
import { startServerProcess, stopProcess } from '../support/server-process.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '60' },
    'per-user': { type: 'string', default: '5' },
    clients: { type: 'string', default: '4' },
  },
});
const users = Number(values.users);
const perUser = Number(values['per-user']);
const clients = Number(values.clients);
if (![users, perUser, clients].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: bench/push/run.ts [--users N] [--per-user N] [--clients N]');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'mfa-desk-bench-push-'));
const env = { ...process.env, MFA_DESK_DATA_DIR: dataDir, MFA_DESK_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn' };

async function json(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface BenchUser {
  email: string;
  password: string;
  device: ReferencePushDevice;
  challenges: string[];
}

async function main(): Promise<void> {
  // Tenant and users straight into the database, before the server starts.
  const ctx = await createContext(configFromEnv(env));
  const tenant = await createTenant(ctx, { slug: 'bench-push', name: 'Bench Push AS', preset: 'sms' });
  const policy = { ...tenant.policy, askOnlyOnNewIpOrPasswordChange: false, pushPer15Minutes: 100, pushPerDaySinceSuccess: 1000 };
  await ctx.store.db
    .updateTable('tenants')
    .set({ policy: JSON.stringify(policy) })
    .where('id', '=', tenant.id)
    .execute();
  const accounts = Array.from({ length: users }, (_, i) => ({ email: `push-${i}@bench.test`, password: `bench password ${i} xyz` }));
  for (const account of accounts) await createUser(ctx, { tenant: 'bench-push', name: 'Bench', ...account });
  await ctx.delivery.stop();
  await ctx.store.close();

  const { url, child } = await startServerProcess(env);
  try {
    console.log(`setting up ${users} users with a push device and ${perUser} open sign-ins each...`);
    const benchUsers: BenchUser[] = [];
    for (const account of accounts) {
      const login = await json(`${url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ tenant: 'bench-push', ...account }) });
      const token = String(login.enrollmentToken);
      const auth = { authorization: `Bearer ${token}` };
      const started = await json(`${url}/v1/enroll/totp`, { method: 'POST', headers: auth, body: '{}' });
      const code = generateSync({ secret: String(started.secret) });
      await json(`${url}/v1/enroll/totp/confirm`, { method: 'POST', headers: auth, body: JSON.stringify({ code }) });
      const completed = await json(`${url}/v1/enroll/complete`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ recoveryCodesSaved: true }),
      });
      const enrollment = await json(`${url}/v1/me/push-devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${String(completed.sessionToken)}` },
        body: '{}',
      });
      // The server's public URL is its configured one; the benchmark's server listens on a free port.
      const link = String(enrollment.enrollmentUrl).replace(/^https?:\/\/[^/]+/, url);
      const device = await ReferencePushDevice.enroll(link, { name: 'bench device' });
      await device.activate(String(enrollment.testCode));
      benchUsers.push({ ...account, device, challenges: [] });
    }
    for (let round = 0; round < perUser; round++) {
      for (const user of benchUsers) {
        const login = await json(`${url}/v1/auth/login`, {
          method: 'POST',
          body: JSON.stringify({ tenant: 'bench-push', email: user.email, password: user.password }),
        });
        if (login.preferred !== 'push') throw new Error(`expected push first, got ${JSON.stringify(login)}`);
        user.challenges.push(String(login.challengeId));
      }
    }

    console.log(`timed: ${users * perUser} approvals with ${clients} clients...`);
    const latencies: number[] = [];
    const outcomes: Record<string, number> = {};
    const queue = [...benchUsers];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let user = queue.shift(); user; user = queue.shift()) {
          for (const challengeId of user.challenges) {
            const outcome = await approveOnce(url, user.device, challengeId, latencies).catch((error: Error) => `error: ${error.message}`);
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const sessions = outcomes.authenticated ?? 0;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    const result = {
      benchmark: 'push approvals end to end (Node reference device, SQLite)',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      users,
      perUser,
      clients,
      approvals: users * perUser,
      outcomes,
      elapsedSeconds: Number(elapsed.toFixed(2)),
      approvalsPerSecond: Number((sessions / elapsed).toFixed(1)),
      approvalToSignInMs: { p50: round(pct(50)), p95: round(pct(95)), p99: round(pct(99)), max: round(latencies.at(-1) ?? NaN) },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/push-sqlite.json', `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Number(ms.toFixed(2));

/** One sign-in approved by push, steps 1-6 of the header; answers "authenticated" or what went wrong. */
async function approveOnce(url: string, device: ReferencePushDevice, challengeId: string, latencies: number[]): Promise<string> {
  const stream = await fetch(`${url}/v1/auth/challenges/${challengeId}/events`);
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let approvedAt = 0;
  const heard = (async () => {
    let text = '';
    while (!/event: (approved|denied|fraud|expired|cancelled)/.test(text)) {
      const { value, done } = await reader.read();
      if (done) return 'stream ended';
      text += value;
      if (text.includes('event: approved')) approvedAt = performance.now();
    }
    return /event: (\w+)/.exec(text.slice(text.lastIndexOf('event: ')))![1]!;
  })();
  try {
    const sent = await json(`${url}/v1/auth/challenges/${challengeId}/push`, { method: 'POST', body: '{}' });
    const pending = (await device.pending()).items.find((item) => item.context.kind === 'sign_in');
    if (!pending) return 'no pending request';
    const sentAt = performance.now();
    await device.respond(pending, 'approve', String(sent.code));
    const event = await heard;
    if (event !== 'approved') return `event ${event}`;
    latencies.push(approvedAt - sentAt);
    const verified = await json(`${url}/v1/auth/challenges/${challengeId}/verify`, {
      method: 'POST',
      body: JSON.stringify({ method: 'push' }),
    });
    return String(verified.status);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

await main();
