/**
 * Admin search benchmark (not part of `npm test`): a database of N users (default 1,000,000, made
 * by the same code as `mfa-desk seed-bench`), the server as its own process, and a load client sending
 * `GET /v1/admin/users?q=<fragment>` with realistic fragments: 2-6 characters cut from real names,
 * emails and phone digits of the seeded users. Reports p50/p95/p99 at the HTTP boundary.
 *
 *   npm run bench:admin-search -- [--db sqlite|postgres] [--users 1000000] [--requests 3000] [--clients 4]
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { generateSync } from 'otplib';
import { createContext } from '../../src/server/bootstrap.js';
import { configFromEnv } from '../../src/server/config.js';
import { seedBulkUsers } from '../../src/server/flows/bulk-seed.js';
import { createOperator } from '../../src/server/flows/operators.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';
import { LoadClient, percentile } from '../support/load-client.js';
import { startServerProcess } from '../support/server-process.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '4' },
  },
});
const users = Number(values.users);
const requests = Number(values.requests);
const clients = Number(values.clients);
if (!['sqlite', 'postgres'].includes(values.db!) || !(users > 0) || !(requests > 0) || !(clients > 0)) {
  console.error('usage: bench/admin-search/run.ts [--db sqlite|postgres] [--users N] [--requests N] [--clients N]');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'mfa-search-bench-'));
let postgres: PrivatePostgres | undefined;
let server: ChildProcess | undefined;

/**
 * Two-character fragments that few or no users contain: what a support agent types on the way to a
 * longer query ("qj", "s6"). Unbounded, each of these walked every user (issue 8, finding 8).
 */
const RARE_SHORT = ['qj', 'qx', 'zq', 'xj', 'jq', 'vq', 'q9', 'x3', 's6', 'a7', 'wq', 'qz'];

/**
 * Deterministic fragments: a 2-6 character piece of a name, an email, or phone digits of a real user;
 * and one request in ten a rare two-character fragment.
 */
function fragmentsFrom(samples: Array<{ email: string; name: string; phone: string | null }>, count: number): Array<{ q: string; kind: string }> {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: Array<{ q: string; kind: string }> = [];
  while (out.length < count) {
    if (next() < 0.1) {
      out.push({ q: RARE_SHORT[Math.floor(next() * RARE_SHORT.length)]!, kind: 'rare' });
      continue;
    }
    const user = samples[Math.floor(next() * samples.length)]!;
    const length = 2 + Math.floor(next() * 5);
    const roll = next();
    const source = roll < 0.4 ? user.name : roll < 0.8 ? user.email.split('@')[0]! : (user.phone ?? user.name).replace(/\D/g, '') || user.name;
    const kind = roll < 0.4 ? 'name' : roll < 0.8 ? 'email' : user.phone ? 'phone' : 'name';
    if (source.length < length) continue;
    const start = Math.floor(next() * (source.length - length + 1));
    out.push({ q: source.slice(start, start + length), kind });
  }
  return out;
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, MFA_DESK_DATA_DIR: dataDir, MFA_DESK_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn', DATABASE_URL: '' };
  if (values.db === 'postgres') {
    postgres = await startPrivatePostgres();
    env.DATABASE_URL = postgres.url;
  }
  const ctx = await createContext(configFromEnv(env));
  const seedStarted = Date.now();
  let lastPrint = 0;
  await seedBulkUsers(ctx, {
    users,
    onProgress: (done) => {
      if (Date.now() - lastPrint > 5000 || done === users) {
        lastPrint = Date.now();
        console.log(`seeded ${done}/${users} (${Math.round(done / ((Date.now() - seedStarted) / 1000))}/s)`);
      }
    },
  });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  // As autovacuum leaves a table that has been loaded a while ago: statistics, and the visibility
  // map that lets the search walk its index without touching the table.
  if (ctx.store.dialect === 'postgres') {
    await sql`VACUUM ANALYZE users`.execute(ctx.store.db);
    await sql`VACUUM ANALYZE user_search`.execute(ctx.store.db);
  }
  else await sql`ANALYZE`.execute(ctx.store.db);
  const password = 'bench operator password';
  const operator = await createOperator(ctx, { email: 'bench@desk.test', name: 'Bench', role: 'support', password });
  const samples = await ctx.store.db.selectFrom('users').select(['email', 'name', 'phone']).orderBy('id').limit(5000).execute();
  await ctx.delivery.stop();
  await ctx.store.close();

  const started = await startServerProcess(env);
  server = started.child;
  const client = new LoadClient(started.url, clients);
  const login = await client.post('/v1/admin/auth/login', { email: 'bench@desk.test', password, code: generateSync({ secret: operator.totpSecret, epoch: Math.floor(Date.now() / 1000) }), deviceName: 'bench' });
  const token = String(login.body.accessToken);
  if (!token || login.status !== 200) throw new Error(`operator sign-in failed: ${JSON.stringify(login.body)}`);

  const fragments = fragmentsFrom(samples, requests + 200);
  // Warm-up: caches and prepared statements, as a server that has run for a while has them.
  for (const f of fragments.slice(0, 200)) await client.get(`/v1/admin/users?q=${encodeURIComponent(f.q)}&limit=25`, token);
  const results: Array<{ q: string; kind: string; ms: number; hits: number; complete: boolean; examined: number }> = [];
  let index = 200;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (index < fragments.length) {
        const f = fragments[index++]!;
        const answer = await client.get(`/v1/admin/users?q=${encodeURIComponent(f.q)}&limit=25`, token);
        if (answer.status !== 200) throw new Error(`search failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        // A page cut short at the server's bound (searched.complete false) is fast by design: counted apart.
        const searched = answer.body.searched as { complete: boolean; examined: number } | undefined;
        results.push({ ...f, ms: answer.ms, hits: (answer.body.items as unknown[]).length, complete: searched?.complete ?? true, examined: searched?.examined ?? 0 });
      }
    }),
  );
  client.close();

  const summarize = (rows: typeof results) => {
    const sorted = rows.map((r) => r.ms).sort((a, b) => a - b);
    const cut = rows.filter((r) => !r.complete);
    return {
      requests: rows.length,
      p50ms: +percentile(sorted, 50).toFixed(2),
      p95ms: +percentile(sorted, 95).toFixed(2),
      p99ms: +percentile(sorted, 99).toFixed(2),
      maxms: +sorted.at(-1)!.toFixed(2),
      fullPages: rows.filter((r) => r.hits === 25).length,
      cutShort: cut.length,
      maxExamined: Math.max(0, ...rows.map((r) => r.examined)),
    };
  };
  const byLength = Object.fromEntries([2, 3, 4, 5, 6].map((n) => [`${n} chars`, summarize(results.filter((r) => r.q.length === n))]));
  const byKind = Object.fromEntries(['name', 'email', 'phone', 'rare'].map((k) => [k, summarize(results.filter((r) => r.kind === k))]));
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 10);
  const out = { db: values.db, at: new Date().toISOString(), cores: cpus().length, users, seedSeconds, clients, overall: summarize(results), byLength, byKind, slowest };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/admin-search-${values.db}-${clients}clients.json`, `${JSON.stringify(out, null, 2)}\n`);
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
