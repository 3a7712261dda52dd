import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PushRequestError, ReferencePushDevice } from '../../src/push-device/reference-device.js';
import { signedInOperator, type SignedInOperator } from '../support/operators.js';
import type { TestServer } from '../support/test-server.js';
import { useConsoleSuite } from './console-suite.js';
import { expectAccessible, phoneEndingIn, screenshot } from './support-desk-steps.js';

/** What the reported sign-in's browser sends: the alert names it "Firefox on Windows". */
const firefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * Push approval at the support desk: Chromium drives the built console through the browser host,
 * main's services talk to a real server, and the Node reference device (src/push-device/) is the
 * person's phone. Every effect is checked where it lands: the device's own requests, the admin API,
 * the end-user sign-in.
 */
describe('push devices at the support desk, in Chromium through the browser host', () => {
  const suite = useConsoleSuite({ timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 } });
  let server: TestServer;
  let agentApi: SignedInOperator;
  let tenant: string;
  beforeAll(async () => {
    server = suite.server;
    agentApi = await signedInOperator(server, 'support');
    // The sms preset offers push first; asking at every sign-in keeps each sign-in a push (and the
    // test approvals of the fixture's devices do not use up the push budget of 15 minutes).
    tenant = await server.addTenant({ askOnlyOnNewIpOrPasswordChange: false, pushPer15Minutes: 50 }, 'sms');
  });

  async function userWithPhone(name: string) {
    const phone = phoneEndingIn('3030');
    const marker = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
    const email = `${name.split(' ')[0]!.toLowerCase()}-${marker}@example.test`;
    return { ...(await server.addUser(tenant, email, { phone, name })), phone };
  }

  /** A device added the way support adds one over the API, set up and activated by its test approval. */
  async function enrolledDevice(userId: string, name: string, platform: string): Promise<ReferencePushDevice> {
    const started = await server.call<{ enrollmentUrl: string; testCode: string }>('POST', `/v1/admin/users/${userId}/push-devices`, {
      token: agentApi.accessToken,
      body: { ticket: 'SETUP-1', reason: 'Test fixture: a device to look at' },
    });
    if (started.status >= 300) throw new Error(`enrollment not started: ${started.status} ${JSON.stringify(started.body)}`);
    const device = await ReferencePushDevice.enroll(started.body.enrollmentUrl, { name, platform });
    await device.activate(started.body.testCode);
    return device;
  }

  /** The user signs in with their password; the sign-in sends a push to their devices. */
  async function signInWithPush(user: { email: string; password: string }) {
    const login = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password },
      headers: { 'user-agent': firefoxOnWindows },
    });
    if (login.body.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${JSON.stringify(login.body)}`);
    const challengeId = String(login.body.challengeId);
    const sent = await server.call<{ code: string }>('POST', `/v1/auth/challenges/${challengeId}/push`, {
      headers: { 'user-agent': firefoxOnWindows },
    });
    if (sent.status !== 202) throw new Error(`push not sent: ${sent.status} ${JSON.stringify(sent.body)}`);
    return { challengeId, code: sent.body.code };
  }

  async function refusal(promise: Promise<unknown>): Promise<{ status: number; error?: string }> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof PushRequestError) return { status: error.status, error: error.body.error };
      throw error;
    }
    throw new Error('expected a refusal');
  }

  async function adminDetail(userId: string) {
    const detail = await server.call<{ pushDevices?: Array<{ id: string; name: string; state: string }>; pushLock?: unknown }>(
      'GET',
      `/v1/admin/users/${userId}`,
      { token: agentApi.accessToken },
    );
    expect(detail.status).toBe(200);
    return detail.body;
  }

  async function openUserFromSearch(page: Page, email: string): Promise<void> {
    await page.keyboard.press('Control+k');
    await page.locator('#user-search').fill(email);
    await page.getByTestId('user-row').filter({ hasText: email }).click();
    await expect.poll(() => page.getByTestId('user-email').textContent()).toBe(email);
  }

  /** The whole page in the screenshot: the viewport grows to the page for it, then goes back. */
  async function pageScreenshot(page: Page, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
    if (!process.env.MFA_DESK_SCREENSHOTS) return;
    const viewport = page.viewportSize()!;
    const height = await page.evaluate('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Number(height)) });
    await screenshot(page, name, colorScheme);
    await page.setViewportSize(viewport);
  }

  async function confirmAction(page: Page, dialog: string, ticket: string, reason: string): Promise<void> {
    const box = page.getByTestId(dialog);
    await box.waitFor();
    await box.getByLabel('Ticket').fill(ticket);
    await box.getByLabel('Reason').fill(reason);
    await box.getByTestId('action-confirm').click();
  }

  it('a "this wasn’t me" report shows on the lockouts screen and the user’s page; the reported device is revoked; a device added at the desk becomes active', async () => {
    const user = await userWithPhone('Kari Holm');
    const pixel = await enrolledDevice(user.id, 'Kari’s Pixel 8', 'Android');
    const ipad = await enrolledDevice(user.id, 'Work iPad', 'iPadOS');
    // Someone with Kari's password signs in; the iPad is asked, and Kari says it was not her.
    await signInWithPush(user);
    const asked = await ipad.waitForPending({ kind: 'sign_in' });
    expect(await ipad.respond(asked, 'fraud')).toMatchObject({ outcome: 'fraud_reported', deviceState: 'suspended' });
    // The Pixel was asked the same sign-in; it ended with the report.
    expect((await adminDetail(user.id)).pushDevices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Kari’s Pixel 8', state: 'active' }),
        expect.objectContaining({ name: 'Work iPad', state: 'suspended' }),
      ]),
    );

    const { page } = await suite.signedInConsole();
    await page.keyboard.press('Alt+Digit2');
    const alert = page.locator(`[data-testid="push-alert"][data-user-id="${user.id}"]`);
    await alert.waitFor();
    const alertText = await alert.textContent();
    expect(alertText).toContain('Kari Holm');
    expect(alertText).toContain('“Work iPad” answered “This wasn’t me” to a sign-in from 127.0.0.1 (Firefox on Windows)');
    expect(alertText).toContain('The device is suspended.');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'lockouts-push-alerts');

    // The name opens the user: a banner says what was reported, the card lists both devices.
    await alert.getByRole('button', { name: 'Open Kari Holm' }).click();
    const banner = page.getByTestId('push-fraud-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('“Work iPad” answered “This wasn’t me” to a sign-in from 127.0.0.1 (Firefox on Windows)');
    expect(await banner.textContent()).toContain('Call the user on a number you already have');
    const devices = page.getByTestId('push-device');
    await expect.poll(() => devices.count()).toBe(2);
    const pixelRow = devices.filter({ hasText: 'Kari’s Pixel 8' });
    const ipadRow = devices.filter({ hasText: 'Work iPad' });
    expect(await pixelRow.textContent()).toMatch(/Android\s*Active/);
    expect(await pixelRow.textContent()).toContain('active since');
    expect(await ipadRow.textContent()).toContain('Suspended (fraud report)');
    expect(await ipadRow.textContent()).toContain('suspended');
    // The report is in the user's recent events, with the device and where the sign-in came from.
    expect(await page.getByTestId('user-timeline').textContent()).toContain(
      '“Work iPad” reported a sign-in from 127.0.0.1 (Firefox on Windows) as not theirs',
    );
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'user-detail-push-devices');
    await pageScreenshot(page, 'user-detail-push-devices-dark', 'dark');

    // The same card in Norwegian and German, then back.
    for (const [language, heading] of [
      ['Norsk bokmål', 'Enheter for push-godkjenning'],
      ['Deutsch', 'Geräte für Push-Bestätigung'],
      ['English', 'Push approval devices'],
    ] as const) {
      await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: language });
      await page.getByRole('heading', { name: heading }).waitFor();
    }

    // Revoke the reported iPad (from its row): gone from the page, and the device itself is refused.
    await ipadRow.getByTestId('revoke-push-device-button').click();
    const revokeDialog = page.getByTestId('dialog-revokePushDevice');
    await revokeDialog.waitFor();
    expect(await revokeDialog.getByRole('heading').textContent()).toBe('Revoke the push device “Work iPad”');
    await confirmAction(page, 'dialog-revokePushDevice', 'INC-5150', 'Reported a sign-in that was not hers');
    await revokeDialog.waitFor({ state: 'detached' });
    await banner.waitFor({ state: 'detached' });
    await expect.poll(() => devices.count()).toBe(1);
    expect((await adminDetail(user.id)).pushDevices?.map((d) => d.name)).toEqual(['Kari’s Pixel 8']);
    expect(await refusal(ipad.pending())).toMatchObject({ status: 403, error: 'forbidden' });
    expect((await pixel.pending()).deviceState).toBe('active');
    // The alert stays on the lockouts screen, saying the device is revoked now.
    await page.keyboard.press('Alt+Digit2');
    await expect.poll(() => alert.textContent()).toContain('The device has been revoked since.');

    // Add a device at the desk: the QR code (an image), the link, the test code; a new phone completes it.
    await page.keyboard.press('Alt+Digit1');
    await openUserFromSearch(page, user.email);
    await page.getByTestId('add-push-device-button').click();
    await confirmAction(page, 'dialog-enrollPushDevice', 'INC-5151', 'New phone for push approval');
    const enrollment = page.getByTestId('push-enrollment');
    await enrollment.waitFor();
    const qr = page.getByTestId('push-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3C/);
    // It loaded under the console's CSP (img-src data:), and the page holds no SVG markup of it.
    await expect
      .poll(() =>
        qr.evaluate((img) => {
          const image = img as unknown as { complete: boolean; naturalWidth: number };
          return image.complete && image.naturalWidth > 0;
        }),
      )
      .toBe(true);
    expect(await page.locator('dialog svg').count()).toBe(0);
    const testCode = (await page.getByTestId('push-test-code').textContent())!.trim();
    expect(testCode).toMatch(/^\d{6}$/);
    const link = await page.getByTestId('push-link').inputValue();
    expect(link).toMatch(/\/authenticator\/#e=/);
    expect(await page.getByTestId('push-enrollment-progress').getAttribute('data-state')).toBe('waiting');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'action-dialog-push-enrollment');

    const iphone = await ReferencePushDevice.enroll(link, { name: 'Kari’s iPhone', platform: 'iOS' });
    const progress = page.getByTestId('push-enrollment-progress');
    await expect.poll(() => progress.getAttribute('data-state'), { timeout: 15_000 }).toBe('pending');
    expect(await progress.textContent()).toContain('“Kari’s iPhone” is set up. Waiting for the test approval');
    await iphone.activate(testCode);
    await expect.poll(() => progress.getAttribute('data-state'), { timeout: 15_000 }).toBe('active');
    expect(await progress.textContent()).toContain('“Kari’s iPhone” is active: Kari Holm can approve sign-ins on it now.');
    await page.getByRole('button', { name: 'Close' }).click();
    await enrollment.waitFor({ state: 'detached' });
    // Shown once: closed, the code and the link are gone from the page.
    expect(await page.content()).not.toContain(link);
    expect(await page.getByTestId('push-device').filter({ hasText: 'Kari’s iPhone' }).textContent()).toContain('Active');

    // The new phone approves a real sign-in with the code the sign-in screen shows.
    const { challengeId, code } = await signInWithPush(user);
    const request = await iphone.waitForPending({ kind: 'sign_in' });
    expect(await iphone.respond(request, 'approve', code)).toMatchObject({ outcome: 'approved' });
    const verified = await server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method: 'push' } });
    expect(verified).toMatchObject({ status: 200, body: { status: 'authenticated' } });

    // Each desk action once, with its ticket, in the user's trail.
    const events = await server.ctx.store.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('user_id', '=', user.id)
      .where('action', 'like', 'admin.push%')
      .execute();
    const desk = events.map((e) => [e.action, JSON.parse(e.details).ticket]).filter(([, ticket]) => ticket !== 'SETUP-1');
    expect(desk.sort()).toEqual([
      ['admin.push_device_revoked', 'INC-5150'],
      ['admin.push_enrollment_started', 'INC-5151'],
    ]);
  });

  it('a push lock after wrong codes shows with its end, an auditor sees it without actions, and Unlock lifts it', async () => {
    const user = await userWithPhone('Ola Nordmann');
    const device = await enrolledDevice(user.id, 'Ola’s phone', 'Android');
    const { code } = await signInWithPush(user);
    const asked = await device.waitForPending({ kind: 'sign_in' });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await refusal(device.respond(asked, 'approve', wrong));
    expect((await adminDetail(user.id)).pushLock).toMatchObject({ wrongCodes: 5 });

    // An auditor reads the lock and the devices, and gets no button at all.
    const auditor = await suite.signedInConsole('auditor');
    await openUserFromSearch(auditor.page, user.email);
    await auditor.page.getByTestId('push-lock-banner').waitFor();
    await auditor.page.getByTestId('push-device').first().waitFor();
    expect(await auditor.page.locator('[data-testid$="-button"]').count()).toBe(0);
    await auditor.page.context().close();

    const { page } = await suite.signedInConsole();
    await openUserFromSearch(page, user.email);
    const lock = page.getByTestId('push-lock-banner');
    await lock.waitFor();
    expect(await lock.textContent()).toContain('Push approval is locked after 5 wrong codes typed on a device.');
    expect(await lock.textContent()).toMatch(/Until .+ \(in (23 hr|1 day)/);
    expect(await lock.textContent()).toContain('Their other sign-in methods still work.');
    expect(await page.getByTestId('user-timeline').textContent()).toContain('Push approval was locked after wrong codes');
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'user-detail-push-lock');

    await page.getByTestId('push-unlock-button').click();
    expect(await page.getByTestId('dialog-unlock').textContent()).toContain('A push lock ends too.');
    await confirmAction(page, 'dialog-unlock', 'INC-5152', 'Typed the code wrong, identity confirmed');
    await lock.waitFor({ state: 'detached' });
    expect((await adminDetail(user.id)).pushLock ?? null).toBeNull();
    // Push works again for the user: a sign-in sends one, and the right code approves it.
    const again = await signInWithPush(user);
    const request = await device.waitForPending({ kind: 'sign_in' });
    expect(await device.respond(request, 'approve', again.code)).toMatchObject({ outcome: 'approved' });
  });
});
