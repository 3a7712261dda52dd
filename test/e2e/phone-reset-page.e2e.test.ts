import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneResetLink } from '../../src/server/factors/sms/phone-reset.js';
import { findUserById } from '../../src/server/store/repositories/users.js';
import { lastSmsCode, startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { PageContexts } from './page-contexts.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

/**
 * The page support's phone reset link opens (/phone-reset/{token}, the link format of emails already
 * sent), in Chromium on a real server over loopback: whose account and the current number, masked;
 * the new number typed the national way (the sms tenant is German, so "0151 …" is a German mobile);
 * the code from the SMS, typed with a space or a dash; the result. Refusals are said in words: an
 * empty or unreadable number, a wrong code with the tries left, a spent or unknown link. In English
 * and in Norwegian (the browser's language: the person is not signed in).
 */
describe('the phone reset page, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let tenant: string;
  const pages = new PageContexts();

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
    browser = await launchChromium();
    tenant = await server.addTenant({}, 'sms');
  });
  afterEach(async () => {
    await pages.closeAll();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(locale = 'en-US'): Promise<Page> {
    return pages.newPage(browser, { locale, timezoneId: 'Europe/Oslo', viewport: { width: 760, height: 900 } });
  }

  const focusedId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  const alertText = (page: Page) => page.locator('#alert').textContent();
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  /** Support sends the user a reset link (the emailed text carries it). */
  async function resetLinkFor(phone: string) {
    const user = await server.addUser(tenant, undefined, { phone, name: 'Jonas Becker' });
    const sent = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'e2e' }, null);
    const mail = server
      .outbox()
      .filter((m) => m.to === user.email && m.template === 'phone_reset_link')
      .at(-1)!;
    expect(mail.text).toContain(sent.link);
    expect(new URL(sent.link).pathname).toMatch(/^\/phone-reset\/[A-Za-z0-9_-]{43}$/);
    return { user, link: sent.link };
  }

  it('shows whose account and the current number, takes the new one as typed and the code spaced, and says it is done', async () => {
    const { user, link } = await resetLinkFor('+4917011111111');
    const page = await newPage();
    const response = await page.goto(link);
    // The token is in the path: the page is never stored and sends no Referer.
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');

    await heading(page, 'Set a new phone number');
    // The heading says it before the link is read (no focus then): the step proper is the form's.
    await page.locator('#phone').waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    expect(await page.title()).toBe('Set a new phone number');
    expect(await page.getByTestId('reset-email').textContent()).toMatch(/^u•+@example\.test$/);
    expect(await page.getByTestId('reset-tenant').textContent()).toMatch(/^Tenant \d+$/);
    expect(await page.getByTestId('reset-current').textContent()).toMatch(/^\+49 •+111$/);
    expect(await page.getByTestId('reset-expires').textContent()).toMatch(/\d{4}/);
    const phone = page.getByLabel('New mobile number');
    expect(await phone.getAttribute('type')).toBe('tel');
    expect(await phone.getAttribute('autocomplete')).toBe('tel');
    expect(await phone.getAttribute('aria-describedby')).toBe('phone-hint');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'phone-reset-number');

    // Nothing typed, then something that is no number: said in words, the field marked, the focus on it.
    await page.getByRole('button', { name: 'Send a code' }).click();
    await expect.poll(() => alertText(page)).toBe('Type your new mobile number.');
    expect(await focusedId(page)).toBe('phone');
    await phone.fill('not a number');
    await phone.press('Enter');
    await expect.poll(() => alertText(page)).toBe('That is not a mobile number we can read. Check it and type it again.');
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('phone');
    // Editing the field clears the refusal.
    await phone.fill('0151 2345 6789');
    expect(await alertText(page)).toBe('');
    expect(await phone.getAttribute('aria-invalid')).toBeNull();
    await phone.press('Enter');

    // The code step: where it went (masked), until when; a wrong code costs a try and says how many are left.
    await heading(page, 'Type the code from the SMS');
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('code-sent').textContent()).toMatch(/^We sent a code to \+49 •+789\. It works until .+\d.*\.$/);
    const right = lastSmsCode(server, '+4915123456789');
    const code = page.getByLabel('Code from the SMS');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('aria-describedby')).toBe('code-hint code-sent');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'phone-reset-code');
    await code.fill('12345');
    await code.press('Enter');
    await expect.poll(() => alertText(page)).toBe('Type the six digits of the code, such as 123 456.');
    const wrong = right === '000000' ? '111111' : '000000';
    await code.fill(`${wrong.slice(0, 3)} ${wrong.slice(3)}`);
    await code.press('Enter');
    await expect.poll(() => alertText(page)).toMatch(/^That code is wrong\. Tries left: \d+\.$/);
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('code');
    await code.fill(`${right.slice(0, 3)}-${right.slice(3)}`);
    await code.press('Enter');

    await heading(page, 'Your phone number is changed');
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('reset-done').textContent()).toMatch(/^Your phone number is now \+49 •+789\.$/);
    expect((await findUserById(server.ctx.store.db, user.id))!.phone).toBe('+4915123456789');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'phone-reset-done');
    await screenshot(page, 'phone-reset-done-dark', 'dark');

    // The link is spent: opened again, it says so.
    await page.goto(link);
    await heading(page, 'This link does not work');
    await expect
      .poll(() => alertText(page))
      .toBe('This link has expired or was already used. Ask support for a new one if you still need it.');
    expect(pages.cspRefusals(page)).toEqual([]);
  });

  it('speaks Norwegian to a Norwegian browser, and an unknown link says it is not valid', async () => {
    const { user, link } = await resetLinkFor('+4917022222222');
    const page = await newPage('nb-NO');
    await page.goto(link);
    await heading(page, 'Registrer nytt telefonnummer');
    expect(await page.evaluate('document.documentElement.lang')).toBe('nb');
    expect(await page.getByTestId('reset-current').textContent()).toMatch(/^\+49 •+222$/);
    const phone = page.getByLabel('Nytt mobilnummer');
    await phone.fill('0151-9876-5432');
    await page.getByRole('button', { name: 'Send en kode' }).click();
    await heading(page, 'Skriv inn koden fra SMS-en');
    expect(await page.getByTestId('code-sent').textContent()).toMatch(/^Vi sendte en kode til \+49 •+432\./);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'phone-reset-code-nb');

    // Another number after all: back to the number, the one typed still there.
    await page.getByRole('button', { name: 'Send en ny kode, eller bruk et annet nummer' }).click();
    await heading(page, 'Registrer nytt telefonnummer');
    expect(await phone.inputValue()).toBe('0151-9876-5432');
    await page.getByRole('button', { name: 'Send en kode' }).click();
    await heading(page, 'Skriv inn koden fra SMS-en');
    await page.getByLabel('Koden fra SMS-en').fill(lastSmsCode(server, '+4915198765432'));
    await page.getByRole('button', { name: 'Bekreft det nye nummeret' }).click();
    await heading(page, 'Telefonnummeret ditt er endret');
    expect(await page.getByTestId('reset-done').textContent()).toMatch(/^Telefonnummeret ditt er nå \+49 •+432\.$/);
    expect((await findUserById(server.ctx.store.db, user.id))!.phone).toBe('+4915198765432');

    await page.goto(`${server.baseUrl}/phone-reset/${'x'.repeat(43)}`);
    await heading(page, 'Denne lenken virker ikke');
    await expect.poll(() => alertText(page)).toBe('Denne lenken er ikke gyldig. Be brukerstøtte om en ny.');
    expect(await expectAccessible(page)).toEqual([]);
    expect(pages.cspRefusals(page)).toEqual([]);
  });
});
