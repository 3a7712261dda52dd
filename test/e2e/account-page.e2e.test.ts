import { generateSync } from 'otplib';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/clock.js';
import { revokeUserSessions } from '../../src/server/store/repositories/sessions.js';
import { enrollUser, startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { PageContexts } from './page-contexts.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_ON_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

/**
 * The account page (/account/) as a person with the authenticator app meets it, in Chromium on a
 * real server over loopback, in real time (the app's codes are the real ones): they sign in with
 * the sign-in page's own steps (organisation from `?tenant=`, email, password, the app's code), see
 * who is signed in, their factors and recovery codes left and their remembered devices; they forget
 * a device, get new recovery codes after confirming with the app (the second factor of the sign-in
 * is no longer fresh ten minutes later), change the password after confirming with one of the new
 * recovery codes, and sign out; then the old password is refused and the new one asks for a code
 * again (seed 003). The session lives in the page's memory only: a reload signs out, and a session
 * ended elsewhere sends the page back to the sign-in, in words.
 *
 * The server's clock is moved ahead (the sign-in's second factor grows old) while the browser's stays:
 * the app's codes are made for the server's time.
 */
describe('the account page, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let tenant: string;
  /** How far the server's clock is ahead of the wall clock. */
  let ahead = 0;
  const pages = new PageContexts();

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
    server.clock.now = () => Date.now() + ahead;
    browser = await launchChromium();
    tenant = await server.addTenant({ rememberDeviceDays: 30 }, 'app');
  });
  afterEach(async () => {
    await pages.closeAll();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(locale = 'en-US'): Promise<Page> {
    return pages.newPage(browser, { locale, timezoneId: 'Europe/Oslo', viewport: { width: 760, height: 1000 } });
  }

  const focusedId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  const alertText = (page: Page) => page.locator('#alert').textContent();
  const statusText = (page: Page) => page.locator('#status').textContent();
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
  /** The whole account view in a screenshot: a taller window for it, then the usual one again. */
  async function tallScreenshot(page: Page, name: string, colorScheme: 'light' | 'dark' = 'light') {
    await page.setViewportSize({ width: 760, height: 1560 });
    await screenshot(page, name, colorScheme);
    await page.setViewportSize({ width: 760, height: 1000 });
  }
  /** The code the app shows at the server's time, `steps` time steps later ("123 456" as read off the phone). */
  const appShows = (secret: string, steps = 0) => {
    const code = generateSync({ secret, epoch: Math.floor((Date.now() + ahead) / 1000) + steps * 30 });
    return `${code.slice(0, 3)} ${code.slice(3)}`;
  };

  /** A sign-in over the API that answers with a recovery code and remembers the browser (by its User-Agent). */
  async function rememberDevice(user: { email: string; password: string }, recoveryCode: string, userAgent: string) {
    const headers = { 'user-agent': userAgent };
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password }, headers });
    expect(login.body.status).toBe('mfa_required');
    const verified = await server.call('POST', `/v1/auth/challenges/${String(login.body.challengeId)}/verify`, {
      body: { method: 'recovery_code', code: recoveryCode, rememberDevice: true },
      headers,
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    return String(verified.body.deviceToken);
  }
  const loginWith = (email: string, password: string, deviceToken?: string) =>
    server.call('POST', '/v1/auth/login', { body: { tenant, email, password, ...(deviceToken ? { deviceToken } : {}) } });

  /** Email and password on the account page's sign-in (the organisation came from the address). */
  async function typePassword(page: Page, email: string, password: string) {
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
  }

  it('signs in with the app, forgets a device, makes new recovery codes after a step-up, changes the password, and the next sign-in asks again', async () => {
    const user = await enrollUser(server, tenant, { name: 'Kari Nordmann', locale: 'en' });
    const firefox = await rememberDevice(user, user.recoveryCodes[0]!, FIREFOX_ON_WINDOWS);
    const android = await rememberDevice(user, user.recoveryCodes[1]!, CHROME_ON_ANDROID);
    const page = await newPage();

    // /account sends the browser to its folder, the organisation with it; the sign-in's steps follow.
    await page.goto(`${server.baseUrl}/account?tenant=${tenant}`);
    await heading(page, 'Sign in to your account');
    expect(new URL(page.url()).pathname).toBe('/account/');
    expect(await page.title()).toBe('Your account');
    expect(await page.getByLabel('Organisation').inputValue()).toBe(tenant);
    expect(await focusedId(page)).toBe('email');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'account-sign-in');
    await typePassword(page, user.email, user.password);

    // The app's code (the next step's: the enrollment used this one), as the sign-in page asks it.
    await heading(page, 'Authenticator app code');
    expect(await focusedId(page)).toBe('code');
    await page.getByLabel('Six-digit code from your authenticator app').fill(appShows(user.secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();

    // The account: who, where, the factors and codes left, the devices; the session is the page's only.
    await heading(page, 'Your account');
    expect(await focusedId(page)).toBe('title');
    expect(await page.locator('#memory-only').textContent()).toBe(
      'You stay signed in only while this page is open: reloading or closing it signs you out.',
    );
    expect(await page.getByTestId('account-name').textContent()).toBe('Kari Nordmann');
    expect(await page.getByTestId('account-email').textContent()).toBe(user.email);
    expect(await page.getByTestId('account-tenant').textContent()).toMatch(/^Tenant \d+$/);
    expect(await page.locator('[data-factor="totp"] .item-name').textContent()).toBe('Authenticator app');
    expect(await page.locator('[data-factor="totp"] .item-detail').textContent()).toMatch(/^Set up .*\d{4}.*\.$/);
    expect(await page.getByTestId('recovery-left').textContent()).toBe(`${user.recoveryCodes.length - 2} left, each works once.`);
    const devices = page.getByTestId('device');
    expect(await devices.locator('.item-name').allTextContents()).toEqual(
      expect.arrayContaining(['Firefox on Windows', 'Chrome on Android']),
    );
    expect(await devices.count()).toBe(2);
    expect(await page.evaluate('Object.keys(localStorage).length + Object.keys(sessionStorage).length + document.cookie.length')).toBe(0);
    expect(await expectAccessible(page)).toEqual([]);
    await tallScreenshot(page, 'account-view');
    await tallScreenshot(page, 'account-view-dark', 'dark');

    // Forget one device: said in the status region, the focus on the list's heading; that device asks for a code again.
    await page.getByRole('button', { name: 'Forget Firefox on Windows' }).click();
    await expect.poll(() => statusText(page)).toBe('Firefox on Windows is forgotten: signing in there asks for a code again.');
    expect(await focusedId(page)).toBe('devices-heading');
    expect(await devices.locator('.item-name').allTextContents()).toEqual(['Chrome on Android']);
    expect((await loginWith(user.email, user.password, firefox)).body.status).toBe('mfa_required');
    expect((await loginWith(user.email, user.password, android)).body.status).toBe('authenticated');

    // Eleven minutes later the sign-in's second factor is no longer fresh: new recovery codes ask for it first.
    ahead += 11 * MINUTE;
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await heading(page, 'Confirm it’s you');
    expect(await focusedId(page)).toBe('title');
    expect(await page.locator('#step-up-intro').textContent()).toBe(
      'New recovery codes are a sensitive change: confirm it is you with your second factor first.',
    );
    await page.getByRole('heading', { level: 2, name: 'Authenticator app code' }).waitFor();
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'account-step-up');
    const right = appShows(user.secret).replace(' ', '');
    const wrong = right === '000000' ? '111111' : '000000';
    const code = page.getByLabel('Six-digit code from your authenticator app');
    await code.fill(wrong);
    await code.press('Enter');
    await expect.poll(() => alertText(page)).toMatch(/^That code is wrong\. Tries left: \d+\.$/);
    expect(await focusedId(page)).toBe('code');
    await code.fill(appShows(user.secret));
    await code.press('Enter');

    // The new codes, with the must-confirm-saved step; then back to the account, which counts them.
    await heading(page, 'Save your recovery codes');
    const newCodes = await page.getByTestId('recovery-code').allTextContents();
    expect(newCodes).toHaveLength(user.recoveryCodes.length);
    expect(newCodes).not.toContain(user.recoveryCodes[2]);
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => alertText(page)).toBe('Save your recovery codes first, then tick “I have saved my recovery codes”.');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'account-recovery-codes');
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Finish' }).click();
    await heading(page, 'Your account');
    await expect.poll(() => statusText(page)).toBe('Your new recovery codes are saved. The old ones no longer work.');
    expect(await page.getByTestId('recovery-left').textContent()).toBe(`${newCodes.length} left, each works once.`);

    // A new password: checked here first (too short, not repeated alike), then by the server after a step-up.
    ahead += 11 * MINUTE;
    const newPassword = 'a brand new long passphrase';
    const current = page.getByLabel('Current password');
    const next = page.getByLabel('New password', { exact: true });
    const repeat = page.getByLabel('Repeat the new password');
    await current.fill('not my password at all');
    await next.fill('too short');
    await repeat.fill('too short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => alertText(page)).toBe('The new password needs at least 12 characters.');
    expect(await focusedId(page)).toBe('new-password');
    expect(await next.getAttribute('aria-invalid')).toBe('true');
    expect(await next.getAttribute('aria-describedby')).toBe('new-password-hint');
    await next.fill(newPassword);
    await repeat.fill(`${newPassword}!`);
    await repeat.press('Enter');
    await expect.poll(() => alertText(page)).toBe('The two new passwords are not the same.');
    expect(await focusedId(page)).toBe('repeat-password');
    await repeat.fill(newPassword);
    await repeat.press('Enter');

    // The step-up, answered with a recovery code: an old one is refused, a new one works.
    await heading(page, 'Confirm it’s you');
    expect(await page.locator('#step-up-intro').textContent()).toBe(
      'Changing your password is a sensitive change: confirm it is you with your second factor first.',
    );
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByRole('heading', { level: 2, name: 'Recovery code' }).waitFor();
    const recovery = page.getByLabel('One of your recovery codes');
    await recovery.fill(user.recoveryCodes[2]!);
    await recovery.press('Enter');
    await expect.poll(() => alertText(page)).toMatch(/^That code is wrong\./);
    await recovery.fill(newCodes[0]!);
    await recovery.press('Enter');

    // The current password was wrong: back on the account, said in words, the field marked, the new one kept.
    await expect.poll(() => alertText(page)).toBe('The current password is wrong.');
    await heading(page, 'Your account');
    expect(await focusedId(page)).toBe('current-password');
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    expect(await next.inputValue()).toBe(newPassword);
    // The recovery code the step-up took is counted.
    expect(await page.getByTestId('recovery-left').textContent()).toBe(`${newCodes.length - 1} left, each works once.`);
    expect(await expectAccessible(page)).toEqual([]);
    await tallScreenshot(page, 'account-password-refused');
    await current.fill(user.password);
    await current.press('Enter');

    // Fresh from the step-up, no code this time: changed; the page says what it ended.
    await heading(page, 'Password changed');
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('password-changed').textContent()).toBe(
      'Your password is changed. Your other sessions and remembered devices have ended, so the next sign-in asks for a code again.',
    );
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'account-password-changed');
    await page.getByRole('button', { name: 'Back to your account' }).click();
    await heading(page, 'Your account');
    expect(await page.locator('#no-devices').textContent()).toBe('No device is remembered.');

    // Signing out ends the page's session on the server: none of the user's sessions is left.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to your account');
    await expect.poll(() => statusText(page)).toBe('You are signed out.');
    const open = await server.ctx.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(open).toEqual([]);

    // The old password is refused; the new one asks for a code again (a remembered device too: seed 003).
    expect(await focusedId(page)).toBe('password');
    await typePassword(page, user.email, user.password);
    await expect.poll(() => alertText(page)).toBe('The email or password is wrong.');
    await typePassword(page, user.email, newPassword);
    await heading(page, 'Authenticator app code');
    expect((await loginWith(user.email, newPassword, android)).body.status).toBe('mfa_required');
    await page.getByLabel('Six-digit code from your authenticator app').fill(appShows(user.secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Your account');
    expect(pages.cspRefusals(page)).toEqual([]);
  });

  it('speaks the person’s own language after the sign-in; a reload signs out; a session ended elsewhere is said in words', async () => {
    const user = await enrollUser(server, tenant, { name: 'Ola Nordmann', locale: 'nb' });
    const page = await newPage('en-GB');
    await page.goto(`${server.baseUrl}/account/?tenant=${tenant}`);
    // Before the sign-in, the browser's language.
    await heading(page, 'Sign in to your account');
    await typePassword(page, user.email, user.password);
    await heading(page, 'Authenticator app code');
    await page.getByLabel('Six-digit code from your authenticator app').fill(appShows(user.secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();

    // After it, the person's own (nb).
    await heading(page, 'Kontoen din');
    expect(await page.evaluate('document.documentElement.lang')).toBe('nb');
    expect(await page.title()).toBe('Kontoen din');
    expect(await page.locator('[data-factor="totp"] .item-name').textContent()).toBe('Autentiseringsapp');
    expect(await page.locator('#no-devices').textContent()).toBe('Ingen enhet er husket.');
    expect(await expectAccessible(page)).toEqual([]);
    await tallScreenshot(page, 'account-view-nb');

    // Support ends every session: the next action says so and goes back to the sign-in, the email kept.
    await revokeUserSessions(server.ctx.store.db, user.id, Date.now() + ahead);
    await page.getByRole('button', { name: 'Nye gjenopprettingskoder' }).click();
    await heading(page, 'Logg inn på kontoen din');
    await expect.poll(() => alertText(page)).toBe('Du er logget ut: økten er avsluttet. Logg inn igjen.');
    expect(await page.getByLabel('E-post', { exact: true }).inputValue()).toBe(user.email);
    expect(await focusedId(page)).toBe('password');

    // Signed in again; a reload forgets the session (it was in the page's memory only).
    await page.getByLabel('Passord', { exact: true }).fill(user.password);
    await page.getByLabel('Passord', { exact: true }).press('Enter');
    // The app's code of this step was used a moment ago (each is taken once): a recovery code instead.
    await heading(page, 'Kode fra autentiseringsappen');
    await page.getByRole('button', { name: 'Bruk en gjenopprettingskode' }).click();
    await heading(page, 'Gjenopprettingskode');
    await page.getByLabel('En av gjenopprettingskodene dine').fill(user.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Fortsett' }).click();
    await heading(page, 'Kontoen din');
    await page.reload();
    await heading(page, 'Sign in to your account');
    expect(await page.getByLabel('Organisation').inputValue()).toBe(tenant);
    expect(pages.cspRefusals(page)).toEqual([]);
  });
});
