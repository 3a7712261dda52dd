import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollUser, type TestServer } from '../support/test-server.js';
import { useConsoleSuite } from './console-suite.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

const DAY = 86_400_000;

/** What zbarimg reads from one page, and what it says: whose key it is. */
interface DecodedSheet {
  uri: string;
  secret: string;
  email: string;
}

function decodeOtpauth(uri: string): DecodedSheet {
  const url = new URL(uri);
  expect(url.protocol).toBe('otpauth:');
  const label = decodeURIComponent(url.pathname.slice(1));
  const secret = url.searchParams.get('secret');
  if (!secret) throw new Error(`no secret in ${uri}`);
  return { uri, secret, email: label.slice(label.lastIndexOf(':') + 1).trim() };
}

/** Every page of a PDF as a 150 dpi PNG (pdftoppm), each decoded by zbarimg: one otpauth URI a page. */
function qrCodesOf(pdf: string, dir: string, prefix: string): string[] {
  execFileSync('pdftoppm', ['-r', '150', '-png', pdf, join(dir, prefix)]);
  const pages = readdirSync(dir)
    .filter((name) => name.startsWith(`${prefix}-`) && name.endsWith('.png'))
    .sort();
  return pages.map((name) => execFileSync('zbarimg', ['--raw', '-q', join(dir, name)], { encoding: 'utf8' }).trim());
}

/** The code an independent authenticator (oathtool) shows for the key, at `at` (the server's time). */
function oathtoolCode(secret: string, at = Date.now()): string {
  const now = new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  return execFileSync('oathtool', ['--totp', '-b', `--now=${now}`, secret], { encoding: 'utf8' }).trim();
}

/**
 * Enrollment sheets, end to end: Chromium drives the built console through the browser host, main
 * makes the PDF with headless Chromium while the server is stopped, poppler and zbar read the paper
 * back, oathtool plays the user's authenticator app, and each sheet is used (or refused) over the
 * real end-user API.
 */
describe('enrollment sheets in Chromium through the browser host', () => {
  const suite = useConsoleSuite({ timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  let server: TestServer;
  /** Each test's own tenant: what one test enrols does not change the candidates of the next. */
  let tenant: string;
  let work: string;
  beforeAll(() => {
    server = suite.server;
    work = mkdtempSync(join(tmpdir(), 'mfa-desk-sheets-e2e-'));
  });
  // KEEP_SHEETS_E2E=1 keeps the PDFs, their page images and the markup sent for a look afterwards.
  afterAll(() => {
    if (work && !process.env.KEEP_SHEETS_E2E) rmSync(work, { recursive: true, force: true });
  });

  const marker = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

  async function addPerson(name: string, locale: 'en' | 'nb' | 'de') {
    const email = `${
      name
        .split(' ')[0]!
        .normalize('NFKD')
        .replace(/[^A-Za-z]/g, '')
        .toLowerCase() || 'user'
    }-${marker()}@example.test`;
    return { name, locale, ...(await server.addUser(tenant, email, { name, locale })) };
  }

  async function confirmAction(page: Page, dialog: string, ticket: string, reason: string): Promise<void> {
    const box = page.getByTestId(dialog);
    await box.waitFor();
    await box.getByLabel('Ticket').fill(ticket);
    await box.getByLabel('Reason').fill(reason);
    await box.getByTestId('action-confirm').dblclick();
  }

  /** The user's first sign-in with the code from their sheet: password, the code, recovery codes, a session. */
  async function firstSignIn(user: { email: string; password: string }, code: string) {
    const login = await server.call<{ status: string; enrollmentToken?: string; enrollmentSheet?: { expiresAt: string } }>(
      'POST',
      '/v1/auth/login',
      { body: { tenant, email: user.email, password: user.password } },
    );
    expect(login.body.status, JSON.stringify(login.body)).toBe('enrollment_required');
    const token = login.body.enrollmentToken!;
    const confirmed = await server.call<{ recoveryCodes?: string[]; error?: string }>('POST', '/v1/enroll/totp/confirm', {
      token,
      body: { code },
    });
    return { login: login.body, token, confirmed };
  }

  async function openSection(page: Page) {
    await page.keyboard.press('Alt+Digit4');
    await page.getByRole('heading', { name: 'Enrollment sheets', level: 1 }).waitFor();
  }

  async function sheetRows(page: Page) {
    // The list re-reads itself every 30 s; switching its filter back and forth reads it now.
    const state = page.getByLabel('Show', { exact: true });
    await state.selectOption('live');
    await state.selectOption('');
    return page.getByTestId('sheet-row');
  }

  it('a tenant admin prints five sheets to PDF with the server stopped; each page’s QR code, read back from the paper, completes that user’s first sign-in', async () => {
    tenant = await server.addTenant();
    const people = [
      await addPerson('Åse Ærøskøbing', 'nb'),
      await addPerson('Jürgen Müller', 'de'),
      await addPerson('Łukasz Wąs', 'en'),
      await addPerson('Kari Nordmann', 'nb'),
      await addPerson('Grace Hopper', 'en'),
    ];
    // Someone who set up the app already is no candidate.
    const enrolled = await enrollUser(server, tenant);

    const { page } = await suite.signedInConsole('tenant_admin', [tenant]);
    await openSection(page);
    const rows = page.getByTestId('sheet-candidate');
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.getByTestId('sheet-candidates').textContent()).not.toContain(enrolled.email);
    // The filter narrows the list; the selection counts what is ticked.
    await page.getByLabel('Filter', { exact: true }).fill('Müller');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Filter', { exact: true }).fill('');
    await expect.poll(() => rows.count()).toBe(5);
    await page.getByTestId('sheets-select-all').click();
    await expect.poll(() => page.getByTestId('sheets-selected').textContent()).toBe('5 users selected');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'enrollment-sheets');

    await page.getByTestId('sheets-create').click();
    expect(await page.getByTestId('sheets-create-users').textContent()).toContain('Åse Ærøskøbing');
    expect(await page.getByTestId('dialog-create-sheets').textContent()).toContain('One sheet each, for these 5 users:');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'enrollment-sheets-create');
    await confirmAction(page, 'dialog-create-sheets', 'HR-2026-118', 'New starters enrol from paper');
    const preview = page.getByTestId('sheet-preview');
    await preview.waitFor();
    const pages = page.getByTestId('sheet-page');
    await expect.poll(() => pages.count()).toBe(5);
    // Each page in its user's language, with their name and the day it stops working.
    const pageOf = (email: string) => pages.filter({ hasText: email });
    expect(await pageOf(people[0]!.email).textContent()).toContain('Gyldig til');
    expect(await pageOf(people[1]!.email).textContent()).toContain('Für Jürgen Müller');
    expect(await pageOf(people[1]!.email).textContent()).toMatch(/Gültig bis \d{1,2}\. \p{L}+ \d{4} um \d{2}:\d{2}/u);
    expect(await pageOf(people[2]!.email).textContent()).toMatch(/Valid until \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}/);
    expect(await pageOf(people[2]!.email).getAttribute('lang')).toBe('en');
    expect(await pageOf(people[0]!.email).getAttribute('lang')).toBe('nb');
    // The QR codes are images drawn in the page, loaded under the console's CSP.
    await expect
      .poll(() =>
        page
          .getByTestId('sheet-qr')
          .evaluateAll((images) => images.every((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0)),
      )
      .toBe(true);
    await expect.poll(() => page.getByTestId('sheets-print').isEnabled()).toBe(true);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'enrollment-sheets-preview');
    await page.getByTestId('paper-letter').check();
    await expect.poll(() => pages.first().getAttribute('data-paper')).toBe('letter');
    await page.getByTestId('paper-a4').check();
    await expect.poll(() => pages.first().getAttribute('data-paper')).toBe('a4');

    // Print: what the console's print stylesheet leaves of the page is the five sheets and nothing else.
    const printed = join(work, 'printed.pdf');
    writeFileSync(printed, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    expect(execFileSync('pdfinfo', [printed], { encoding: 'utf8' })).toMatch(
      /Pages:\s+5\n[\s\S]*Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/,
    );
    // The same on US Letter.
    await page.getByTestId('paper-letter').check();
    const printedLetter = join(work, 'printed-letter.pdf');
    writeFileSync(printedLetter, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    expect(execFileSync('pdfinfo', [printedLetter], { encoding: 'utf8' })).toMatch(
      /Pages:\s+5\n[\s\S]*Page size:\s+612 x 792 pts \(letter\)/,
    );
    await page.getByTestId('paper-a4').check();
    const printedText = execFileSync('pdftotext', ['-layout', printed, '-'], { encoding: 'utf8' });
    expect(printedText).toContain('Ærøskøbing');
    expect(printedText).not.toContain('Sign out');
    expect(printedText).not.toContain('Print preview');

    // The server stops. The sheets are in the page already: the PDF needs nothing from it.
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/bridge/sheets:renderPdf')) sent.push((request.postDataJSON() as { html: string }).html);
    });
    await server.stopListening();
    let download: Download | undefined;
    try {
      await expect(fetch(`${server.baseUrl}/health`)).rejects.toThrow();
      const downloading = page.waitForEvent('download');
      // A refusal (the console says so under the buttons) fails at once, with what it said.
      const refusal = page.getByTestId('sheet-preview').locator('[data-error-code]');
      const refused = refusal.waitFor({ timeout: 60_000 }).then(
        async () => `Save PDF was refused: ${await refusal.getAttribute('data-error-code')} "${await refusal.textContent()}"`,
        () => 'no download',
      );
      await page.getByTestId('sheets-save-pdf').click();
      const outcome = await Promise.race([downloading, refused]);
      if (typeof outcome === 'string') throw new Error(outcome);
      download = outcome;
      await expect.poll(() => page.getByTestId('sheets-saved').textContent()).toMatch(/^Saved enrollment-sheets-.+\.pdf \(\d+ kB\)/);
    } finally {
      await server.listenAgain();
    }
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' });
    expect(download!.suggestedFilename()).toBe(`enrollment-sheets-${tenant}-${today}.pdf`);
    const pdf = join(work, 'sheets.pdf');
    await download!.saveAs(pdf);

    // One self-contained document went to main: fonts and QR codes inline, no URL to fetch.
    expect(sent).toHaveLength(1);
    const html = sent[0]!;
    if (process.env.KEEP_SHEETS_E2E) writeFileSync(join(work, 'sent.html'), html);
    // (The match itself, not the whole document, in a failure message.)
    expect(/https?:\/\/\S{0,40}/i.exec(html)?.[0]).toBeUndefined();
    expect(/<script|@import|url\((?!data:)\S{0,40}|(?:src|href)="(?!data:)\S{0,40}/i.exec(html)?.[0]).toBeUndefined();
    // Its only links are the fonts' preloads, each a data: URL.
    const links = html.match(/<link[^>]*>/g) ?? [];
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const link of links)
      expect(link).toMatch(/^<link rel="preload" as="font" type="font\/woff2" crossorigin href="data:font\/woff2;base64,/);
    expect(html.match(/class="sheet-page"/g)).toHaveLength(5);
    expect(html.match(/src="data:image\/svg\+xml;base64,/g)).toHaveLength(5);
    expect(html.match(/url\(data:font\/woff2;base64,/g)?.length).toBeGreaterThanOrEqual(4);
    // The sheet's stylesheet reaches nothing outside itself either.
    expect(/url\(|@import/.exec(readFileSync('src/renderer/screens/enrollment-sheets/sheet.css', 'utf8'))?.[0]).toBeUndefined();

    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+5\n/);
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    // The names print with their letters, in the sheets' own font (embedded).
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const word of ['Ærøskøbing', 'Müller', 'Łukasz', 'Wąs', 'Gültig bis', 'Gyldig til', 'Valid until']) expect(text).toContain(word);
    expect(execFileSync('pdffonts', [pdf], { encoding: 'utf8' })).toMatch(/NotoSans\S*\s+.*\s+yes\s+yes/);

    // Paper back to keys: each page's QR code is that user's otpauth URI, the same as on the printed copy.
    const fromPdf = qrCodesOf(pdf, work, 'saved').map(decodeOtpauth);
    expect(fromPdf).toHaveLength(5);
    expect(qrCodesOf(printed, work, 'printed').sort()).toEqual(fromPdf.map((sheet) => sheet.uri).sort());
    expect(fromPdf.map((sheet) => sheet.email).sort()).toEqual(people.map((person) => person.email).sort());
    for (const sheet of fromPdf) {
      const keyOnPage = (await pageOf(sheet.email).getByTestId('sheet-key').textContent())!.replace(/\s/g, '');
      expect(keyOnPage).toBe(sheet.secret);
    }

    // Close forgets the sheets: no key is left in the page.
    await page.getByTestId('sheets-close').click();
    await preview.waitFor({ state: 'detached' });
    const content = await page.content();
    for (const sheet of fromPdf) expect(content).not.toContain(sheet.secret.slice(0, 16));

    // Each user signs in for the first time with the code their sheet's key gives oathtool.
    for (const person of people) {
      const sheet = fromPdf.find((candidate) => candidate.email === person.email)!;
      const { login, token, confirmed } = await firstSignIn(person, oathtoolCode(sheet.secret));
      expect(login.enrollmentSheet?.expiresAt).toBeTruthy();
      expect(Date.parse(login.enrollmentSheet!.expiresAt) - Date.now()).toBeGreaterThan(13 * DAY);
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(confirmed.body.recoveryCodes?.length).toBeGreaterThan(0);
      const completed = await server.call<{ sessionToken?: string }>('POST', '/v1/enroll/complete', {
        token,
        body: { recoveryCodesSaved: true },
      });
      expect(completed.status, JSON.stringify(completed.body)).toBe(200);
      expect(completed.body.sessionToken).toBeTruthy();
      // The sheet is spent: the next sign-in asks for the app's code, not for a setup.
      const again = await server.call('POST', '/v1/auth/login', { body: { tenant, email: person.email, password: person.password } });
      expect(again.body.status).toBe('mfa_required');
    }

    // The console's list says so: all five used.
    const listed = await sheetRows(page);
    await expect.poll(() => listed.count()).toBe(5);
    await expect
      .poll(() => listed.evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { state: string } }).dataset.state)))
      .toEqual(['used', 'used', 'used', 'used', 'used']);
    expect(await listed.first().textContent()).toContain('Used');
    // Nobody is left to print for (a new filter reads the candidates now, rather than in 30 s).
    await page.getByLabel('Filter', { exact: true }).fill('nobody by this name');
    await page.getByTestId('sheets-no-candidates').waitFor();
    await page.getByLabel('Filter', { exact: true }).fill('');
    await expect
      .poll(() => page.getByTestId('sheets-no-candidates').textContent())
      .toMatch(/^Every user of .+ has an authenticator app\.$/);
    expect(await page.getByTestId('sheet-candidate').count()).toBe(0);
  }, 240_000);

  it('a voided sheet and an expired sheet are refused; a new sheet replaces a live one', async () => {
    tenant = await server.addTenant();
    const voided = await addPerson('Viktor Vold', 'nb');
    const expiring = await addPerson('Eva Ekholm', 'de');
    const { page, operator } = await suite.signedInConsole('tenant_admin', [tenant]);
    await openSection(page);
    const rows = page.getByTestId('sheet-candidate');
    await expect.poll(() => rows.count()).toBe(2);

    // Two sheets; the keys are read off the preview (as a person would type them).
    const keys = new Map<string, string>();
    const makeSheets = async (ticket: string) => {
      await page.getByTestId('sheets-select-all').click();
      await page.getByTestId('sheets-create').click();
      await confirmAction(page, 'dialog-create-sheets', ticket, 'Sheets for the test');
      const pages = page.getByTestId('sheet-page');
      await expect.poll(() => pages.count()).toBe(2);
      for (const person of [voided, expiring])
        keys.set(person.email, (await pages.filter({ hasText: person.email }).getByTestId('sheet-key').textContent())!.replace(/\s/g, ''));
      await page.getByTestId('sheets-close').click();
      await page.getByTestId('sheet-preview').waitFor({ state: 'detached' });
    };
    await makeSheets('HR-2026-120');
    const firstKeys = new Map(keys);
    // Both are marked as having a live sheet; a second batch replaces them.
    await expect.poll(() => page.getByTestId('sheet-candidate-live').filter({ hasText: 'Has a sheet' }).count()).toBe(2);
    await makeSheets('HR-2026-121');
    expect(keys.get(voided.email)).not.toBe(firstKeys.get(voided.email));
    const listed = await sheetRows(page);
    await expect.poll(() => listed.count()).toBe(4);
    await expect.poll(() => page.locator('[data-testid="sheet-row"][data-state="replaced"]').count()).toBe(2);
    expect(await listed.first().textContent()).toContain(`by ${operator.name}`);

    // Void Viktor's live sheet in the console.
    const viktorsLive = page.locator(`[data-testid="sheet-row"][data-state="live"][data-user-id="${voided.id}"]`);
    await viktorsLive.getByTestId('sheet-void-button').click();
    expect(await page.getByTestId('dialog-void-sheet').getByRole('heading').textContent()).toBe('Void the sheet for Viktor Vold');
    await confirmAction(page, 'dialog-void-sheet', 'HR-2026-122', 'Sheet went to the wrong desk');
    await page.getByTestId('dialog-void-sheet').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator(`[data-testid="sheet-row"][data-state="voided"][data-user-id="${voided.id}"]`).count()).toBe(1);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'enrollment-sheets-list');

    const refusedVoided = await firstSignIn(voided, oathtoolCode(keys.get(voided.email)!));
    expect(refusedVoided.confirmed).toMatchObject({ status: 410, body: { error: 'sheet_voided' } });
    // The replaced sheet's key does not work either.
    const replacedKey = await firstSignIn(expiring, oathtoolCode(firstKeys.get(expiring.email)!));
    expect(replacedKey.confirmed.status).not.toBe(200);

    // Fifteen days later, Eva's sheet (valid 14) has expired: the right code is refused as expired.
    const later = Date.now() + 15 * DAY;
    const realNow = server.clock.now;
    server.clock.now = () => Date.now() + 15 * DAY;
    try {
      const refusedExpired = await firstSignIn(expiring, oathtoolCode(keys.get(expiring.email)!, later));
      expect(refusedExpired.confirmed).toMatchObject({ status: 410, body: { error: 'sheet_expired' } });
    } finally {
      server.clock.now = realNow;
    }
  }, 180_000);

  it('an auditor sees that the section is not for their role; a support agent of two tenants picks the tenant first', async () => {
    tenant = await server.addTenant();
    const other = await server.addTenant();
    await server.addUser(other, `olga-${marker()}@example.test`, { name: 'Olga Other', locale: 'en' });

    const auditor = await suite.signedInConsole('auditor');
    await openSection(auditor.page);
    expect(await auditor.page.getByTestId('sheets-not-for-role').textContent()).toContain('not available to your role');
    expect(await auditor.page.locator('#main input, #main button').count()).toBe(0);
    expect(await expectAccessible(auditor.page)).toEqual([]);
    await auditor.page.context().close();

    const { page } = await suite.signedInConsole('support', [tenant, other]);
    await openSection(page);
    await page.getByTestId('sheets-choose-tenant').waitFor();
    const tenantName = (await server.ctx.store.db.selectFrom('tenants').select('name').where('slug', '=', other).executeTakeFirstOrThrow())
      .name;
    await page.getByLabel('Tenant', { exact: true }).selectOption({ label: tenantName });
    const rows = page.getByTestId('sheet-candidate');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Olga Other');
    // The words in the operator's language.
    await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: 'Deutsch' });
    await page.getByRole('heading', { name: 'Benutzer ohne Authenticator-App' }).waitFor();
    await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: 'Norsk bokmål' });
    await page.getByRole('heading', { name: 'Brukere uten autentiseringsapp' }).waitFor();
    expect(await expectAccessible(page)).toEqual([]);
  });
});
