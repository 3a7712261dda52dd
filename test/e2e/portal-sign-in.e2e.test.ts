import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../examples/portal/portal.js';
import { registerOidcClient } from '../../src/server/oidc/clients.js';
import { findTenantBySlug } from '../../src/server/store/repositories/tenants.js';
import { enrollUser, lastSmsCode, startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './console-harness.js';
import { PageContexts } from './page-contexts.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

/**
 * The whole seed flow as a person meets it: the example portal (examples/portal, openid-client)
 * sends them to MFA Desk, the hosted pages ask what the tenant's policy asks, and they land back in
 * the portal signed in. In Debian's Chromium, on a real server and portal over loopback, in real
 * time; the QR code is read with zbarimg and the app's codes come from oathtool, as a phone would
 * make them. Each person's IP is set with X-Forwarded-For (the server trusts loopback's proxy).
 */
describe('portal sign-in through the OpenID Provider, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let portal: FastifyInstance;
  let portalUrl: string;
  let appTenant: string;
  let smsTenant: string;
  const pages = new PageContexts();
  const shots = mkdtempSync(join(tmpdir(), 'mfa-desk-portal-'));

  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true, trustProxy: ['127.0.0.1'] });
    appTenant = await server.addTenant({}, 'app');
    smsTenant = await server.addTenant({}, 'sms');
    const port = await freePort();
    portalUrl = `http://127.0.0.1:${port}`;
    const tenants = [];
    for (const [slug, label] of [
      [appTenant, 'the app tenant'],
      [smsTenant, 'the SMS tenant'],
    ] as const) {
      const tenant = (await findTenantBySlug(server.ctx.store.db, slug))!;
      const client = await registerOidcClient(
        server.ctx,
        tenant.id,
        { name: 'Example portal', redirectUris: [`${portalUrl}/callback`], postLogoutRedirectUris: [`${portalUrl}/`] },
        { actorType: 'system', actorId: 'test', label: 'test' },
      );
      tenants.push({ label, issuer: `${server.baseUrl}/oidc`, clientId: client.clientId, clientSecret: client.clientSecret! });
    }
    portal = await buildPortal({ url: portalUrl, tenants });
    await portal.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await pages.closeAll();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await server?.close();
  });

  async function newPage(ip: string, locale = 'en-US'): Promise<Page> {
    return pages.newPage(browser, {
      locale,
      timezoneId: 'Europe/Oslo',
      viewport: { width: 760, height: 1000 },
      extraHTTPHeaders: { 'x-forwarded-for': ip },
    });
  }

  const heading = async (page: Page, name: string | RegExp) => {
    try {
      await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
    } catch (error) {
      // What the page shows instead says more than the timeout.
      throw new Error(`no heading ${String(name)} at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 600)}`, {
        cause: error,
      });
    }
  };
  /** The code the app shows now, or for the next 30 s step, "123 456" as people read it off the phone. */
  const oathtool = (secret: string, ahead = false) => {
    const code = execFileSync(
      'oathtool',
      [
        '--totp',
        '-b',
        ...(ahead ? ['--now', new Date(Date.now() + 30_000).toISOString().replace('T', ' ').replace(/\..*/, ' UTC')] : []),
        secret,
      ],
      {
        encoding: 'utf8',
      },
    ).trim();
    return `${code.slice(0, 3)} ${code.slice(3)}`;
  };

  async function startSignIn(page: Page, tenantIndex: 0 | 1, user: { email: string; password: string }) {
    await page.goto(portalUrl);
    await page.locator(`a.sign-in[data-tenant="${tenantIndex}"]`).click();
    await heading(page, /^Sign in to Tenant \d+$/);
    await page.locator('#email').fill(user.email);
    await page.locator('#password').fill(user.password);
    await page.locator('#password').press('Enter');
  }

  async function signOut(page: Page) {
    await page.locator('#sign-out').click();
    // The provider asks once, on its own page, then sends the browser back to the portal.
    await heading(page, 'Sign out');
    expect(await expectAccessible(page)).toEqual([]);
    await page.locator('#sign-out').click();
    await page.waitForURL(`${portalUrl}/`);
    await page.locator('a.sign-in').first().waitFor();
  }

  const signedInPortal = async (page: Page) => {
    await page.waitForURL(`${portalUrl}/`);
    await page.locator('#signed-in').waitFor();
    return { amr: await page.locator('#amr').textContent(), acr: await page.locator('#acr').textContent() };
  };

  it('app tenant: enrols by the QR code, must save the recovery codes, is remembered, and the bank module still asks', async () => {
    const user = await server.addUser(appTenant, undefined, { name: 'Åse Ærø' });
    const page = await newPage('198.51.100.11');

    // First sign-in: the password, then the app is set up from the QR code.
    await page.goto(portalUrl);
    await page.locator('a.sign-in[data-tenant="0"]').click();
    await heading(page, /^Sign in to Tenant \d+$/);
    await expect.poll(() => page.getByText('to continue to Example portal').count()).toBe(1);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'portal-sign-in');
    await page.locator('#email').fill(user.email);
    await page.locator('#password').fill(user.password);
    await page.locator('#password').press('Enter');
    await heading(page, 'Set up your authenticator app');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'portal-enroll-qr');
    const qr = join(shots, 'qr.png');
    await page.getByTestId('totp-qr').screenshot({ path: qr });
    const uri = execFileSync('zbarimg', ['--quiet', '--raw', qr], { encoding: 'utf8' }).trim();
    const secret = new URL(uri).searchParams.get('secret')!;
    expect((await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '')).toBe(secret);
    await page.locator('#totp-code').fill(oathtool(secret));
    await page.locator('#totp-code').press('Enter');

    // Seed 000, step 9: the recovery codes, and no way on until they are saved.
    await heading(page, 'Save your recovery codes');
    const codes = await page.getByTestId('recovery-code').allTextContents();
    expect(codes.length).toBe(10);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'portal-recovery-codes');
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => page.locator('#alert').textContent()).toContain('Save your recovery codes first');
    expect(page.url()).toContain('/interaction/');
    await page.locator('#codes-saved').check();
    await page.getByRole('button', { name: 'Finish' }).click();
    expect(await signedInPortal(page)).toEqual({ amr: 'pwd otp mfa', acr: 'mfa' });

    // Second sign-in: a code (a recovery code, by the switch), and "remember this device".
    await signOut(page);
    await startSignIn(page, 0, user);
    await heading(page, 'Authenticator app code');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'portal-challenge');
    await page.locator('#remember').check();
    await page.locator('[data-method="recovery_code"]').click();
    await heading(page, 'Recovery code');
    expect(await page.locator('#remember').isChecked()).toBe(true);
    await page.locator('#code').fill(codes[0]!);
    await page.locator('#code').press('Enter');
    expect(await signedInPortal(page)).toEqual({ amr: 'pwd otp mfa', acr: 'mfa' });

    // Third: the remembered device stands in for the code.
    await signOut(page);
    await startSignIn(page, 0, user);
    expect(await signedInPortal(page)).toEqual({ amr: 'pwd', acr: 'mfa' });

    // The bank module asks for a fresh code all the same.
    await page.locator('#bank').click();
    await heading(page, /^Sign in to Tenant \d+$/);
    await page.getByText('Example portal asks you to confirm it’s you to open the bank module.').waitFor();
    expect(await page.locator('#email').inputValue()).toBe(user.email);
    await screenshot(page, 'portal-step-up');
    await page.locator('#password').fill(user.password);
    await page.locator('#password').press('Enter');
    await heading(page, 'Confirm it’s you');
    expect(await expectAccessible(page)).toEqual([]);
    await page.locator('#code').fill(oathtool(secret, true));
    await page.locator('#code').press('Enter');
    await page.waitForURL(`${portalUrl}/bank`);
    await page.locator('#bank-open').waitFor();
    expect(pages.cspRefusals(page)).toEqual([]);
  });

  it('SMS tenant: a new IP asks for the SMS code, resend and the switch work, the same IP asks nothing, a password change asks again', async () => {
    const user = await server.addUser(smsTenant, undefined, { locale: 'en' });
    const phone = '+4915123456789';
    const office = await newPage('198.51.100.21');
    await office.clock.install();

    // First sign-in: the phone is set up (typed as a German would, without the country), then the codes.
    await startSignIn(office, 1, user);
    await heading(office, 'How do you want to confirm it is you?');
    expect(await expectAccessible(office)).toEqual([]);
    await screenshot(office, 'portal-enroll-choice');
    await office.locator('[data-method="sms"]').click();
    await heading(office, 'Confirm your mobile number');
    await office.locator('#phone').fill('0151 2345 6789');
    await office.locator('#phone').press('Enter');
    await office.locator('#sms-code').waitFor();
    await office.locator('#sms-code').fill(lastSmsCode(server, phone).replace(/^(\d{3})/, '$1-'));
    await office.locator('#sms-code').press('Enter');
    await heading(office, 'Save your recovery codes');
    const codes = await office.getByTestId('recovery-code').allTextContents();
    await office.locator('#codes-saved').check();
    await office.getByRole('button', { name: 'Finish' }).click();
    expect(await signedInPortal(office)).toMatchObject({ amr: 'pwd sms mfa' });
    await signOut(office);

    // From another network: the SMS code, resent after its cooldown, and the switch to a recovery code and back.
    const away = await newPage('203.0.113.31');
    await away.clock.install();
    await startSignIn(away, 1, user);
    await heading(away, 'Code by SMS');
    const sent = server.outbox().length;
    await away.locator('#send-sms').click();
    await expect.poll(() => server.outbox().length).toBe(sent + 1);
    await away.locator('#code').waitFor();
    await expect.poll(() => away.locator('#sms-info').textContent()).toContain('SMS codes left today: 19');
    expect(await expectAccessible(away)).toEqual([]);
    await screenshot(away, 'portal-sms-challenge');
    expect(await away.locator('#send-sms').isDisabled()).toBe(true);
    await away.clock.fastForward(31_000);
    await expect.poll(() => away.locator('#send-sms').isDisabled()).toBe(false);
    await away.locator('#send-sms').click();
    await expect.poll(() => server.outbox().length).toBe(sent + 2);
    await expect.poll(() => away.locator('#sms-info').textContent()).toContain('SMS codes left today: 18');
    await away.locator('[data-method="recovery_code"]').click();
    await heading(away, 'Recovery code');
    await away.locator('[data-method="sms"]').click();
    await heading(away, 'Code by SMS');
    await away.locator('#code').fill(lastSmsCode(server, phone));
    await away.locator('#code').press('Enter');
    expect(await signedInPortal(away)).toMatchObject({ amr: 'pwd sms mfa' });
    await signOut(away);

    // The same IP the next time: the password alone.
    await startSignIn(away, 1, user);
    expect(await signedInPortal(away)).toEqual({ amr: 'pwd', acr: 'mfa' });
    await signOut(away);

    // A password change (the end-user API, from the office) makes every IP ask again.
    const newPassword = 'a brand new password 2026';
    await changePassword(user, newPassword, '198.51.100.21', phone);
    await startSignIn(away, 1, { email: user.email, password: newPassword });
    await heading(away, 'Code by SMS');
    await away.locator('[data-method="recovery_code"]').click();
    await away.locator('#code').fill(codes[0]!);
    await away.locator('#code').press('Enter');
    expect(await signedInPortal(away)).toMatchObject({ amr: 'pwd otp mfa' });
    expect(pages.cspRefusals(away)).toEqual([]);
  });

  it("speaks the browser's language, then the person's own once the password is right", async () => {
    const user = await enrollUser(server, appTenant, { locale: 'nb', name: 'Kari Nordmann' });
    const page = await newPage('198.51.100.41', 'de-DE');
    await page.goto(portalUrl);
    await page.locator('a.sign-in[data-tenant="0"]').click();
    await heading(page, /^Bei Tenant \d+ anmelden$/);
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');
    await page.locator('#email').fill(user.email);
    await page.locator('#password').fill(user.password);
    await page.locator('#password').press('Enter');
    await heading(page, 'Kode fra autentiseringsappen');
    expect(await page.evaluate('document.documentElement.lang')).toBe('nb');
    await page.getByText('Husk denne enheten i 30 dager').waitFor();
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'portal-challenge-nb-dark', 'dark');
    expect(pages.cspRefusals(page)).toEqual([]);
  });

  /** The account's password changed through the end-user API: signed in with a fresh SMS code, as it requires. */
  async function changePassword(user: { email: string; password: string }, newPassword: string, ip: string, phone: string) {
    const from = { 'x-forwarded-for': ip };
    const login = await server.call('POST', '/v1/auth/login', {
      body: { tenant: smsTenant, email: user.email, password: user.password },
      headers: from,
    });
    let token = String(login.body.sessionToken ?? '');
    if (login.body.status === 'mfa_required' || !token)
      throw new Error(`expected the trusted office IP to need no code: ${JSON.stringify(login.body)}`);
    const asked = await server.call('POST', '/v1/me/password', {
      token,
      body: { currentPassword: user.password, newPassword },
      headers: from,
    });
    expect(asked.status).toBe(403);
    const stepUp = String(asked.body.challengeId);
    await server.call('POST', `/v1/auth/challenges/${stepUp}/sms`, { headers: from });
    const verified = await server.call('POST', `/v1/auth/challenges/${stepUp}/verify`, {
      body: { method: 'sms', code: lastSmsCode(server, phone) },
      headers: from,
    });
    token = String(verified.body.sessionToken);
    const changed = await server.call('POST', '/v1/me/password', {
      token,
      body: { currentPassword: user.password, newPassword },
      headers: from,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
