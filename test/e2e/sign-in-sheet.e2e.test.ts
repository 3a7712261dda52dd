import { readFile } from 'node:fs/promises';
import { generateSync } from 'otplib';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/server/clock.js';
import { signedInOperator, type SignedInOperator } from '../support/operators.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { PageContexts } from './page-contexts.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

interface Sheet {
  sheetId: string;
  userId: string;
  otpauthUri: string;
  expiresAt: string;
}

/**
 * The hosted sign-in for someone a tenant admin printed an enrollment sheet for: they set up the
 * app from the sheet's QR code or key, sign in as usual with email and password, and when the page
 * asks for a code they type the one the app shows; then they save the recovery codes, shown once,
 * and are signed in. In Chromium, on a real server over loopback, in real time (the codes are the
 * real ones). A wrong code can be tried again; a voided or expired sheet, the 30-minute enrollment
 * token running out and the network down are said in words, in the person's language.
 */
describe('the hosted sign-in with a printed enrollment sheet, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let tenant: string;
  let admin: SignedInOperator;
  const pages = new PageContexts();

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
    browser = await launchChromium();
    tenant = await server.addTenant({}, 'app');
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
  });
  afterEach(async () => {
    await pages.closeAll();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    return pages.newPage(browser, {
      locale: 'en-US',
      timezoneId: 'Europe/Oslo',
      viewport: { width: 760, height: 1000 },
      ...options,
    });
  }

  const ticket = { ticket: 'HR-77', reason: 'New starters enrol from paper' };
  const secretOf = (sheet: Sheet) => new URL(sheet.otpauthUri).searchParams.get('secret')!;
  const focusedId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  const alertText = (page: Page) => page.locator('#alert').textContent();
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  /** The code the app shows at `at` (ms), "123 456" as people read it off the phone. */
  const appShows = (secret: string, at = Date.now()) => {
    const code = generateSync({ secret, epoch: Math.floor(at / 1000) });
    return { code, spaced: `${code.slice(0, 3)} ${code.slice(3)}` };
  };

  /** A tenant admin prints a sheet for the user (POST /v1/admin/enrollment-sheets). */
  async function sheetFor(user: { id: string }): Promise<Sheet> {
    const made = await server.call<{ sheets: Sheet[] }>('POST', '/v1/admin/enrollment-sheets', {
      token: admin.accessToken,
      body: { ...ticket, userIds: [user.id] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    return made.body.sheets[0]!;
  }

  /** The sign-in page opened from `?tenant=`, email and password typed as usual. */
  async function signIn(page: Page, user: { email: string; password: string }, labels = { heading: 'Sign in', email: 'Email' }) {
    await page.goto(`${server.baseUrl}/sign-in?tenant=${tenant}`);
    await page.getByRole('heading', { level: 1, name: labels.heading }).waitFor();
    await typePassword(page, user, labels.email);
  }
  async function typePassword(page: Page, user: { email: string; password: string }, emailLabel = 'Email') {
    await page.getByLabel(emailLabel, { exact: true }).fill(user.email);
    await page.locator('#password').fill(user.password);
    await page.locator('#password').press('Enter');
  }

  it('a sheet user types the app code (a wrong one can be retried), must save the recovery codes, is signed in, and is asked for the app next time', async () => {
    const user = await server.addUser(tenant, undefined, { name: 'Åse Ærø' });
    const sheet = await sheetFor(user);
    const secret = secretOf(sheet);
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });

    // The organisation comes from the address; after the password, the page asks for the app's code.
    await page.goto(`${server.baseUrl}/sign-in?tenant=${tenant}`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Organisation').inputValue()).toBe(tenant);
    await typePassword(page, user);
    await page.getByRole('heading', { level: 1, name: 'Type the code from your authenticator app' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await page.locator('#sheet-intro').textContent()).toBe(
      'Use the authenticator app you set up from the printed enrollment sheet your administrator gave you.',
    );
    const until = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(
      new Date(sheet.expiresAt),
    );
    expect(await page.getByTestId('sheet-valid-until').textContent()).toBe(`The sheet works until ${until}.`);
    const codeField = page.getByLabel('The six-digit code the app shows');
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeField.getAttribute('inputmode')).toBe('numeric');
    expect(await codeField.getAttribute('aria-describedby')).toBe('sheet-code-hint');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'sign-in-sheet-code');

    // Not six digits: said before anything is sent. A wrong code ("000-000"): refused, the person tries again.
    await codeField.fill('12345');
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toBe('Type the six digits the app shows, such as 123 456.');
    expect(await focusedId(page)).toBe('sheet-code');
    const right = appShows(secret).code;
    const wrong = right === '000000' ? '111111' : '000000';
    await codeField.fill(`${wrong.slice(0, 3)}-${wrong.slice(3)}`);
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toBe('That code is not right: check the time on your phone and type the newest code.');
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('sheet-code');
    expect(await heading(page)).toBe('Type the code from your authenticator app');
    expect(await expectAccessible(page)).toEqual([]);
    // Editing the refused code clears the refusal.
    await codeField.fill('1');
    expect(await alertText(page)).toBe('');

    // The network down: said in words, the same code goes through once it is back.
    await page.route('**/v1/enroll/totp/confirm', (route) => route.abort(), { times: 1 });
    await codeField.fill(appShows(secret).spaced);
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toBe('The server could not be reached. Check the connection and try again.');
    expect(await heading(page)).toBe('Type the code from your authenticator app');

    // The right code, as people type it ("123 456").
    await codeField.fill(appShows(secret).spaced);
    await codeField.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await alertText(page)).toBe('');
    const codes = await page.getByTestId('recovery-code').allTextContents();
    expect(codes).toHaveLength(10);
    expect(await page.getByRole('list', { name: 'Your recovery codes' }).isVisible()).toBe(true);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'sign-in-sheet-recovery-codes');

    // Not before the box is ticked: the account still has no second factor in use.
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => alertText(page)).toBe('Save your recovery codes first, then tick “I have saved my recovery codes”.');
    expect(await focusedId(page)).toBe('codes-saved');
    expect(await page.getByLabel('I have saved my recovery codes').getAttribute('aria-invalid')).toBe('true');
    expect(await heading(page)).toBe('Save your recovery codes');
    const early = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(early.body.status).toBe('enrollment_required');

    // Copy, Download (a .txt file saying whose codes they are), Print.
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('The codes are copied. Paste them somewhere safe.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(codes.join('\n'));
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('recovery-codes.txt');
    const file = await readFile((await download.path())!, 'utf8');
    expect(file).toContain(`Recovery codes for ${user.email} (${tenant})`);
    for (const code of codes) expect(file).toContain(code);
    await page.evaluate('window.print = () => { window.printed = (window.printed || 0) + 1; }');
    await page.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate('window.printed')).toBe(1);

    await page.getByLabel('I have saved my recovery codes').check();
    expect(await alertText(page)).toBe('');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { level: 1, name: 'Signed in' }).waitFor();
    expect(await page.getByTestId('signed-in').textContent()).toBe(`You are signed in as ${user.email}.`);
    expect(await focusedId(page)).toBe('title');
    expect(pages.cspRefusals(page)).toEqual([]);
    expect(await page.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).toEqual([0, 0, '']);

    // The app from paper is the account's factor now: the next sign-in asks for its code as usual
    // (the next time step: the one typed above is spent).
    const again = await newPage();
    await signIn(again, user);
    await again.getByRole('heading', { level: 1, name: 'Authenticator app code' }).waitFor();
    await again.getByLabel('Six-digit code from your authenticator app').fill(appShows(secret, Date.now() + 30_000).code);
    await again.getByLabel('Six-digit code from your authenticator app').press('Enter');
    await again.getByRole('heading', { level: 1, name: 'Signed in' }).waitFor();
    expect(await again.getByTestId('signed-in').textContent()).toBe(`You are signed in as ${user.email}.`);
  });

  it('a sheet voided while the person signs in, and one that expires meanwhile, are refused in words; without a sheet the page ends as before', async () => {
    // Voided by the admin while the page asks for the code.
    const voided = await server.addUser(tenant);
    const voidedSheet = await sheetFor(voided);
    const page = await newPage();
    await signIn(page, voided);
    await page.getByRole('heading', { level: 1, name: 'Type the code from your authenticator app' }).waitFor();
    const made = await server.call('POST', `/v1/admin/enrollment-sheets/${voidedSheet.sheetId}/void`, {
      token: admin.accessToken,
      body: ticket,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    await page.getByLabel('The six-digit code the app shows').fill(appShows(secretOf(voidedSheet)).spaced);
    await page.getByLabel('The six-digit code the app shows').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Not signed in' }).waitFor();
    await expect.poll(() => alertText(page)).toBe('This enrollment sheet was voided: ask your administrator for a new one.');
    expect(await page.getByRole('button', { name: 'Start again' }).isVisible()).toBe(true);
    expect(await expectAccessible(page)).toEqual([]);

    // Signing in again: the sheet no longer offers itself, and the page ends as it always did.
    await page.getByRole('button', { name: 'Start again' }).click();
    await typePassword(page, voided);
    await page.getByRole('heading', { level: 1, name: 'Not signed in' }).waitFor();
    await expect.poll(() => alertText(page)).toBe('Your account needs a second factor before you can sign in here. Set one up first.');

    // A sheet that expires between the password and the code (14 days after printing), in Norwegian.
    const late = await server.addUser(tenant);
    const lateSheet = await sheetFor(late);
    const realNow = server.clock.now;
    try {
      server.clock.now = () => Date.now() + 14 * DAY - 5 * 60_000;
      const norsk = await newPage({ locale: 'nb-NO' });
      await signIn(norsk, late, { heading: 'Logg inn', email: 'E-post' });
      await norsk.getByRole('heading', { level: 1, name: 'Skriv inn koden fra autentiseringsappen' }).waitFor();
      expect(await norsk.getByTestId('sheet-valid-until').textContent()).toMatch(/^Arket virker til .+\.$/);
      expect(await expectAccessible(norsk)).toEqual([]);
      const later = Date.now() + 14 * DAY + 5 * 60_000;
      server.clock.now = () => Date.now() + 14 * DAY + 5 * 60_000;
      await norsk.getByLabel('Den sekssifrede koden appen viser').fill(appShows(secretOf(lateSheet), later).spaced);
      await norsk.getByLabel('Den sekssifrede koden appen viser').press('Enter');
      await norsk.getByRole('heading', { level: 1, name: 'Ikke logget inn' }).waitFor();
      await expect.poll(() => alertText(norsk)).toBe('Dette registreringsarket er utløpt: be administratoren din om et nytt.');
      expect(pages.cspRefusals(norsk)).toEqual([]);
    } finally {
      server.clock.now = realNow;
    }
  });

  it('when the 30-minute enrollment token runs out, the password again leads back where the person was (in German)', async () => {
    const user = await server.addUser(tenant);
    const sheet = await sheetFor(user);
    const secret = secretOf(sheet);
    const page = await newPage({ locale: 'de-DE' });
    await signIn(page, user, { heading: 'Anmelden', email: 'E-Mail' });
    await page.getByRole('heading', { level: 1, name: 'Geben Sie den Code aus Ihrer Authenticator-App ein' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');
    const codeField = page.getByLabel('Der sechsstellige Code aus der App');
    const stopped =
      'Zu Ihrer Sicherheit wurde die Einrichtung nach 30 Minuten beendet. Melden Sie sich erneut an, um dort weiterzumachen, wo Sie waren.';

    const realNow = server.clock.now;
    try {
      // 31 minutes later the code is typed: back to the password, the organisation and email kept.
      server.clock.now = () => Date.now() + 31 * 60_000;
      await codeField.fill(appShows(secret, server.clock.now()).spaced);
      await codeField.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
      await expect.poll(() => alertText(page)).toBe(stopped);
      expect(await page.getByLabel('E-Mail', { exact: true }).inputValue()).toBe(user.email);
      expect(await focusedId(page)).toBe('password');
      await page.locator('#password').fill(user.password);
      await page.locator('#password').press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Geben Sie den Code aus Ihrer Authenticator-App ein' }).waitFor();
      await codeField.fill(appShows(secret, server.clock.now()).code);
      await codeField.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Wiederherstellungscodes speichern' }).waitFor();
      const codes = await page.getByTestId('recovery-code').allTextContents();
      expect(await expectAccessible(page)).toEqual([]);

      // Another 31 minutes on the codes: signing in again shows the same codes, and the setup finishes.
      server.clock.now = () => Date.now() + 62 * 60_000;
      await page.getByLabel('Ich habe meine Wiederherstellungscodes gespeichert').check();
      await page.getByRole('button', { name: 'Abschließen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
      await expect.poll(() => alertText(page)).toBe(stopped);
      await page.locator('#password').fill(user.password);
      await page.locator('#password').press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Wiederherstellungscodes speichern' }).waitFor();
      expect(await page.getByTestId('recovery-code').allTextContents()).toEqual(codes);
      await page.getByLabel('Ich habe meine Wiederherstellungscodes gespeichert').check();
      await page.getByRole('button', { name: 'Abschließen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Angemeldet' }).waitFor();
      expect(await page.getByTestId('signed-in').textContent()).toBe(`Sie sind als ${user.email} angemeldet.`);
      expect(pages.cspRefusals(page)).toEqual([]);
    } finally {
      server.clock.now = realNow;
    }
    const next = await server.call<{ status: string; methods: string[] }>('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password },
    });
    expect(next.body.status).toBe('mfa_required');
    expect(next.body.methods).toContain('totp');
  });
});
