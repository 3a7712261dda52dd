import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectron } from '../../src/main/electron-binary.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { addOperator, keychainLookup, tempDataDir } from '../main/console-fixtures.js';
import { buildConsole } from '../e2e/console-harness.js';
import { signedInOperator, signIn } from '../e2e/sign-in-steps.js';

/**
 * The same sign-in as the Chromium test, in the real Electron shell (preload bridge, IPC sender
 * checks, app:// protocol). Our build machines cannot download an Electron binary, so this skips
 * there, saying why; everything behind the shell is covered by test/main and test/e2e.
 */
const availability = findElectron();
const skipReason = availability.ok ? '' : `skipped: ${availability.reason}`;
if (!availability.ok) console.warn(`[electron test] ${skipReason}`);

describe.skipIf(!availability.ok)(`Electron shell sign-in ${skipReason}`.trim(), () => {
  let server: TestServer;
  let outDir: string;
  const data = tempDataDir();

  beforeAll(async () => {
    outDir = buildConsole();
    server = await startTestServer('sqlite', { realTime: true });
  });
  afterAll(async () => {
    await server?.close();
    data.remove();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('signs in with an authenticator code through the preload bridge', async () => {
    if (!availability.ok) return;
    const operator = await addOperator(server);
    const app = await electron.launch({
      executablePath: availability.executable,
      args: [join(outDir, 'main', 'index.js')],
      env: { ...process.env, MFA_DESK_CONSOLE_DATA_DIR: data.dir, MFA_DESK_SERVER_URL: server.baseUrl } as Record<string, string>,
    });
    try {
      const page = await app.firstWindow();
      expect(page.url()).toBe('app://console/index.html');
      expect(await page.evaluate('typeof window.require + typeof window.process')).toBe('undefinedundefined');
      await signIn(page, operator, await operator.nextCode());
      await expect.poll(() => signedInOperator(page).textContent()).toContain(operator.name);
      // The shell's own navigation rules (security.ts), not just the page's guard: a script that
      // tries to leave or to open a window gets neither.
      await page.evaluate(`window.open('https://evil.example/'); location.href = 'https://evil.example/phish';`);
      await page.waitForTimeout(500);
      expect(page.url()).toBe('app://console/index.html');
      expect(app.windows()).toHaveLength(1);
      expect(await signedInOperator(page).isVisible()).toBe(true);
      // The keychain itself is proven in Node (test/main); here keytar may be built for Node's ABI
      // rather than Electron's (docs/CONSOLE.md), so only a reported keychain is checked.
      if (await page.getByTestId('keychain-unavailable').count()) return;
      expect(keychainLookup(server.baseUrl, operator.email)).toBeTruthy();
    } finally {
      await app.close();
    }
  });
});
