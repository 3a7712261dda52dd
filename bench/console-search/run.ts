/**
 * Console search benchmark (not part of `npm test`): from a keystroke in the users screen's search box
 * to the rendered results, in Debian's Chromium driving the built console through the browser host
 * (as `npm start` runs it without Electron), against the server as its own process on a database of
 * N users (default 1,000,000, the same data as bench/admin-search).
 *
 * Each search types a fragment from bench/admin-search's mix into the emptied box one character at a
 * time, with the gaps of someone typing (80-220 ms), so the console searches each prefix on the way
 * as it would for a support agent; the time is taken inside the page, from the input event of the last
 * keystroke to `data-results-for` naming the fragment (in-page.ts).
 *
 *   npm run bench:console-search -- [--db sqlite|postgres] [--users 1000000] [--searches 240] [--data-dir DIR]
 *
 * --data-dir: as bench/admin-search (a kept, seeded database; the two benches can share one).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { generateSync } from 'otplib';
import { startBrowserHost, type BrowserHost } from '../../src/main/browser-host.js';
import { createConsoleServices, type ConsoleServices } from '../../src/main/services/console-services.js';
import { createOperator } from '../../src/server/flows/operators.js';
import { buildConsole, launchChromium } from '../../test/e2e/console-harness.js';
import { connectTo, signedInOperator, signIn } from '../../test/e2e/sign-in-steps.js';
import { fragmentsFrom } from '../admin-search/fragments.js';
import type { BenchDatabase } from '../support/kept-database.js';
import { percentile } from '../support/load-client.js';
import { memoryCredentials } from '../support/memory-credentials.js';
import { openSeededDatabase } from '../support/seeded-database.js';
import { startServerProcess } from '../support/server-process.js';
import { inPageTimer, resultsFor } from './in-page.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '1000000' },
    searches: { type: 'string', default: '240' },
    'data-dir': { type: 'string' },
  },
});
const users = Number(values.users);
const searches = Number(values.searches);
if (!['sqlite', 'postgres'].includes(values.db!) || !(users > 0) || !(searches > 0)) {
  console.error('usage: bench/console-search/run.ts [--db sqlite|postgres] [--users N] [--searches N] [--data-dir DIR]');
  process.exit(2);
}
const WARM_UP = 20;
/** A search that has not rendered after this long counts as failed (and stops the run). */
const TIMEOUT_MS = 10_000;

let database: BenchDatabase | undefined;
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let host: BrowserHost | undefined;
let services: ConsoleServices | undefined;
const temporary: string[] = [];

async function main(): Promise<void> {
  const seeded = await openSeededDatabase(values.db as 'sqlite' | 'postgres', users, values['data-dir']);
  ({ database } = seeded);
  const { ctx, seedSeconds } = seeded;
  const password = `bench-${randomBytes(12).toString('hex')}`;
  const email = `console-bench-${randomBytes(4).toString('hex')}@desk.test`;
  const operator = await createOperator(ctx, { email, name: 'Console Bench', role: 'support', password });
  const samples = await ctx.store.db.selectFrom('users').select(['email', 'name', 'phone']).orderBy('id').limit(5000).execute();
  await ctx.delivery.stop();
  await ctx.store.close();

  const started = await startServerProcess(database.env);
  server = started.child;
  const built = buildConsole();
  temporary.push(built);
  const consoleData = mkdtempSync(join(tmpdir(), 'mfa-console-bench-data-'));
  temporary.push(consoleData);
  // No keyring on a bench machine: the refresh token stays in memory.
  services = createConsoleServices({
    dataDir: consoleData,
    deviceName: 'MFA Desk console bench',
    openExternal: async () => {},
    credentials: memoryCredentials(),
  });
  host = await startBrowserHost({ handlers: services.handlers, rendererDir: join(built, 'renderer'), log: () => {} });
  browser = await launchChromium();
  const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(host.launchUrl);
  await connectTo(page, started.url);
  await signIn(page, { email, password }, generateSync({ secret: operator.totpSecret, epoch: Math.floor(Date.now() / 1000) }));
  await signedInOperator(page).waitFor();
  await page.evaluate(inPageTimer);
  const box = page.locator('#user-search');
  await box.waitFor();

  // Deterministic "human" timing: gaps between keys, and a pause before each new search.
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const fragments = fragmentsFrom(samples, searches + WARM_UP)
    .map((f) => ({ ...f, q: f.q.trim() }))
    .filter((f) => f.q.length > 0);
  const results: Array<{ q: string; kind: string; domMs: number; frameMs: number; rows: number }> = [];
  let loadBefore = loadavg()[0]!;
  for (const [i, f] of fragments.entries()) {
    if (i === WARM_UP) loadBefore = loadavg()[0]!;
    // Empty the box and wait for the unfiltered list, as an agent starting a new search sees it.
    await box.fill('');
    if (!(await page.evaluate(`window.__searchTimer.showing('', ${TIMEOUT_MS})`)))
      throw new Error(`the emptied search box showed no list within ${TIMEOUT_MS} ms`);
    await page.waitForTimeout(250 + next() * 250);
    await page.evaluate(`window.__searchTimer.arm(${JSON.stringify(f.q)})`);
    // keyboard.type: real key events for what is on the keyboard layout, text input for æ, ø, ü.
    for (const char of f.q) {
      await page.keyboard.type(char);
      await page.waitForTimeout(80 + next() * 140);
    }
    const timed = (await page.evaluate(`window.__searchTimer.result(${TIMEOUT_MS})`)) as {
      domMs: number;
      frameMs: number;
      rows: number;
    } | null;
    if (!timed)
      throw new Error(
        `no results rendered for ${JSON.stringify(f.q)} within ${TIMEOUT_MS} ms (data-results-for: ${String(await page.evaluate(resultsFor))})`,
      );
    if (i >= WARM_UP)
      results.push({ q: f.q, kind: f.kind, domMs: +timed.domMs.toFixed(2), frameMs: +timed.frameMs.toFixed(2), rows: timed.rows });
    if ((i + 1) % 50 === 0) console.log(`${i + 1}/${fragments.length} searches`);
  }

  const summarize = (rows: typeof results) => {
    const dom = rows.map((r) => r.domMs).sort((a, b) => a - b);
    const frame = rows.map((r) => r.frameMs).sort((a, b) => a - b);
    return {
      searches: rows.length,
      p50ms: +percentile(dom, 50).toFixed(1),
      p95ms: +percentile(dom, 95).toFixed(1),
      p99ms: +percentile(dom, 99).toFixed(1),
      maxms: +(dom.at(-1) ?? NaN).toFixed(1),
      nextFrame: {
        p50ms: +percentile(frame, 50).toFixed(1),
        p95ms: +percentile(frame, 95).toFixed(1),
        maxms: +(frame.at(-1) ?? NaN).toFixed(1),
      },
    };
  };
  const out = {
    db: values.db,
    at: new Date().toISOString(),
    cores: cpus().length,
    load: { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
    users,
    seedSeconds,
    chromium: browser.version(),
    overall: summarize(results),
    byKind: Object.fromEntries(['name', 'email', 'phone', 'rare'].map((k) => [k, summarize(results.filter((r) => r.kind === k))])),
    byLength: Object.fromEntries([2, 3, 4, 5, 6].map((n) => [`${n} chars`, summarize(results.filter((r) => r.q.length === n))])),
    slowest: [...results].sort((a, b) => b.domMs - a.domMs).slice(0, 10),
  };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/console-search-${values.db}.json`, `${JSON.stringify(out, null, 2)}\n`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await browser?.close().catch(() => {});
    services?.close();
    await host?.close().catch(() => {});
    server?.kill('SIGTERM');
    database?.close();
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });
