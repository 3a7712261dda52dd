import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, nativeTheme, protocol } from 'electron';
import { securityHeaders } from './content-security.js';
import { readStaticFile } from './static-files.js';

/** The packaged renderer is served from app://console/: a real origin for CSP 'self' and the IPC sender check. */
export const appScheme = 'app';
export const appHost = 'console';
export const appOrigin = `${appScheme}://${appHost}`;

/** Must run before `ready`: app:// behaves like https (secure context, standard URL parsing). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true } }]);
}

/** Serves the renderer build under app://console/, with the security headers; nothing else. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === appHost && request.method === 'GET' ? await readStaticFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: securityHeaders });
    return new Response(new Uint8Array(file.body), { status: 200, headers: { ...securityHeaders, 'content-type': file.contentType } });
  });
}

export function createMainWindow(options: { preload: string; startUrl: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 860,
    minHeight: 560,
    show: false,
    title: 'MFA Desk',
    autoHideMenuBar: true,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14171c' : '#ffffff',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.startUrl);
  return window;
}

/**
 * Electron's way to the enrollment sheets' PDF: the same print-only markup the browser host gives
 * headless Chromium (services/chromium-pdf.ts), loaded into a hidden, script-less window from a
 * private temporary file (a data: URL stops at 2 MB: a big batch is more) and printed with
 * printToPDF at the page's own @page size. The window and the file are gone at once.
 */
export async function printHtmlToPdf(html: string, paper: 'a4' | 'letter'): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-desk-sheets-'));
  const file = join(dir, 'sheets.html');
  const window = new BrowserWindow({
    show: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      devTools: false,
    },
  });
  try {
    await writeFile(file, html, { mode: 0o600 });
    await window.loadFile(file);
    const pdf = await window.webContents.printToPDF({
      pageSize: paper === 'a4' ? 'A4' : 'Letter',
      preferCSSPageSize: true,
      printBackground: true,
      margins: { top: 0, bottom: 0, left: 0, right: 0 },
    });
    return new Uint8Array(pdf);
  } finally {
    window.destroy();
    // A scanner holding the file a moment (Windows) must not cost the PDF that is already made.
    await rm(dir, { recursive: true, force: true, maxRetries: 5 }).catch(() => {});
  }
}
