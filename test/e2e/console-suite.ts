import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { addOperator, assertPrivateKeyring, tempDataDir, type TestOperator } from '../main/console-fixtures.js';
import { buildConsole, launchChromium, launchConsole, type RunningConsole } from './console-harness.js';
import { connectTo, signedInOperator, signIn } from './sign-in-steps.js';

export interface ConsoleSuite {
  /** The real server the consoles talk to (set once the suite's beforeAll has run). */
  readonly server: TestServer;
  /** A console on `dataDir` with a fresh browser context, at its launch URL. */
  open(dataDir: string): Promise<{ page: Page; console: RunningConsole }>;
  /** Closes the page's context and every console, then opens one again on the same data. */
  restart(page: Page, dataDir: string): Promise<{ page: Page; console: RunningConsole }>;
  /** A console data directory, removed after the suite. */
  newDataDir(): string;
  /** A new operator of `role`, signed in on a new console (connect, password, authenticator code). */
  signedInConsole(
    role?: 'support' | 'tenant_admin' | 'auditor',
    tenants?: string[],
  ): Promise<{ page: Page; console: RunningConsole; operator: TestOperator; dataDir: string }>;
}

/**
 * What every console e2e file sets up, registered in the calling describe: the console built once,
 * a real server in real time, Debian's Chromium, the consoles closed after each test and everything
 * removed after the file. `context` adds browser-context options (time zone, viewport, downloads).
 */
export function useConsoleSuite(context: BrowserContextOptions = {}): ConsoleSuite {
  let server: TestServer | undefined;
  let browser: Browser;
  let outDir: string;
  const running: RunningConsole[] = [];
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    assertPrivateKeyring();
    outDir = buildConsole();
    server = await startTestServer('sqlite', { realTime: true });
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const console of running.splice(0)) await console.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const cleanup of cleanups) cleanup();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const suite: ConsoleSuite = {
    get server() {
      if (!server) throw new Error('the console suite has not started yet');
      return server;
    },
    async open(dataDir) {
      const console = await launchConsole({ dataDir, rendererDir: join(outDir, 'renderer') });
      running.push(console);
      const page = await (await browser.newContext({ locale: 'en-US', ...context })).newPage();
      await page.goto(console.host.launchUrl);
      return { page, console };
    },
    async restart(page, dataDir) {
      await page.context().close();
      for (const console of running.splice(0)) await console.close();
      return suite.open(dataDir);
    },
    newDataDir() {
      const data = tempDataDir();
      cleanups.push(data.remove);
      return data.dir;
    },
    async signedInConsole(role = 'support', tenants) {
      const dataDir = suite.newDataDir();
      const operator = await addOperator(suite.server, role, tenants);
      const { page, console } = await suite.open(dataDir);
      await connectTo(page, suite.server.baseUrl);
      await signIn(page, operator, await operator.nextCode());
      await expect.poll(() => signedInOperator(page).textContent()).toContain(operator.name);
      return { page, console, operator, dataDir };
    },
  };
  return suite;
}
