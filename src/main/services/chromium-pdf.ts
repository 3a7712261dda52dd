import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConsoleError } from './console-error.js';

/** Where the browser host finds Chromium (the same variable `npm start` and the e2e tests read). */
export const chromiumPath = () => process.env.MFA_DESK_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The PDF of a printable page, made by headless Chromium on this machine: how the console saves
 * enrollment sheets when it runs in the browser host (Electron uses its own printToPDF on the same
 * markup). The page is written to a private temporary folder, printed under `printOnlyPolicy`
 * with every host name resolving nowhere (the markup carries its fonts and QR codes inline), and
 * both files are removed at once: a sheet's key never stays on disk.
 */
export async function printPdfWithChromium(html: string, options: { executable?: string; timeoutMs?: number } = {}): Promise<Uint8Array> {
  const executable = options.executable ?? chromiumPath();
  if (!existsSync(executable))
    throw new ConsoleError('internal', `No Chromium at ${executable} to make the PDF: install it or set MFA_DESK_CHROMIUM.`);
  const dir = await mkdtemp(join(tmpdir(), 'mfa-desk-sheets-'));
  try {
    const page = join(dir, 'sheets.html');
    const pdf = join(dir, 'sheets.pdf');
    await writeFile(page, html, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      execFile(
        executable,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          // Nothing may be fetched: every name resolves nowhere, and every request (IP literals
          // too) goes to a proxy that is not there.
          '--host-resolver-rules=MAP * ~NOTFOUND',
          '--proxy-server=127.0.0.1:9',
          '--proxy-bypass-list=<-loopback>',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--no-pdf-header-footer',
          `--print-to-pdf=${pdf}`,
          pathToFileURL(page).href,
        ],
        { timeout: options.timeoutMs ?? 60_000 },
        (error) => (error ? reject(error) : resolve()),
      );
    }).catch((error: unknown) => {
      throw new ConsoleError('internal', `Chromium could not make the PDF: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!existsSync(pdf)) throw new ConsoleError('internal', 'Chromium made no PDF.');
    return new Uint8Array(await readFile(pdf));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The policy a page to print runs under, whichever engine prints it: no script, nothing fetched;
 * only its own inline styles, and fonts and images as data: URLs.
 */
export const printOnlyCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** The markup with the policy as the first thing in its head (a page that brings its own cannot loosen it: both apply). */
export function printOnlyPolicy(html: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${printOnlyCsp}">`;
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  return `<!doctype html><html><head><meta charset="utf-8">${meta}</head><body>${html}</body></html>`;
}
