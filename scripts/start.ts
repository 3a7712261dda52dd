/**
 * `npm start`: the auth server on its embedded database (demo data on the first run, credentials
 * printed by the server), the example portal that signs its users in through it (examples/portal,
 * on PORTAL_PORT, 3000) and the console pointed at it. Electron when it can run here; otherwise it
 * says why and serves the console through the browser host, opening Chromium in app mode when one is
 * installed and a display is available, else printing the URL. Ctrl-C stops both.
 *
 * `--console-only` (npm run console): just the console, for a server that runs elsewhere
 * (MFA_DESK_SERVER_URL, or the connect screen).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowserHost, type BrowserHost } from '../src/main/browser-host.js';
import { ensureConsoleBuild } from '../src/main/console-build.js';
import { findElectron } from '../src/main/electron-binary.js';
import { createConsoleServices, type ConsoleServices } from '../src/main/services/console-services.js';
import { consoleDataDir } from '../src/main/services/data-dir.js';
import { openInSystemBrowser } from '../src/main/system-browser.js';
import { startExamplePortal } from './example-portal.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = process.env.MFA_DESK_CHROMIUM ?? '/usr/bin/chromium';
const say = (line: string) => console.log(`[console] ${line}`);

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** Starts `mfa-desk start` and resolves with the address it prints once it listens. */
function startServer(): Promise<string> {
  const server = spawn(process.execPath, [join(repo, 'bin/mfa-desk.mjs'), 'start'], {
    cwd: repo,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(server);
  return new Promise((resolveUrl, reject) => {
    let buffered = '';
    let found = false;
    server.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (found) return;
      buffered += chunk.toString();
      const match = /on (http:\/\/[\d.]+:\d+)/.exec(buffered);
      if (match?.[1]) {
        found = true;
        resolveUrl(match[1]);
      }
    });
    server.once('exit', (code) => {
      if (!found) reject(new Error(`the server exited (code ${code}) before it listened`));
      else if (!stopping) {
        say(`the server stopped (code ${code}); stopping the console`);
        void stop(code ?? 1);
      }
    });
  });
}

function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

async function runBrowserHost(serverUrl: string | undefined, outDir: string): Promise<void> {
  const services: ConsoleServices = createConsoleServices({
    dataDir: consoleDataDir(process.env, process.platform, homedir()),
    serverUrl,
    openExternal: (url) => openInSystemBrowser(url),
  });
  const host: BrowserHost = await startBrowserHost({ handlers: services.handlers, rendererDir: join(outDir, 'renderer') });
  cleanups.push(
    () => services.close(),
    () => host.close(),
  );
  if (existsSync(chromiumPath) && hasDisplay()) {
    // A fresh profile each launch: nothing of the console lingers in the operator's own browser profile.
    const profile = mkdtempSync(join(tmpdir(), 'mfa-desk-chromium-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    const args = [
      `--app=${host.launchUrl}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-sync',
      '--window-size=1280,820',
    ];
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    const browser = spawn(chromiumPath, args, { stdio: 'ignore' });
    children.push(browser);
    browser.once('exit', () => {
      if (!stopping) {
        say('the console window closed; stopping');
        void stop(0);
      }
    });
    say(`console opened in Chromium (app mode). Ctrl-C stops the server and the console.`);
  } else {
    say(existsSync(chromiumPath) ? 'no display for Chromium.' : `no Chromium at ${chromiumPath}.`);
    say(`open the console on this computer (the link works once, for the first page that opens it):\n\n    ${host.launchUrl}\n`);
    say('Ctrl-C stops the server and the console.');
  }
}

async function main(): Promise<void> {
  const outDir = ensureConsoleBuild(repo, say);
  const serverUrl = process.argv.includes('--console-only') ? process.env.MFA_DESK_SERVER_URL : await startServer();
  if (serverUrl && !process.argv.includes('--console-only')) {
    const closePortal = await startExamplePortal(repo, serverUrl, (line) => console.log(`[portal] ${line}`));
    if (closePortal) cleanups.push(closePortal);
  }
  const electron = findElectron();
  if (electron.ok && hasDisplay()) {
    say(`starting the Electron console${serverUrl ? ` for ${serverUrl}` : ''}`);
    const app = spawn(electron.executable, [join(outDir, 'main', 'index.js')], {
      stdio: 'inherit',
      env: { ...process.env, ...(serverUrl ? { MFA_DESK_SERVER_URL: serverUrl } : {}) },
    });
    children.push(app);
    app.once('exit', (code) => void stop(code ?? 0));
    return;
  }
  say(`Electron can't start here: ${electron.ok ? 'there is no display' : electron.reason}.`);
  say('serving the console through the browser host instead (same screens, same keychain).');
  await runBrowserHost(serverUrl, outDir);
}

main().catch(async (error: unknown) => {
  console.error(`[console] ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
});
