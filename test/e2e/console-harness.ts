import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startBrowserHost, type BrowserHost } from '../../src/main/browser-host.js';
import { createConsoleServices, type ConsoleServices } from '../../src/main/services/console-services.js';

/** Debian's Chromium (apt: chromium); Playwright never downloads a browser here. */
export const chromiumPath = process.env.MFA_DESK_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}: bash scripts/install-system-packages.sh installs Debian's chromium.`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Builds the console (electron-vite) into a fresh folder: each test file gets its own build, so two
 * files running at once never read a half-written out/. About a second.
 */
export function buildConsole(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'mfa-desk-build-'));
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--outDir', outDir, '--logLevel', 'warn'], {
    stdio: 'pipe',
  });
  if (!existsSync(join(outDir, 'renderer', 'index.html'))) throw new Error(`electron-vite build produced no renderer in ${outDir}`);
  return outDir;
}

export interface RunningConsole {
  host: BrowserHost;
  services: ConsoleServices;
  /** URLs main handed to the "system browser" (recorded instead of opening one). */
  opened: string[];
  close(): Promise<void>;
}

/** Main's services and the browser host, as `npm start` runs them without Electron. */
export async function launchConsole(options: { dataDir: string; rendererDir: string; serverUrl?: string }): Promise<RunningConsole> {
  const opened: string[] = [];
  const services = createConsoleServices({
    dataDir: options.dataDir,
    serverUrl: options.serverUrl,
    deviceName: 'MFA Desk e2e',
    openExternal: async (url) => void opened.push(url),
  });
  const host = await startBrowserHost({ handlers: services.handlers, rendererDir: options.rendererDir, log: () => {} });
  return {
    host,
    services,
    opened,
    async close() {
      services.close();
      await host.close();
    },
  };
}
