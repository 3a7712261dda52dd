import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockAccount } from '../../src/server/store/repositories/lockouts.js';
import { signedInOperator } from '../support/operators.js';
import { lastSmsCode, type TestServer } from '../support/test-server.js';
import { useConsoleSuite } from './console-suite.js';
import { expectAccessible, phoneEndingIn, screenshot, smsSignIn } from './support-desk-steps.js';

/**
 * The support desk's job, end to end: Chromium drives the built console through the browser host,
 * main's services talk to a real server, and every action's effect is checked the way the end user
 * meets it, through the end-user API.
 */
describe('support desk screens in Chromium through the browser host', () => {
  const suite = useConsoleSuite({ timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const signedInConsole = suite.signedInConsole;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  async function tenantId(slug: string): Promise<string> {
    return (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  }

  async function openUserFromSearch(page: Page, typed: string, email: string): Promise<void> {
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-search');
    await page.locator('#user-search').fill('');
    await page.keyboard.type(typed, { delay: 30 });
    const row = page.getByTestId('user-row').filter({ hasText: email });
    // Results arrive as the keys are typed: a click can land on a row the next answer replaces (seen
    // once in a loaded CI run), so it is repeated until the user's page opens.
    for (let attempt = 1; ; attempt++) {
      await row.click();
      const opened = await page
        .getByTestId('user-detail')
        .waitFor({ timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (opened) break;
      if (attempt === 3) throw new Error(`the page of ${email} did not open after ${attempt} clicks`);
    }
    await expect.poll(() => page.getByTestId('user-email').textContent()).toBe(email);
  }

  async function confirmAction(page: Page, dialog: string, ticket: string, reason: string): Promise<void> {
    const box = page.getByTestId(dialog);
    await box.waitFor();
    await box.getByLabel('Ticket').fill(ticket);
    await box.getByLabel('Reason').fill(reason);
    // A double click sends once (checked through the audit trail by the callers).
    await box.getByTestId('action-confirm').dblclick();
  }

  it('a user locked by 21 SMS requests is found by a phone fragment with spaces, unlocked with a ticket, and signs in; the audit trail shows the ticket', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const phone = phoneEndingIn('4560');
    const user = {
      ...(await server.addUser(tenant, `jonas-${Date.now().toString(36)}@example.test`, { phone, name: 'Jonas Berg' })),
      phone,
    };
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    for (let i = 0; i < 21; i++) await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`);
    expect((await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } })).status).toBe(
      423,
    );

    const { page } = await signedInConsole();
    // "It's Jonas, my number ends in 45 60."
    await openUserFromSearch(page, '45 60', user.email);
    const banner = page.getByTestId('lockout-banner');
    await expect.poll(() => banner.textContent()).toContain('more SMS codes than the daily limit allows');
    expect(await banner.textContent()).toMatch(/Until .+ \(in (23 hr|1 day)/);
    expect(await page.getByTestId('next-sign-in').textContent()).toMatch(/Locked until .+\. After that, a new code can be requested\./);
    expect(await page.getByTestId('card-sms-login').textContent()).toContain('21 of 20 sent');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'user-detail-locked');
    await screenshot(page, 'user-detail-locked-dark', 'dark');

    // The same page in the other languages, plurals and times included.
    for (const [language, heading] of [
      ['Norsk bokmål', 'Ved neste innlogging'],
      ['Deutsch', 'Bei der nächsten Anmeldung'],
      ['English', 'At their next sign-in'],
    ] as const) {
      await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: language });
      await page.getByRole('heading', { name: heading }).waitFor();
    }
    await page.getByTestId('unlock-button').click();
    const dialog = page.getByTestId('dialog-unlock');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The lockout ends now');
    // Nothing is sent without a ticket and a reason.
    await dialog.getByTestId('action-confirm').click();
    expect(await dialog.textContent()).toContain('Enter the ticket number');
    // Focus stays in the dialog however far the operator tabs.
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate('!!document.activeElement.closest("dialog")')).toBe(true);
    }
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'action-dialog-unlock');
    await confirmAction(page, 'dialog-unlock', 'INC-4711', 'Caller confirmed identity by phone');
    await page.getByTestId('dialog-unlock').waitFor({ state: 'detached' });
    await page.getByTestId('lockout-banner').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('next-sign-in').textContent()).toContain('20 of 20 SMS left today');

    const signedIn = await smsSignIn(server, tenant, user);
    expect((await server.call('GET', '/v1/me', { token: signedIn.sessionToken })).status).toBe(200);

    await page.keyboard.press('Alt+Digit5');
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    const unlocked = page.getByTestId('audit-row').filter({ hasText: 'INC-4711' });
    await unlocked.waitFor();
    expect(await unlocked.count()).toBe(1);
    expect(await unlocked.textContent()).toContain('Unlocked by support');
    expect(await unlocked.textContent()).toContain('Caller confirmed identity by phone');
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'audit-trail');
  });

  it('every other action, checked through the end-user API: recovery codes, phone reset link, a forgotten device, ended sessions, a reset app', async () => {
    // Devices are remembered, and a known IP does not skip the code: only the device can.
    const tenant = await server.addTenant({ rememberDeviceDays: 30, askOnlyOnNewIpOrPasswordChange: false }, 'sms');
    const phone = phoneEndingIn('7070');
    const user = { ...(await server.addUser(tenant, `kari-${Date.now().toString(36)}@example.test`, { phone, name: 'Kari Holm' })), phone };
    const agentApi = await signedInOperator(server, 'support');
    const first = await server.call<{ recoveryCodes: string[] }>('POST', `/v1/admin/users/${user.id}/recovery-codes`, {
      token: agentApi.accessToken,
      body: { ticket: 'INC-1', reason: 'First set for the test' },
    });
    const oldCodes = first.body.recoveryCodes;
    const remembered = await smsSignIn(server, tenant, user, { rememberDevice: true });
    expect(remembered.deviceToken).toBeTruthy();
    expect((await smsSignIn(server, tenant, user, { deviceToken: remembered.deviceToken })).signedInWithoutCode).toBe(true);

    const { page } = await signedInConsole();
    await openUserFromSearch(page, user.email.slice(0, 12), user.email);

    // New recovery codes: shown once, masked until revealed; the old ones die, a new one works.
    await page.getByTestId('recovery-button').click();
    await confirmAction(page, 'dialog-regenerateRecoveryCodes', 'INC-2', 'Lost the printed codes');
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    expect(await codes.textContent()).not.toMatch(/[a-z0-9]{4}-[a-z0-9]{4}/i);
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'action-dialog-recovery-codes');
    await page.getByTestId('reveal-codes').click();
    const newCodes = (await codes.locator('code').allTextContents()).map((c) => c.trim());
    expect(newCodes).toHaveLength(oldCodes.length);
    expect(newCodes.every((c) => !c.includes('•'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('dialog-regenerateRecoveryCodes').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(newCodes[0]);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const verify = (code: string) =>
      server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, { body: { method: 'recovery_code', code } });
    expect((await verify(oldCodes[0]!)).body.error).toBe('invalid_code');
    expect((await verify(newCodes[0]!)).status).toBe(200);

    // Forget the remembered device: it no longer skips the code.
    const device = page.getByTestId('device-list').locator('li').first();
    await device.waitFor();
    await device.getByTestId('revoke-device-button').click();
    await confirmAction(page, 'dialog-revokeDevices', 'INC-4', 'Laptop stolen');
    await page.getByTestId('device-list').waitFor({ state: 'detached' });
    // The page re-read the user after the action: the recovery code the user spent is counted too.
    expect(await page.getByTestId('recovery-left').textContent()).toContain(`${newCodes.length - 1} recovery codes left`);
    const afterForget = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password, deviceToken: remembered.deviceToken },
    });
    expect(afterForget.body.status).toBe('mfa_required');

    // End all sessions: the session the user holds answers 401.
    const session = await smsSignIn(server, tenant, user);
    expect((await server.call('GET', '/v1/me', { token: session.sessionToken })).status).toBe(200);
    await page.getByTestId('end-sessions-button').click();
    await confirmAction(page, 'dialog-endSessions', 'INC-5', 'Signed in on a shared computer');
    await page.getByTestId('dialog-endSessions').waitFor({ state: 'detached' });
    expect((await server.call('GET', '/v1/me', { token: session.sessionToken })).status).toBe(401);

    // Phone reset link (last: a new phone also forgets remembered devices): it arrives by email and changes the phone.
    await page.getByTestId('phone-reset-button').click();
    await confirmAction(page, 'dialog-sendPhoneResetLink', 'INC-3', 'New phone, old number lost');
    await expect
      .poll(() => page.getByTestId('dialog-sendPhoneResetLink').textContent())
      .toMatch(/Sent to k.+@example\.test\. The link works until/);
    await page.getByRole('button', { name: 'Close' }).click();
    const mail = server
      .outbox()
      .filter((m) => m.to === user.email && m.template === 'phone_reset_link')
      .at(-1)!;
    const token = /phone-reset\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const newPhone = phoneEndingIn('8080');
    expect((await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: newPhone } })).status).toBe(202);
    expect((await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: lastSmsCode(server, newPhone) } })).status).toBe(
      200,
    );
    // Changed by the user, not by the console: the page shows it when it is next read (opened again here).
    await page.getByTestId('back-to-users').click();
    await page.getByTestId('user-row').filter({ hasText: user.email }).click();
    await expect.poll(() => page.getByTestId('card-phone').textContent()).toContain('080');
    user.phone = newPhone;

    // Each action once, with its ticket, in the user's trail.
    const events = await server.ctx.store.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('user_id', '=', user.id)
      .where('action', 'like', 'admin.%')
      .execute();
    expect(events.map((e) => [e.action, JSON.parse(e.details).ticket])).toEqual(
      expect.arrayContaining([
        ['admin.recovery_codes_regenerated', 'INC-2'],
        ['admin.devices_revoked', 'INC-4'],
        ['admin.sessions_revoked', 'INC-5'],
      ]),
    );
    // Sent once despite the double click: both actions would have been accepted a second time.
    expect(events.filter((e) => JSON.parse(e.details).ticket === 'INC-2')).toHaveLength(1);
    expect(events.filter((e) => JSON.parse(e.details).ticket === 'INC-5')).toHaveLength(1);
  });

  it('resetting the authenticator app sends the user back to enrollment', async () => {
    const tenant = await server.addTenant({}, 'app');
    const user = await server.addUser(tenant, `app-${Date.now().toString(36)}@example.test`, { name: 'Per App' });
    // Enrol the authenticator app over the end-user API, as the user would.
    const first = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const enrollToken = String(first.body.enrollmentToken);
    const started = await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token: enrollToken });
    const { generateSync } = await import('otplib');
    await server.call('POST', '/v1/enroll/totp/confirm', {
      token: enrollToken,
      body: { code: generateSync({ secret: started.body.secret }) },
    });
    expect((await server.call('POST', '/v1/enroll/complete', { token: enrollToken, body: { recoveryCodesSaved: true } })).status).toBe(200);

    const { page } = await signedInConsole();
    await openUserFromSearch(page, user.email, user.email);
    expect(await page.getByTestId('card-app').textContent()).toContain('Set up');
    await page.getByTestId('reset-app-button').click();
    await confirmAction(page, 'dialog-resetAuthenticator', 'INC-6', 'New phone, app not moved');
    await page.getByTestId('dialog-resetAuthenticator').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('card-app').textContent()).toContain('No authenticator app');
    const next = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(next.body.status).toBe('enrollment_required');
  });

  it('lockouts: time left ticks, and a bulk unlock under one ticket says what worked and why the rest did not', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const id = await tenantId(tenant);
    const marker = Date.now().toString(36);
    const users = await Promise.all(
      [1, 2, 3].map((n) => server.addUser(tenant, `bulk${n}-${marker}@example.test`, { name: `Bulk ${n} ${marker}` })),
    );
    for (const u of users)
      await lockAccount(server.ctx.store.db, { userId: u.id, tenantId: id, reason: 'failed_codes', hours: 2, ip: null }, Date.now());
    const { page } = await signedInConsole();
    await page.keyboard.press('Alt+Digit2');
    const rows = page.getByTestId('lockout-row').filter({ hasText: marker });
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().getByTestId('lockout-left').textContent()).toMatch(/^(1 hr( \d+ min)?|2 hr|\d+ min)$/);
    for (let i = 0; i < 3; i++) await rows.nth(i).getByRole('checkbox').check();
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'lockouts');
    // Someone else unlocks the third user while the dialog is open: its unlock fails, with the reason.
    await page.getByTestId('bulk-unlock').click();
    await page.getByTestId('dialog-bulk-unlock').waitFor();
    const agentApi = await signedInOperator(server, 'support');
    await server.call('POST', `/v1/admin/users/${users[2]!.id}/unlock`, {
      token: agentApi.accessToken,
      body: { ticket: 'INC-9', reason: 'Handled on another desk' },
    });

    await confirmAction(page, 'dialog-bulk-unlock', 'INC-77', 'Locked by a broken SMS gateway');
    const result = page.getByTestId('bulk-result');
    await expect.poll(() => result.textContent()).toContain('2 users unlocked.');
    expect(await page.getByTestId('bulk-failures').textContent()).toContain(`Bulk 3 ${marker}`);
    expect(await page.getByTestId('bulk-failures').textContent()).toContain('Someone changed this at the same time');
    await page.evaluate('getSelection().removeAllRanges()');
    await screenshot(page, 'lockouts-bulk-unlock');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => rows.count()).toBe(0);
    const unlocks = await server.ctx.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'admin.unlock')
      .where('tenant_id', '=', id)
      .execute();
    expect(unlocks.map((e) => JSON.parse(e.details).ticket).sort()).toEqual(['INC-77', 'INC-77', 'INC-9']);
  });

  it('users: search as you type, filters, a virtualized list that loads pages as it scrolls, Enter opens', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const marker = `scroll${Date.now().toString(36)}`;
    for (let i = 0; i < 120; i++)
      await server.addUser(tenant, `${marker}-${String(i).padStart(3, '0')}@example.test`, { name: `Scroll ${i}` });
    const { page } = await signedInConsole();
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-search');
    await page.keyboard.type(marker);
    const results = page.getByTestId('user-results');
    await expect.poll(() => results.getAttribute('data-results-for')).toBe(marker);
    // Only the rows in view are in the DOM, however many were found.
    const inDom = await page.getByTestId('user-row').count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(40);
    for (let i = 0; i < 20; i++) {
      await page.locator('.virtual-scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      if ((await page.getByText('120 users shown').count()) === 1) break;
      await page.waitForTimeout(150);
    }
    await page.getByText('120 users shown').waitFor();
    expect(await expectAccessible(page)).toEqual([]);
    await screenshot(page, 'users');

    await page.getByLabel('Show').selectOption({ label: 'Without two-factor authentication' });
    // None of them has a factor: the filtered list starts again at the top with the same users.
    await expect.poll(() => page.getByText(/^\d+ users shown/).count()).toBe(1);
    await expect.poll(() => page.getByText('120 users shown').count()).toBe(0);
    expect(await page.getByTestId('user-row').first().textContent()).toContain('No MFA');
    await page.getByLabel('Show').selectOption({ label: 'Locked' });
    await page.getByText('No users match.').waitFor();
    await page.getByLabel('Show').selectOption({ label: 'All users' });
    await page.locator('#user-search').fill(`${marker}-007`);
    await expect.poll(() => results.getAttribute('data-results-for')).toBe(`${marker}-007`);
    await page.locator('#user-search').press('Enter');
    await expect.poll(() => page.getByTestId('user-email').textContent()).toBe(`${marker}-007@example.test`);
    await page.getByTestId('back-to-users').click();
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-search');
    // Arrow keys move through the rows; Enter on a row opens it, and back returns to that row.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-row-0');
    await page.keyboard.press('Enter');
    await page.getByTestId('back-to-users').click();
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-row-0');
  });

  it('a tenant admin sees only their tenant’s users, lockouts and audit; an auditor sees no action', async () => {
    const mine = await server.addTenant({}, 'sms');
    const theirs = await server.addTenant({}, 'sms');
    const marker = `scope${Date.now().toString(36)}`;
    const own = await server.addUser(mine, `${marker}-own@example.test`, { name: `Own ${marker}` });
    const other = await server.addUser(theirs, `${marker}-other@example.test`, { name: `Other ${marker}` });
    for (const [u, slug] of [
      [own, mine],
      [other, theirs],
    ] as const)
      await lockAccount(
        server.ctx.store.db,
        { userId: u.id, tenantId: await tenantId(slug), reason: 'failed_codes', hours: 1, ip: null },
        Date.now(),
      );
    const agentApi = await signedInOperator(server, 'support');
    await server.call('POST', `/v1/admin/users/${other.id}/sessions/revoke`, {
      token: agentApi.accessToken,
      body: { ticket: `OTHER-${marker}`, reason: 'Another company' },
    });
    await server.call('POST', `/v1/admin/users/${own.id}/sessions/revoke`, {
      token: agentApi.accessToken,
      body: { ticket: `OWN-${marker}`, reason: 'Our company' },
    });

    const admin = await signedInConsole('tenant_admin', [mine]);
    await admin.page.keyboard.press('/');
    await expect.poll(() => admin.page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-search');
    await admin.page.keyboard.type(marker);
    await expect.poll(() => admin.page.getByTestId('user-results').getAttribute('data-results-for')).toBe(marker);
    expect(await admin.page.getByTestId('user-row').allTextContents()).toEqual([expect.stringContaining(own.email)]);
    await admin.page.keyboard.press('Alt+Digit2');
    await expect.poll(() => admin.page.getByTestId('lockout-row').filter({ hasText: marker }).count()).toBe(1);
    expect(await admin.page.getByTestId('lockout-row').filter({ hasText: marker }).textContent()).toContain(own.email);
    await admin.page.keyboard.press('Alt+Digit5');
    await admin.page
      .getByTestId('audit-row')
      .filter({ hasText: `OWN-${marker}` })
      .waitFor();
    expect(
      await admin.page
        .getByTestId('audit-row')
        .filter({ hasText: `OTHER-${marker}` })
        .count(),
    ).toBe(0);

    const auditor = await signedInConsole('auditor');
    await openUserFromSearch(auditor.page, `${marker}-own`, own.email);
    await auditor.page.getByText('Your role can read but not change users.').waitFor();
    expect(await auditor.page.getByTestId('lockout-banner').count()).toBe(1);
    expect(await auditor.page.locator('[data-testid$="-button"]').count()).toBe(0);
    await auditor.page.keyboard.press('Alt+Digit2');
    await auditor.page.getByTestId('lockout-row').filter({ hasText: marker }).first().waitFor();
    expect(await auditor.page.getByRole('checkbox').count()).toBe(0);
    expect(await auditor.page.getByTestId('bulk-unlock').count()).toBe(0);
  });

  it('audit: filtered by action and user, exported to CSV with tickets', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, `csv-${Date.now().toString(36)}@example.test`, { name: 'Csv User' });
    const agentApi = await signedInOperator(server, 'support');
    for (let i = 0; i < 3; i++)
      await server.call('POST', `/v1/admin/users/${user.id}/sessions/revoke`, {
        token: agentApi.accessToken,
        body: { ticket: `CSV-${i}`, reason: i === 0 ? '=HYPERLINK("x"), "quoted"' : 'Plain reason' },
      });
    const { page } = await signedInConsole();
    await page.keyboard.press('Alt+Digit5');
    await page.getByLabel('User').fill(user.email);
    await page.getByLabel('Event').selectOption('admin.sessions_revoked');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('audit-user-chip').waitFor();
    await expect.poll(() => page.getByTestId('audit-row').count()).toBe(3);
    expect(await page.getByTestId('audit-row').first().textContent()).toContain('Sessions ended by support');

    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    const file = await (await download).path();
    // A byte-order mark first, so spreadsheet programs read the file as UTF-8.
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('at,action,description,actor_type,actor,tenant_id,user_id,ip,ticket,reason,details');
    expect(lines).toHaveLength(4);
    expect(csv).toContain(',CSV-0,"\'=HYPERLINK(""x""), ""quoted"""');
    expect(csv).toContain('Sessions ended by support');
    await page.getByTestId('audit-exported').waitFor();
  });
});
