import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReferencePushDevice } from '../../src/push-device/reference-device.js';
import { lastSmsCode, startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { expectAccessible, phoneEndingIn, screenshot, smsSignIn } from './support-desk-steps.js';

/** Debian's Chromium, as the console's e2e tests use it (console-harness.ts); Playwright downloads nothing. */

/**
 * Push approval as people meet it: the authenticator PWA in one Chromium context (the phone) and
 * the hosted sign-in page in another (the laptop), both on a real server over loopback (a secure
 * context, so WebCrypto, IndexedDB and the service worker work as on HTTPS). The PWA enrolls by its
 * link, activates with the test code, then answers sign-ins: approve with the typed code, deny, and
 * "this wasn't me", which suspends the device.
 */
describe('push approval through the authenticator PWA and the hosted sign-in, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Oslo', ...options });
    contexts.push(context);
    return context.newPage();
  }

  /** A user of an `sms`-preset tenant (push, SMS, app) with a phone, signed in with SMS: a session with a fresh second factor. */
  async function userWithSession(policy: { pushResendCooldownSeconds?: number } = {}, srv: TestServer = server) {
    // Asked for a second factor at every sign-in: a known IP would otherwise skip it.
    const tenant = await srv.addTenant({ askOnlyOnNewIpOrPasswordChange: false, ...policy }, 'sms');
    const phone = phoneEndingIn('2468');
    const user = { ...(await srv.addUser(tenant, `ada-${Date.now().toString(36)}@example.test`, { phone, name: 'Ada Lund' })), phone };
    const session = await smsSignIn(srv, tenant, user);
    return { tenant, user, sessionToken: session.sessionToken };
  }

  /** Starts adding a device from the account; the link, pointed at the test server's real address. */
  async function startEnrollment(sessionToken: string, srv: TestServer = server) {
    const started = await srv.call<{ enrollmentUrl: string; testCode: string }>('POST', '/v1/me/push-devices', { token: sessionToken });
    expect(started.status).toBe(200);
    const link = new URL(started.body.enrollmentUrl);
    expect(link.pathname).toBe('/authenticator/');
    expect(link.hash).toMatch(/^#e=[A-Za-z0-9-]+\.[A-Za-z0-9_-]+$/);
    return { link: `${srv.baseUrl}/authenticator/${link.hash}`, testCode: started.body.testCode };
  }

  const pushDevices = async (sessionToken: string) =>
    (await server.call<{ devices: Array<{ name: string; state: string }> }>('GET', '/v1/me/push-devices', { token: sessionToken })).body
      .devices;

  function requestCard(app: Page, heading: 'Sign-in request' | 'Activate this device') {
    return app.locator('article.request').filter({ has: app.getByRole('heading', { name: heading }) });
  }

  async function signInOnLaptop(laptop: Page, tenant: string, user: { email: string; password: string }): Promise<string> {
    await laptop.goto(`${server.baseUrl}/sign-in?tenant=${tenant}`);
    await laptop.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await laptop.getByLabel('Organisation').inputValue()).toBe(tenant);
    await laptop.getByLabel('Email').fill(user.email);
    await laptop.getByLabel('Password').fill(user.password);
    await laptop.getByLabel('Password').press('Enter');
    const code = laptop.getByTestId('push-code');
    await code.waitFor();
    const digits = await code.getAttribute('data-code');
    expect(digits).toMatch(/^\d{6}$/);
    expect(await code.textContent()).toContain(digits);
    return digits!;
  }

  it('enrolls by its link, activates with the test code, and approves a sign-in with the code typed from the other screen', async () => {
    const { tenant, user, sessionToken } = await userWithSession();
    const { link, testCode } = await startEnrollment(sessionToken);

    // The phone opens the link: the secret leaves the address bar at once, the person names the device.
    const app = await newPage({ viewport: { width: 412, height: 915 } });
    await app.goto(link);
    await app.getByRole('heading', { name: 'Add this device' }).waitFor();
    expect(new URL(app.url()).hash).toBe('');
    const name = app.getByLabel('Device name');
    expect(await name.inputValue()).toBe('Chrome on Linux');
    expect(await app.evaluate('document.activeElement && document.activeElement.id')).toBe('enroll-heading');
    await name.fill('Ada’s phone');
    expect(await expectAccessible(app)).toEqual([]);
    await screenshot(app, 'authenticator-enroll');
    await app.getByRole('button', { name: 'Add device' }).click();
    await expect.poll(() => app.locator('#status').textContent()).toContain(`Added for ${user.email}`);
    expect((await pushDevices(sessionToken)).map((d) => [d.name, d.state])).toEqual([['Ada’s phone', 'pending']]);

    // The key lives in IndexedDB as a CryptoKey nobody can read out, this page included.
    // (Strings run in the page: this file compiles without the DOM library, as the other e2e tests.)
    const key = await app.evaluate(`(async () => {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('mfa-desk-authenticator');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const accounts = await new Promise((resolve, reject) => {
        const request = db.transaction('accounts').objectStore('accounts').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const privateKey = accounts[0].privateKey;
      const exported = await crypto.subtle.exportKey('jwk', privateKey).then(() => 'exported', (error) => error.name);
      return { count: accounts.length, email: accounts[0].account.email, type: privateKey.type, extractable: privateKey.extractable, exported };
    })()`);
    expect(key).toEqual({ count: 1, email: user.email, type: 'private', extractable: false, exported: 'InvalidAccessError' });

    // The first approval activates the device: the code shown next to the QR code.
    const test = requestCard(app, 'Activate this device');
    await test.waitFor();
    await test.getByLabel('Code shown next to the QR code').fill(testCode);
    await test.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => app.locator('#status').textContent()).toContain('This device is active');
    await expect.poll(() => app.getByTestId('device-state').textContent()).toBe('Active');
    expect((await pushDevices(sessionToken)).map((d) => d.state)).toEqual(['active']);

    // The laptop signs in and shows the code; the phone hears of the request over its event stream.
    await expect.poll(() => app.locator('#connection').textContent()).toBe('Connected: new requests appear at once.');
    const laptop = await newPage({ viewport: { width: 1000, height: 760 } });
    const code = await signInOnLaptop(laptop, tenant, user);
    expect(await laptop.getByText('Type this code in your authenticator app').isVisible()).toBe(true);
    expect(await laptop.getByText('Sent to: Ada’s phone.').isVisible()).toBe(true);
    expect(await expectAccessible(laptop)).toEqual([]);
    await screenshot(laptop, 'sign-in-push-code');

    const request = requestCard(app, 'Sign-in request');
    await request.waitFor({ timeout: 10_000 });
    const context = await request.locator('dl').textContent();
    expect(context).toContain(`${user.email} at`);
    expect(context).toContain('Sign-in');
    expect(context).toContain('127.0.0.1');
    expect(context).toMatch(/Chrome|Chromium/);
    expect(await request.locator('.expiry').textContent()).toMatch(/^Expires in \d+:\d{2}$/);
    expect(await expectAccessible(app)).toEqual([]);

    // A wrong code is refused in words, and the person types it again.
    const wrong = code === '000000' ? '111111' : '000000';
    await request.getByLabel('Code from the sign-in screen').fill(wrong);
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => request.getByRole('alert').textContent()).toContain('That is not the code on the sign-in screen');
    expect(await request.getByLabel('Code from the sign-in screen').getAttribute('aria-invalid')).toBe('true');
    expect(await laptop.getByTestId('push-code').isVisible()).toBe(true);

    await request.getByLabel('Code from the sign-in screen').fill(code);
    await screenshot(app, 'authenticator-approval');
    await request.getByLabel('Code from the sign-in screen').press('Enter');
    await expect.poll(() => app.locator('#status').textContent()).toContain('Approved. The sign-in continues on the other screen.');
    await request.waitFor({ state: 'detached' });

    await laptop.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 10_000 });
    expect(await laptop.getByTestId('signed-in').textContent()).toBe(`You are signed in as ${user.email}.`);
    expect(await laptop.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).toEqual([0, 0, '']);
  });

  it('deny ends the sign-in, also with both event streams down (polling), and "This wasn’t me" ends it and suspends the device', async () => {
    const { tenant, user, sessionToken } = await userWithSession();
    const { link, testCode } = await startEnrollment(sessionToken);
    const app = await newPage({ viewport: { width: 412, height: 915 }, colorScheme: 'dark' });
    await app.goto(link);
    await app.getByRole('button', { name: 'Add device' }).click();
    const test = requestCard(app, 'Activate this device');
    await test.getByLabel('Code shown next to the QR code').fill(testCode);
    await test.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => app.getByTestId('device-state').textContent()).toBe('Active');

    // No event streams from here: the app polls every 3 s, the sign-in page every 2 s. The app is
    // reloaded, so its account and key come back from IndexedDB.
    await app.route('**/v1/push/events', (route) => route.abort());
    await app.reload();
    await expect.poll(() => app.getByTestId('device-state').textContent()).toBe('Active');
    await expect.poll(() => app.locator('#connection').textContent()).toBe('Checking for new requests every few seconds.');
    const laptop = await newPage({ colorScheme: 'dark' });
    await laptop.route('**/v1/auth/challenges/*/events', (route) => route.abort());
    await signInOnLaptop(laptop, tenant, user);
    const denied = requestCard(app, 'Sign-in request');
    await denied.waitFor({ timeout: 10_000 });
    await denied.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => app.locator('#status').textContent()).toBe('Denied. The sign-in was stopped.');
    await laptop.getByRole('heading', { name: 'Not signed in' }).waitFor({ timeout: 10_000 });
    expect(await laptop.locator('#alert').textContent()).toBe('The request was denied on the device. You are not signed in.');
    expect(await pushDevices(sessionToken).then((devices) => devices.map((d) => d.state))).toEqual(['active']);

    // "This wasn't me", confirmed: the sign-in ends, and the device is suspended.
    await laptop.unrouteAll();
    await laptop.getByRole('button', { name: 'Start again' }).click();
    await laptop.getByLabel('Password').fill(user.password);
    await laptop.getByRole('button', { name: 'Sign in' }).click();
    await laptop.getByTestId('push-code').waitFor();
    const fraud = requestCard(app, 'Sign-in request');
    await fraud.waitFor({ timeout: 10_000 });
    await fraud.getByRole('button', { name: 'This wasn’t me' }).click();
    // Nothing is sent until it is confirmed; the focus moves into the confirmation.
    expect(await app.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Cancel');
    await fraud.getByRole('button', { name: 'Report it' }).click();
    await expect
      .poll(() => app.locator('#status').textContent())
      .toContain('Reported. The sign-in was stopped and this device is suspended.');
    await expect.poll(() => app.getByTestId('device-state').textContent()).toBe('Suspended');
    await laptop.getByRole('heading', { name: 'Not signed in' }).waitFor({ timeout: 10_000 });
    expect(await laptop.locator('#alert').textContent()).toContain('reported on the device');
    expect(await pushDevices(sessionToken).then((devices) => devices.map((d) => d.state))).toEqual(['suspended']);
    expect(await expectAccessible(app)).toEqual([]);
    expect(await expectAccessible(laptop)).toEqual([]);
  });

  it('resend wakes the device again with the same code; "Use SMS instead" cancels the push and the SMS code signs in', async () => {
    const { tenant, user, sessionToken } = await userWithSession({ pushResendCooldownSeconds: 5 });
    const { link, testCode } = await startEnrollment(sessionToken);
    // The Node reference device speaks the same protocol as the PWA: here it only watches.
    const device = await ReferencePushDevice.enroll(link, { name: 'Front desk tablet' });
    await device.activate(testCode);
    const laptop = await newPage();
    const code = await signInOnLaptop(laptop, tenant, user);
    const first = await device.waitForPending({ kind: 'sign_in' });

    const resend = laptop.locator('#resend');
    expect(await resend.isDisabled()).toBe(true);
    expect(await resend.textContent()).toMatch(/^Resend \(\d s\)$/);
    expect(await laptop.locator('#resends-left').textContent()).toBe('Resends left: 3.');
    await expect.poll(() => resend.isEnabled(), { timeout: 10_000 }).toBe(true);
    await resend.click();
    await expect.poll(() => laptop.locator('#status').textContent()).toBe('Sent again. The code stays the same.');
    expect(await laptop.getByTestId('push-code').getAttribute('data-code')).toBe(code);
    expect(await laptop.locator('#resends-left').textContent()).toBe('Resends left: 2.');
    expect((await device.pending()).items.map((item) => item.id)).toEqual([first.id]);

    const smsBefore = server.outbox().filter((m) => m.channel === 'sms' && m.to === user.phone).length;
    await laptop.getByRole('button', { name: 'Use SMS instead' }).click();
    await laptop.getByRole('button', { name: /^Send a code to / }).click();
    const field = laptop.getByLabel('Code from the SMS');
    await field.waitFor();
    expect(await laptop.evaluate('document.activeElement && document.activeElement.id')).toBe('code');
    await expect.poll(() => server.outbox().filter((m) => m.channel === 'sms' && m.to === user.phone).length).toBe(smsBefore + 1);
    // The push is over: the device no longer sees it, and the page does not call it cancelled.
    expect((await device.pending()).items).toEqual([]);
    await field.fill(lastSmsCode(server, user.phone));
    await field.press('Enter');
    await laptop.getByRole('heading', { name: 'Signed in' }).waitFor();
    expect(await laptop.getByTestId('signed-in').textContent()).toBe(`You are signed in as ${user.email}.`);
  });

  it('with Web Push configured: the app offers notifications, and its service worker shows a push as a notification', async () => {
    const vapid = webpush.generateVAPIDKeys();
    const pushing = await startTestServer('sqlite', {
      realTime: true,
      env: { PUSH_PROVIDER: 'webpush', VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey },
    });
    try {
      const { sessionToken } = await userWithSession({}, pushing);
      const { link } = await startEnrollment(sessionToken, pushing);
      const app = await newPage({ locale: 'de-DE' });
      await app.context().grantPermissions(['notifications'], { origin: pushing.baseUrl });
      await app.goto(link);
      // Nothing is asked on load: the button asks, and only when there is an account to be told about.
      expect(await app.getByRole('button', { name: 'Mitteilungen einschalten' }).count()).toBe(0);
      await app.getByRole('button', { name: 'Gerät hinzufügen' }).click();
      const turnOn = app.getByRole('button', { name: 'Mitteilungen einschalten' });
      await turnOn.waitFor();

      // A push message, delivered to the registered worker as a push service would (Chromium's DevTools protocol).
      const cdp = await app.context().newCDPSession(app);
      const registrations: Array<{ registrationId: string; scopeURL: string }> = [];
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
      await cdp.send('ServiceWorker.enable');
      await expect.poll(() => registrations.find((r) => r.scopeURL === `${pushing.baseUrl}/authenticator/`)?.registrationId).toBeTruthy();
      const registrationId = registrations.find((r) => r.scopeURL === `${pushing.baseUrl}/authenticator/`)!.registrationId;
      // Delivered to an active worker only: a push sent while it is still installing is dropped
      // (seen under load in CI), so wait for it, and send again if nothing shows.
      await app.evaluate('(async () => { await navigator.serviceWorker.ready; })()');
      const shown = () =>
        app.evaluate(
          '(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })))()',
        ) as Promise<unknown[]>;
      for (let attempt = 1; attempt <= 5 && (await shown()).length === 0; attempt++) {
        await cdp.send('ServiceWorker.deliverPushMessage', {
          origin: pushing.baseUrl,
          registrationId,
          data: JSON.stringify({ type: 'pending', challengeId: 'c-12345678', tenant: 'Acme AS' }),
        });
        await expect
          .poll(async () => (await shown()).length, { timeout: 3_000 })
          .toBeGreaterThan(0)
          .catch(() => undefined);
      }
      await expect.poll(shown).toEqual([
        {
          title: 'Anmeldeanfrage',
          body: 'Acme AS: Öffnen Sie den Authenticator, um zu bestätigen oder abzulehnen.',
          tag: 'push-c-12345678',
        },
      ]);

      // Chromium has no push service in a private (incognito-like) context: the failure is said in words.
      await turnOn.click();
      await expect.poll(() => app.locator('#alert').textContent()).toContain('Mitteilungen konnten nicht eingeschaltet werden');
    } finally {
      // The page's event stream first: the server's close waits for open connections.
      for (const context of contexts.splice(0)) await context.close();
      await pushing.close();
    }
  });

  it('speaks Norwegian and German from the browser language, and the sign-in form passes axe in both schemes', async () => {
    for (const [locale, heading, button] of [
      ['nb-NO', 'Logg inn', 'Logg inn'],
      ['de-DE', 'Anmelden', 'Anmelden'],
    ] as const) {
      const page = await newPage({ locale });
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByRole('heading', { name: heading }).waitFor();
      expect(await page.getByRole('button', { name: button }).isVisible()).toBe(true);
      expect(await page.evaluate('document.documentElement.lang')).toBe(locale.slice(0, 2));
      const app = await newPage({ locale });
      await app.goto(`${server.baseUrl}/authenticator/`);
      await app.getByRole('heading', { name: locale === 'nb-NO' ? 'Kontoer på denne enheten' : 'Konten auf diesem Gerät' }).waitFor();
    }
    const page = await newPage();
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await expectAccessible(page)).toEqual([]);
    // A wrong password is said in words, in the alert region.
    const tenant = await server.addTenant({}, 'sms');
    await page.getByLabel('Organisation').fill(tenant);
    await page.getByLabel('Email').fill('nobody@example.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#alert').textContent()).toBe('The email or password is wrong.');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('password');
    // An empty authenticator: the way to add an account, and no inline script or style was needed (CSP held).
    const app = await newPage();
    const violations: string[] = [];
    app.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
    });
    await app.goto(`${server.baseUrl}/authenticator/`);
    await app.getByLabel('Enrollment link').waitFor();
    expect(await expectAccessible(app)).toEqual([]);
    await app.getByLabel('Enrollment link').fill('https://example.test/not-a-link');
    await app.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => app.locator('#alert').textContent()).toContain('That is not an enrollment link.');
    expect(violations).toEqual([]);
  });
});
