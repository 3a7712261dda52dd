import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { beforeAll, describe, expect, it } from 'vitest';
import { userSearchBounds } from '../../src/server/admin/user-search.js';
import { lockAccount } from '../../src/server/store/repositories/lockouts.js';
import type { TestServer } from '../support/test-server.js';
import { addOperator, keychainLookup } from '../main/console-fixtures.js';
import { useConsoleSuite } from './console-suite.js';
import { connectTo, signedInOperator, signIn } from './sign-in-steps.js';

/**
 * The console end to end, as `npm start` runs it without Electron: Debian's Chromium drives the
 * built renderer through the browser host; main's services talk to a real server and keep the
 * refresh token in the real Secret Service (scripts/with-private-keyring.sh).
 */
describe('console in Chromium through the browser host', () => {
  const suite = useConsoleSuite();
  const { open, restart, newDataDir, signedInConsole } = suite;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  it('connects, signs in with an authenticator code, and keeps the secret out of the address bar', async () => {
    const { page, operator } = await signedInConsole();
    await expect.poll(() => signedInOperator(page).textContent()).toContain('Support agent');
    expect(await page.getByTestId('signed-in-server').textContent()).toContain(new URL(server.baseUrl).host);
    expect(new URL(page.url()).hash).toBe('');
    expect(keychainLookup(server.baseUrl, operator.email)).toBeTruthy();
  });

  it('a wrong code stays on sign-in with a message the operator understands', async () => {
    const operator = await addOperator(server);
    const { page } = await open(newDataDir());
    await connectTo(page, server.baseUrl);
    await signIn(page, operator, '000000');
    await expect.poll(() => page.locator('[data-error-code]').textContent()).toContain('email, password or authenticator code is wrong');
    expect(await page.getByLabel('Authenticator code').inputValue()).toBe('');
  });

  it('signs in silently after a restart, and sign-out removes the keychain entry', async () => {
    const { page, operator, dataDir } = await signedInConsole();
    const restarted = await restart(page, dataDir);
    await expect.poll(() => signedInOperator(restarted.page).textContent()).toContain(operator.name);

    await restarted.page.getByRole('button', { name: 'Sign out' }).click();
    await restarted.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await restarted.page.locator('[data-notice="signed_out"]').textContent()).toContain('signed out');
    expect(keychainLookup(server.baseUrl, operator.email)).toBeNull();
    // The email is remembered (not a secret), the password and code are not.
    expect(await restarted.page.getByLabel('Email').inputValue()).toBe(operator.email);

    const again = await restart(restarted.page, dataDir);
    await again.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('expired credentials bring the operator back to sign-in with a clear message', async () => {
    const { page, operator, dataDir } = await signedInConsole();
    // The refresh token is used elsewhere: the server revokes the family when the console presents its copy.
    const stored = keychainLookup(server.baseUrl, operator.email)!;
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: stored } })).status).toBe(200);
    const restarted = await restart(page, dataDir);
    await restarted.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await restarted.page.locator('[data-error-code="session_expired"]').textContent()).toContain('Your session has ended');
    expect(keychainLookup(server.baseUrl, operator.email)).toBeNull();
  });

  it('a session revoked while the console is open: the next call brings sign-in back, and the next operator sees nothing of it', async () => {
    const tenant = await server.addTenant();
    const marker = `revoked-${Date.now().toString(36)}`;
    await server.addUser(tenant, `${marker}@nordmann.test`);
    const { page, operator } = await signedInConsole();
    await page.keyboard.press('/');
    await page.keyboard.type(marker);
    await expect.poll(() => page.getByTestId('user-row').count()).toBe(1);

    // A copy of the refresh token is presented twice elsewhere: the server revokes the whole family,
    // the access token the console holds in memory included.
    const stored = keychainLookup(server.baseUrl, operator.email)!;
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: stored } })).status).toBe(200);
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: stored } })).status).toBe(401);
    await page.locator('#user-search').fill(`${marker}@`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('[data-error-code="session_expired"]').textContent()).toContain('Your session has ended');
    expect(keychainLookup(server.baseUrl, operator.email)).toBeNull();

    // A tenant admin of another company signs in at the same window: the earlier results are gone.
    // Their company has no users, so no user row may appear at any moment, not even from a cache.
    const otherTenant = await server.addTenant();
    const next = await addOperator(server, 'tenant_admin', [otherTenant]);
    await page.evaluate(`{
      window.sawUserRows = false;
      new MutationObserver(() => { if (document.querySelector('[data-testid="user-row"]')) window.sawUserRows = true; })
        .observe(document.body, { childList: true, subtree: true });
    }`);
    await signIn(page, next, await next.nextCode());
    await expect.poll(() => signedInOperator(page).textContent()).toContain(next.name);
    await page.keyboard.press('/');
    await page.keyboard.type(marker);
    await page.waitForTimeout(600); // past the search's debounce and answer
    expect(await page.evaluate('window.sawUserRows')).toBe(false);
    expect(await page.content()).not.toContain(`${marker}@nordmann.test`);
  });

  it('a link cannot navigate the app away: allow-listed links go to the system browser, others nowhere', async () => {
    const { page, console } = await signedInConsole();
    const appUrl = page.url();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    await page.getByTestId('api-docs-link').click();
    await expect.poll(() => console.opened).toEqual([`${server.baseUrl}/docs`]);
    expect(page.url()).toBe(appUrl);

    // A link the app itself would never render, as if injected into server data.
    await page.evaluate(`{
      const link = document.createElement('a');
      link.href = 'https://evil.example/phish';
      link.textContent = 'innocent link';
      document.querySelector('main').append(link);
    }`);
    await page.getByText('innocent link').click();
    await page.getByText('That link cannot be opened from the console.').waitFor();
    await page.getByText('innocent link').click({ button: 'middle' });
    await page.getByText('innocent link').focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(appUrl);
    expect(page.context().pages()).toHaveLength(1);
    expect(console.opened).toEqual([`${server.baseUrl}/docs`]);
    expect(requests.filter((url) => url.includes('evil.example'))).toEqual([]);
    // Still the console, still signed in.
    expect(await signedInOperator(page).isVisible()).toBe(true);
  });

  it('users: "/" jumps to the search, any fragment finds the user, arrow keys move through the results', async () => {
    const tenant = await server.addTenant();
    const marker = `kari-${Date.now().toString(36)}`;
    const user = await server.addUser(tenant, `${marker}@nordmann.test`);
    await server.addUser(tenant, `${marker}.two@nordmann.test`);
    const { page } = await signedInConsole();
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-search');
    await page.keyboard.type(marker);
    await expect.poll(() => page.getByTestId('user-row').count()).toBe(2);
    expect(await page.getByTestId('user-row').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(user.email)]));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-row-1');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('user-row-0');

    // A search the server cuts short at its bound (lowered here to one user a request) says how far it
    // got, and "Load more" walks on from its cursor.
    const bound = userSearchBounds.rowsPerRequest;
    userSearchBounds.rowsPerRequest = 1;
    try {
      await page.locator('#user-search').fill('zq');
      const progress = page.getByTestId('user-search-progress');
      await expect.poll(() => progress.textContent()).toMatch(/^Searched 1 (of about [\d,]+ )?users so far/);
      expect(await page.getByText('No users match.').count()).toBe(0);
      await page.getByTestId('user-search-more').click();
      await expect.poll(() => progress.textContent()).toMatch(/^Searched 2 (of about [\d,]+ )?users so far/);
    } finally {
      userSearchBounds.rowsPerRequest = bound;
    }
  });

  it('lockouts: Alt+2 shows who is locked out, why in words, since and until', async () => {
    const tenant = await server.addTenant();
    const user = await server.addUser(tenant, `locked-${Date.now().toString(36)}@nordmann.test`);
    const row = await server.ctx.store.db.selectFrom('users').select('tenant_id').where('id', '=', user.id).executeTakeFirstOrThrow();
    await lockAccount(
      server.ctx.store.db,
      { userId: user.id, tenantId: row.tenant_id, reason: 'failed_codes', hours: 2, ip: null },
      Date.now(),
    );
    const { page } = await signedInConsole();
    await page.keyboard.press('Alt+Digit2');
    await page.getByRole('heading', { name: 'Active lockouts' }).waitFor();
    const lockout = page.getByTestId('lockout-row').filter({ hasText: user.email });
    await lockout.waitFor();
    // A support agent's rows start with a checkbox (bulk unlock): user, reason, since, until, time left.
    const cells = (await lockout.locator('td').allTextContents()).slice(1);
    expect(cells[1]).toBe('Locked after too many wrong codes.'); // the reason in words
    expect(cells[2]).toMatch(/\d/);
    expect(cells[3]).toMatch(/\d/);
    expect(cells[4]).toMatch(/^(1 hr( \d+ min)?|2 hr|\d+ min)$/);
  });

  it('lockouts: a credential-stuffing alarm tells support in words, in every language, and passes an axe scan', async () => {
    const tenant = await server.addTenant({ credentialStuffingAlarmAccounts: 5 });
    const tenantId = (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', tenant).executeTakeFirstOrThrow()).id;
    // A stuffing run over HTTP: one wrong password for each of many emails, until the window alarms
    // (a run that straddles two 15-minute windows needs a few more).
    for (let i = 0; i < 20; i++) {
      const answer = await server.call('POST', '/v1/auth/login', {
        body: { tenant, email: `leaked-${i}@example.test`, password: `Spring2026-${i}` },
      });
      expect(answer.status).toBe(401);
      const alarmed = await server.ctx.store.db
        .selectFrom('sign_in_failure_windows')
        .select('alarmed_at')
        .where('tenant_id', '=', tenantId)
        .where('alarmed_at', 'is not', null)
        .executeTakeFirst();
      if (alarmed) break;
    }
    const { page } = await signedInConsole();
    await page.keyboard.press('Alt+Digit2');
    const alarm = page.getByTestId('sign-in-alarm').first();
    await alarm.waitFor();
    expect(await page.getByRole('heading', { name: 'Possible credential stuffing' }).count()).toBe(1);
    expect(await alarm.textContent()).toMatch(/\d+ failed sign-ins across \d+ accounts between/);

    const scan = await new AxeBuilder({ page }).analyze();
    expect(scan.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    if (process.env.MFA_DESK_SCREENSHOTS) {
      mkdirSync('docs/screenshots', { recursive: true });
      await page.screenshot({ path: 'docs/screenshots/lockouts-credential-stuffing-alarm.png', fullPage: true });
    }

    for (const [language, heading] of [
      ['Norsk bokmål', 'Mulig credential stuffing'],
      ['Deutsch', 'Möglicher Credential-Stuffing-Angriff'],
    ] as const) {
      await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: language });
      await page.getByRole('heading', { name: heading }).waitFor();
    }
  });
});
