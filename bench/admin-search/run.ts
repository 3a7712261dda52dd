/**
 * Admin search benchmark (not part of `npm test`): a database of N users (default 1,000,000, made
 * by the same code as `mfa-desk seed-bench`), the server as its own process, and a load client sending
 * `GET /v1/admin/users?q=<fragment>` with realistic fragments: 2-6 characters cut from real names,
 * emails and phone digits of the seeded users. Reports p50/p95/p99 at the HTTP boundary.
 *
 *   npm run bench:admin-search -- [--db sqlite|postgres] [--users 1000000] [--requests 3000] [--clients 4] [--data-dir DIR]
 *
 * --exact-emails searches by whole email addresses instead (one index lookup each): the floor a
 * search cannot go below on this machine, to tell the search's cost from the machine's.
 *
 * --data-dir keeps the seeded database (and PostgreSQL's cluster) in DIR: the first run seeds it, later
 * runs measure on it as it is (after migrating it to the current schema). --details FILE writes every
 * request (fragment, time, answer) to FILE.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { generateSync } from 'otplib';
import { createOperator } from '../../src/server/flows/operators.js';
import { LoadClient, percentile } from '../support/load-client.js';
import type { BenchDatabase } from '../support/kept-database.js';
import { openSeededDatabase } from '../support/seeded-database.js';
import { startServerProcess } from '../support/server-process.js';
import { fragmentsFrom } from './fragments.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '4' },
    'data-dir': { type: 'string' },
    // Every request's fragment, time and answer, to see which fragments are slow or cut short.
    details: { type: 'string' },
    'exact-emails': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const requests = Number(values.requests);
const clients = Number(values.clients);
if (!['sqlite', 'postgres'].includes(values.db!) || !(users > 0) || !(requests > 0) || !(clients > 0)) {
  console.error(
    'usage: bench/admin-search/run.ts [--db sqlite|postgres] [--users N] [--requests N] [--clients N] [--data-dir DIR] [--details FILE]',
  );
  process.exit(2);
}

let database: BenchDatabase | undefined;
let server: ChildProcess | undefined;

async function main(): Promise<void> {
  const seeded = await openSeededDatabase(values.db as 'sqlite' | 'postgres', users, values['data-dir']);
  ({ database } = seeded);
  const { ctx, seedSeconds } = seeded;
  const { env } = database;
  const password = 'bench operator password';
  // A new operator per run: a kept database has the previous runs' operators.
  const operatorEmail = `bench-${randomBytes(4).toString('hex')}@desk.test`;
  const operator = await createOperator(ctx, { email: operatorEmail, name: 'Bench', role: 'support', password });
  const samples = await ctx.store.db.selectFrom('users').select(['email', 'name', 'phone']).orderBy('id').limit(5000).execute();
  await ctx.delivery.stop();
  await ctx.store.close();

  const started = await startServerProcess(env);
  server = started.child;
  const client = new LoadClient(started.url, clients);
  const login = await client.post('/v1/admin/auth/login', {
    email: operatorEmail,
    password,
    code: generateSync({ secret: operator.totpSecret, epoch: Math.floor(Date.now() / 1000) }),
    deviceName: 'bench',
  });
  const token = String(login.body.accessToken);
  if (!token || login.status !== 200) throw new Error(`operator sign-in failed: ${JSON.stringify(login.body)}`);

  const fragments = values['exact-emails']
    ? Array.from({ length: requests + 200 }, (_, i) => ({ q: samples[i % samples.length]!.email, kind: 'email' as const }))
    : fragmentsFrom(samples, requests + 200);
  // Warm-up: caches and prepared statements, as a server that has run for a while has them.
  for (const f of fragments.slice(0, 200)) await client.get(`/v1/admin/users?q=${encodeURIComponent(f.q)}&limit=25`, token);
  // The 1-minute load average before and after: this VM's two cores are shared, and a busy neighbour
  // shows in every number; runs to compare should have seen about the same load.
  const loadBefore = loadavg()[0]!;
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
        results.push({
          ...f,
          ms: answer.ms,
          hits: (answer.body.items as unknown[]).length,
          complete: searched?.complete ?? true,
          examined: searched?.examined ?? 0,
        });
      }
    }),
  );
  client.close();

  const summarize = (rows: typeof results) => {
    // --exact-emails leaves the groups by length and kind empty.
    if (!rows.length) return { requests: 0 };
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
  const load = { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) };
  const out = {
    db: values.db,
    exactEmails: values['exact-emails'],
    at: new Date().toISOString(),
    cores: cpus().length,
    load,
    users,
    seedSeconds,
    clients,
    overall: summarize(results),
    byLength,
    byKind,
    slowest,
  };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/admin-search-${values.db}-${clients}clients${values['exact-emails'] ? '-exact-emails' : ''}.json`,
    `${JSON.stringify(out, null, 2)}\n`,
  );
  if (values.details) writeFileSync(values.details, `${JSON.stringify(results)}\n`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    server?.kill('SIGTERM');
    database?.close();
  });
