import { readFile } from 'node:fs/promises';
import { generateSync } from 'otplib';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TenantPolicy } from '../../src/shared/policy.js';
import { signedInOperator } from '../support/operators.js';
import { lastSmsCode, startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { PageContexts } from './page-contexts.js';
import { expectAccessible, phoneEndingIn, screenshot } from './support-desk-steps.js';

/**
 * The hosted invitation page as the people of a broken-up shared mailbox meet it: a tenant admin
 * splits accounts@firma.test into personal accounts, each person gets an email with a link, and in
 * Chromium (on a real server over loopback, in real time, so authenticator codes are the real ones)
 * they choose a password and set up their second factor: the authenticator app from the manual key
 * on the page, or the phone the admin proposed, with the code from the SMS; then the recovery codes,
 * which must be acknowledged. Refusals (a used, expired or unknown link, the network down) are said
 * in words, in the person's language. Someone who chose the password and then lost the page (a
 * reload, a closed tab, the 30-minute enrollment token run out) opens the link again, types that
 * password again and goes on where they were.
 */
describe('the invitation page: from a shared mailbox to a personal account with a second factor, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new PageContexts();
  let people = 0;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
    browser = await launchChromium();
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

  interface Person {
    name: string;
    email: string;
    phone?: string;
    locale?: 'en' | 'nb' | 'de';
  }

  /** A tenant admin breaks accounts@firma.test up; the person's invitation link, from the email they get. */
  async function invite(preset: 'app' | 'sms', person: Omit<Person, 'email'>, policy: Partial<TenantPolicy> = {}) {
    const tenant = await server.addTenant({ askOnlyOnNewIpOrPasswordChange: false, ...policy }, preset);
    const shared = await server.addUser(tenant, 'accounts@firma.test', { name: 'Accounts' });
    const admin = await signedInOperator(server, 'tenant_admin', [tenant]);
    const email = `person-${++people}-${Date.now().toString(36)}@firma.test`;
    const member = { ...person, email };
    const started = await server.call('POST', `/v1/admin/users/${shared.id}/breakups`, {
      token: admin.accessToken,
      body: {
        idempotencyKey: `invitation-e2e-${tenant}-${people}`,
        members: [{ name: member.name, email, phone: member.phone ?? '', ...(member.locale ? { locale: member.locale } : {}) }],
        disableAt: null,
        ticket: 'T-1101',
        reason: 'Personal accounts for the people behind the shared mailbox',
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);
    const invitation = () => server.outbox().find((m) => m.channel === 'email' && m.to === email && m.template === 'invitation');
    await expect.poll(() => invitation()?.text ?? '', { timeout: 10_000 }).toMatch(/\/invitation\/#t=/);
    const sent = invitation()!;
    const link = /(https?:\/\/\S+\/invitation\/#t=[A-Za-z0-9_-]+)/.exec(sent.text)?.[1];
    expect(link).toBeDefined();
    // The link leads back to this server: only its fragment is the secret.
    expect(new URL(link!).origin).toBe(new URL(server.baseUrl).origin);
    return { tenant, member, link: link!, emailLocale: sent.locale };
  }

  const focusedId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  const alertText = (page: Page) => page.locator('#alert').textContent();

  /** The way back into a setup the person did not finish: the "continue" step, their password again. */
  async function continueWith(page: Page, password: string, label = 'Your password') {
    await page.getByLabel(label, { exact: true }).fill(password);
    await page.getByLabel(label, { exact: true }).press('Enter');
  }

  async function choosePassword(page: Page, password: string, labels = { password: 'New password', repeat: 'Repeat the password' }) {
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByLabel(labels.repeat, { exact: true }).fill(password);
  }

  it('an app-tenant person sets a password, adds the app from the manual key, must save the recovery codes, and then signs in', async () => {
    const { tenant, member, link } = await invite('app', { name: 'Kari Nordmann', locale: 'en' });
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    await page.goto(link);

    // The welcome: whose account, where, until when; the token has left the address bar.
    await page.getByRole('heading', { level: 1, name: 'Welcome, Kari Nordmann' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('invitation-email').textContent()).toBe(member.email);
    expect(await page.getByTestId('invitation-tenant').textContent()).toMatch(/^Tenant \d+$/);
    expect(await page.getByTestId('invitation-expires').textContent()).toMatch(/\d{4}/);
    expect(await page.locator('#progress [aria-current="step"]').textContent()).toContain('Password');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');

    // The rules are shown and checked here, before the server is asked.
    expect(await page.locator('#password-rules').textContent()).toContain('have at least 12 characters');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => alertText(page)).toBe('The password needs at least 12 characters.');
    expect(await focusedId(page)).toBe('new-password');
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const password = 'correct horse battery staple';
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password').fill('correct horse battery stapel');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => alertText(page)).toContain('The two passwords are not the same.');
    expect(await focusedId(page)).toBe('repeat-password');
    await choosePassword(page, password);
    expect(await page.locator('#password-rules li[data-met="true"]').count()).toBe(2);
    // Show/hide: both fields at once.
    await page.getByLabel('Show the passwords').check();
    expect(await page.getByLabel('Repeat the password').getAttribute('type')).toBe('text');
    await page.getByLabel('Show the passwords').uncheck();
    expect(await page.getByLabel('Repeat the password').getAttribute('type')).toBe('password');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'invitation-password');
    await page.getByRole('button', { name: 'Continue' }).click();

    // The app (the tenant's only method): QR code as a data: image, the manual key in groups of four.
    await page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await expect
      .poll(() => page.evaluate("(() => { const img = document.querySelector('img.qr'); return img.complete && img.naturalWidth > 0; })()"))
      .toBe(true);
    const key = (await page.getByTestId('manual-key').textContent())!;
    expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const secret = key.replace(/\s/g, '');
    expect(await page.getByRole('link', { name: /Open the key in your authenticator app/ }).getAttribute('href')).toContain(
      `secret=${secret}`,
    );
    expect(await page.getByRole('button', { name: 'Choose another way' }).count()).toBe(0);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'invitation-app');

    // A wrong code is refused in words; the right one is accepted as people type it ("123 456").
    const right = generateSync({ secret });
    const wrong = right === '000000' ? '111111' : '000000';
    const codeField = page.getByLabel('The 6-digit code the app shows');
    await codeField.fill('12345');
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toBe('Type the 6 digits of the code, such as 123 456.');
    await codeField.fill(`${wrong.slice(0, 3)}-${wrong.slice(3)}`);
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toContain('The code does not match.');
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');
    await codeField.fill(`${generateSync({ secret }).slice(0, 3)} ${generateSync({ secret }).slice(3)}`);
    await codeField.press('Enter');

    // The recovery codes: shown once; the page will not go on until the person says they saved them.
    await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    const codes = await page.getByTestId('recovery-code').allTextContents();
    expect(codes.length).toBeGreaterThanOrEqual(5);
    await screenshot(page, 'invitation-recovery-codes');
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => alertText(page)).toBe('Save your recovery codes first, then tick “I have saved my recovery codes”.');
    expect(await focusedId(page)).toBe('codes-saved');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Save your recovery codes');
    // Not finished: the account still has no second factor in use.
    const early = await server.call('POST', '/v1/auth/login', { body: { tenant, email: member.email, password } });
    expect(early.body.status).toBe('enrollment_required');

    // Copy, Download (a .txt file), Print.
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('The codes are copied. Paste them somewhere safe.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(codes.join('\n'));
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('recovery-codes.txt');
    const file = await readFile((await download.path())!, 'utf8');
    expect(file).toContain(`Recovery codes for ${member.email}`);
    for (const code of codes) expect(file).toContain(code);
    await page.evaluate('window.print = () => { window.printed = (window.printed || 0) + 1; }');
    await page.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate('window.printed')).toBe(1);
    expect(await expectAccessible(page)).toEqual([]);

    await page.getByLabel('I have saved my recovery codes').check();
    expect(await alertText(page)).toBe('');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are all set' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('done').textContent()).toContain(member.email);
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`/sign-in?tenant=${tenant}`);
    expect(await expectAccessible(page)).toEqual([]);
    // Nothing inline was needed (the policy held), and nothing was kept in the browser.
    expect(pages.cspRefusals(page)).toEqual([]);
    expect(await page.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).toEqual([0, 0, '']);

    // The person signs in with the new password and a fresh code (the next time step: the last one is spent).
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: member.email, password } });
    expect(login.body).toMatchObject({ status: 'mfa_required' });
    expect(login.body.methods).toContain('totp');
    const fresh = generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const verified = await server.call('POST', `/v1/auth/challenges/${String(login.body.challengeId)}/verify`, {
      body: { method: 'totp', code: fresh },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.status).toBe('authenticated');

    // The link is spent: opening it again says so, in words.
    const again = await newPage();
    await again.goto(link);
    await again.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();
    await expect.poll(() => alertText(again)).toContain('This invitation link has expired or was already used.');
    expect(await again.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await expectAccessible(again)).toEqual([]);
  });

  it('an SMS-tenant person chooses SMS (the tenant’s first), confirms the proposed phone with the code, in Norwegian', async () => {
    const phone = phoneEndingIn('1357');
    const { tenant, member, link, emailLocale } = await invite('sms', { name: 'Ola Nordmann', phone, locale: 'nb' });
    expect(emailLocale).toBe('nb');
    // The browser speaks English; the invitation says Norwegian, and the page follows the invitation.
    const page = await newPage({ locale: 'en-US', viewport: { width: 412, height: 915 } });
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Velkommen, Ola Nordmann' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('nb');
    expect(await page.evaluate('document.title')).toBe('Invitasjonen din');
    await choosePassword(page, 'fjord og fjell og fiskekaker', { password: 'Nytt passord', repeat: 'Gjenta passordet' });
    expect(await expectAccessible(page)).toEqual([]);
    await page.getByRole('button', { name: 'Fortsett' }).click();

    // Both methods are offered, in the tenant's order: SMS first.
    await page.getByRole('heading', { level: 1, name: 'Hvordan vil du bekrefte at det er deg?' }).waitFor();
    expect(await page.locator('button.choice').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-method')))).toEqual([
      'sms',
      'totp',
    ]);
    expect(await expectAccessible(page)).toEqual([]);
    await page.getByRole('button', { name: 'Tekstmelding (SMS)' }).click();

    // The phone the admin proposed is filled in; the person may change it (a number that does not read is refused in words).
    await page.getByRole('heading', { level: 1, name: 'Bekreft mobilnummeret ditt' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    const phoneField = page.getByLabel('Mobilnummer');
    expect(await phoneField.inputValue()).toBe(phone);
    expect(await page.getByText('Administratoren foreslo dette nummeret.').isVisible()).toBe(true);
    await phoneField.fill('+47 12');
    await page.getByRole('button', { name: 'Send kode' }).click();
    await expect.poll(() => alertText(page)).toContain('Det ser ikke ut som et mobilnummer.');
    expect(await focusedId(page)).toBe('phone');
    await phoneField.fill(phone);
    await page.getByRole('button', { name: 'Send kode' }).click();
    const codeField = page.getByLabel('Koden fra SMS-en');
    await codeField.waitFor();
    expect(await focusedId(page)).toBe('sms-code');
    expect(await page.locator('#sms-sent').textContent()).toMatch(
      /^Vi sendte en kode til \+47 \S*357\. Koder som fortsatt kan sendes i dag: 14\.$/,
    );
    const code = lastSmsCode(server, phone);
    await codeField.fill(code === '000000' ? '111111' : '000000');
    await codeField.press('Enter');
    await expect.poll(() => alertText(page)).toMatch(/^Koden er feil\. Forsøk igjen: \d+\.$/);
    expect(await expectAccessible(page)).toEqual([]);
    await codeField.fill(`${code.slice(0, 3)}-${code.slice(3)}`);
    await codeField.press('Enter');

    await page.getByRole('heading', { level: 1, name: 'Lagre gjenopprettingskodene' }).waitFor();
    expect(await page.getByTestId('recovery-code').count()).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Fullfør' }).click();
    await expect.poll(() => alertText(page)).toContain('Lagre gjenopprettingskodene først');
    expect(await expectAccessible(page)).toEqual([]);
    await page.getByLabel('Jeg har lagret gjenopprettingskodene mine').check();
    await page.getByRole('button', { name: 'Fullfør' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alt er klart' }).waitFor();
    expect(await page.getByTestId('done').textContent()).toMatch(/en kode som sendes på SMS til \+47 \S*357\.$/);
    expect(await expectAccessible(page)).toEqual([]);
    expect(pages.cspRefusals(page)).toEqual([]);

    // The phone is the account's factor now: signing in is no longer an enrollment.
    const login = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: member.email, password: 'fjord og fjell og fiskekaker' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ status: 'mfa_required' });
    expect(login.body.methods).toContain('sms');
  });

  it('a person who reloads before setting up the app opens the link again, types the password again (a wrong one is refused) and finishes', async () => {
    const { tenant, member, link } = await invite('app', { name: 'Siri Sørensen', locale: 'en' });
    const page = await newPage();
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Welcome, Siri Sørensen' }).waitFor();
    const password = 'seven lilac kites over bergen';
    await choosePassword(page, password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor();
    const firstKey = (await page.getByTestId('manual-key').textContent())!.replace(/\s/g, '');

    // The person reloads: the page warns first (halfway through), then has no link any more (the
    // fragment was taken on the first load).
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.accept();
    });
    await page.reload();
    expect(dialogs).toEqual(['beforeunload']);
    await page.getByRole('heading', { level: 1, name: 'Open the link from your email' }).waitFor();

    // The link again, in the same tab (the browser changes only the fragment): the password is
    // chosen, the second factor not yet, so the page asks for that password to go on.
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Continue setting up your account' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('continue-intro').textContent()).toBe(
      'You already chose a password for this account, but the second factor is not set up yet. Type your password to continue where you left off.',
    );
    expect(await page.locator('#progress [aria-current="step"]').textContent()).toContain('Password');
    // The email is shown, not asked for; password managers get it from the hidden username field.
    expect(await page.getByTestId('invitation-email').textContent()).toBe(member.email);
    expect(await page.locator('#continue-form input[type="email"]').count()).toBe(1);
    const username = page.locator('#continue-form input[autocomplete="username"]');
    expect(await username.inputValue()).toBe(member.email);
    expect(await username.isVisible()).toBe(false);
    expect(await page.getByLabel('Your password', { exact: true }).getAttribute('autocomplete')).toBe('current-password');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'invitation-continue');

    // Nothing typed, then a wrong password: said in words, at the field.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => alertText(page)).toBe('Type your password.');
    expect(await focusedId(page)).toBe('current-password');
    await continueWith(page, 'seven lilac kites over oslo');
    await expect.poll(() => alertText(page)).toBe('The password is wrong. Type the password you chose for this account.');
    expect(await focusedId(page)).toBe('current-password');
    expect(await page.getByLabel('Your password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Continue setting up your account');
    expect(await expectAccessible(page)).toEqual([]);

    // The right one: on into the same steps, with a new key (the app's entry from before is told to go).
    await continueWith(page, password);
    await page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await page.getByTestId('new-key-note').textContent()).toContain('This is a new QR code.');
    const secret = (await page.getByTestId('manual-key').textContent())!.replace(/\s/g, '');
    expect(secret).not.toBe(firstKey);
    const codeField = page.getByLabel('The 6-digit code the app shows');
    await codeField.fill(generateSync({ secret }));
    await codeField.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are all set' }).waitFor();
    expect(await page.getByTestId('done').textContent()).toContain(member.email);
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`/sign-in?tenant=${tenant}`);
    expect(pages.cspRefusals(page)).toEqual([]);
    expect(await page.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).toEqual([0, 0, '']);

    // The account has its app now; the link is done with.
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: member.email, password } });
    expect(login.body).toMatchObject({ status: 'mfa_required' });
    const again = await newPage();
    await again.goto(link);
    await again.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();
    await expect.poll(() => alertText(again)).toContain('This invitation link has expired or was already used.');
    // A spent link tells nothing about its account: the sign-in page without an organisation.
    expect(await again.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
  });

  it('when the enrollment token runs out mid-way, the page offers to go on (in German): throttling and a lock in words, then the same key', async () => {
    const { tenant, member, link } = await invite('app', { name: 'Max Mustermann', locale: 'de' });
    const page = await newPage({ locale: 'de-DE' });
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Willkommen, Max Mustermann' }).waitFor();
    const password = 'sieben Drachen über dem Rhein';
    await choosePassword(page, password, { password: 'Neues Passwort', repeat: 'Passwort wiederholen' });
    await page.getByRole('button', { name: 'Weiter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authenticator-App einrichten' }).waitFor();
    const secret = (await page.getByTestId('manual-key').textContent())!.replace(/\s/g, '');

    // 31 minutes later the person types the code: the enrollment token has run out.
    const realNow = server.clock.now;
    const later = () => Date.now() + 31 * 60_000;
    server.clock.now = later;
    try {
      const codeField = page.getByLabel('Der sechsstellige Code aus der App');
      await codeField.fill(generateSync({ secret, epoch: Math.floor(later() / 1000) }));
      await codeField.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Einrichtung Ihres Kontos fortsetzen' }).waitFor();
      expect(await focusedId(page)).toBe('title');
      expect(await page.getByTestId('continue-intro').textContent()).toContain('Ihr Passwort ist gespeichert');
      expect(await page.getByTestId('invitation-email').textContent()).toBe(member.email);
      expect(await expectAccessible(page)).toEqual([]);

      // Throttled (the wait from Retry-After), then locked: in words, in German.
      await page.route(
        '**/v1/auth/login',
        (route) =>
          route.fulfill({
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after': '90' },
            body: JSON.stringify({ error: 'too_many_attempts', message: 'Too many sign-in attempts.', retryAfterSeconds: 90 }),
          }),
        { times: 1 },
      );
      await continueWith(page, password, 'Ihr Passwort');
      await expect.poll(() => alertText(page)).toBe('Zu viele falsche Passwörter. Warten Sie 90 Sekunden und versuchen Sie es erneut.');
      await page.route(
        '**/v1/auth/login',
        (route) =>
          route.fulfill({
            status: 423,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'account_locked', message: 'Locked.', lockedUntil: '2030-01-15T09:30:00.000Z', reason: 'x' }),
          }),
        { times: 1 },
      );
      await page.getByRole('button', { name: 'Weiter' }).click();
      await expect.poll(() => alertText(page)).toMatch(/^Ihr Konto ist bis 15\. Januar 2030 um 10:30 gesperrt\./);

      // Signed in again: back at the app step, with the key the app already has.
      await page.getByRole('button', { name: 'Weiter' }).click();
      await page.getByRole('heading', { level: 1, name: 'Authenticator-App einrichten' }).waitFor();
      expect((await page.getByTestId('manual-key').textContent())!.replace(/\s/g, '')).toBe(secret);
      expect(await page.getByTestId('new-key-note').count()).toBe(0);
      await codeField.fill(generateSync({ secret, epoch: Math.floor(later() / 1000) }));
      await codeField.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Wiederherstellungscodes speichern' }).waitFor();
      await page.getByLabel('Ich habe meine Wiederherstellungscodes gespeichert').check();
      await page.getByRole('button', { name: 'Abschließen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Alles erledigt' }).waitFor();
      expect(await page.getByRole('link', { name: 'Anmelden' }).getAttribute('href')).toBe(`/sign-in?tenant=${tenant}`);
      expect(pages.cspRefusals(page)).toEqual([]);
    } finally {
      server.clock.now = realNow;
    }
  });

  it('where the second factor is optional, signing in again finishes the setup (in Norwegian)', async () => {
    const { tenant, member, link } = await invite('app', { name: 'Nora Nilsen', locale: 'nb' }, { mfaRequired: false });
    const first = await newPage({ locale: 'nb-NO' });
    await first.goto(link);
    await first.getByRole('heading', { level: 1, name: 'Velkommen, Nora Nilsen' }).waitFor();
    const password = 'tre trær ved fjorden i tromsø';
    await choosePassword(first, password, { password: 'Nytt passord', repeat: 'Gjenta passordet' });
    await first.getByRole('button', { name: 'Fortsett' }).click();
    await first.getByRole('heading', { level: 1, name: 'Sett opp autentiseringsappen' }).waitFor();

    // Another window: the link again.
    const page = await newPage({ locale: 'nb-NO' });
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Fortsett oppsettet av kontoen' }).waitFor();
    await continueWith(page, password, 'Passordet ditt');
    await page.getByRole('heading', { level: 1, name: 'Alt er klart' }).waitFor();
    expect(await page.getByTestId('done').textContent()).toBe(
      `Kontoen din ${member.email} er klar. Organisasjonen din krever ingen andre faktor: du logger inn med passordet.`,
    );
    expect(await page.getByRole('link', { name: 'Logg inn' }).getAttribute('href')).toBe(`/sign-in?tenant=${tenant}`);
    expect(await expectAccessible(page)).toEqual([]);
  });

  it('speaks German from the invitation; an unknown, an expired or a missing link and a network failure are said in words', async () => {
    // German from the invitation, whatever the browser says; the address without its slash works too.
    const german = await invite('app', { name: 'Max Mustermann', locale: 'de' });
    const page = await newPage({ locale: 'nb-NO' });
    await page.goto(german.link.replace('/invitation/#', '/invitation#'));
    await page.getByRole('heading', { level: 1, name: 'Willkommen, Max Mustermann' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/invitation/');
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');
    expect(await page.getByRole('heading', { level: 2, name: 'Passwort wählen' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Weiter' }).isVisible()).toBe(true);
    expect(await expectAccessible(page)).toEqual([]);

    // An unknown token: the browser's language (no invitation to say another).
    const unknown = await newPage({ locale: 'de-DE' });
    await unknown.goto(`${server.baseUrl}/invitation/#t=${'A'.repeat(43)}`);
    await unknown.getByRole('heading', { level: 1, name: 'Dieser Link kann nicht verwendet werden' }).waitFor();
    await expect.poll(() => alertText(unknown)).toContain('Dieser Einladungslink ist abgelaufen oder wurde schon verwendet.');
    expect(await expectAccessible(unknown)).toEqual([]);

    // An expired one: a week and a day later.
    const late = await invite('app', { name: 'Erik Etterpå', locale: 'nb' });
    const realNow = server.clock.now;
    server.clock.now = () => Date.now() + 8 * 24 * 3600_000;
    try {
      const expired = await newPage({ locale: 'nb-NO' });
      await expired.goto(late.link);
      await expired.getByRole('heading', { level: 1, name: 'Lenken kan ikke brukes' }).waitFor();
      await expect.poll(() => alertText(expired)).toContain('Invitasjonslenken er utløpt eller allerede brukt.');
    } finally {
      server.clock.now = realNow;
    }

    // No token at all (a link cut short), in English.
    const bare = await newPage();
    await bare.goto(`${server.baseUrl}/invitation/`);
    await bare.getByRole('heading', { level: 1, name: 'Open the link from your email' }).waitFor();
    await expect.poll(() => alertText(bare)).toContain('This page opens from the link in your invitation email.');
    expect(await expectAccessible(bare)).toEqual([]);

    // The network down: said in words, and "Try again" picks up once it is back.
    const offline = await newPage();
    await offline.route('**/v1/invitations/inspect', (route) => route.abort());
    await offline.goto(german.link);
    await offline.getByRole('heading', { level: 1, name: 'Something went wrong' }).waitFor();
    await expect.poll(() => alertText(offline)).toBe('The server could not be reached. Check the connection and try again.');
    await offline.unrouteAll();
    await offline.getByRole('button', { name: 'Try again' }).click();
    await offline.getByRole('heading', { level: 1, name: 'Willkommen, Max Mustermann' }).waitFor();
    expect(pages.cspRefusals(offline)).toEqual([]);
  });
});
