import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInOperator } from '../support/operators.js';
import { appCode, type TestServer } from '../support/test-server.js';
import { useConsoleSuite } from './console-suite.js';
import { expectAccessible, screenshot } from './support-desk-steps.js';

const zone = 'Europe/Oslo';

/** `YYYY-MM-DD` of the day `days` from now in Oslo, and the moment that day starts there. */
function osloDay(days: number): { day: string; start: number } {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    Date.now() + days * 86_400_000,
  );
  // Oslo is UTC+1 or UTC+2: the instant whose Oslo wall clock reads 00:00 on that day.
  for (const offsetHours of [1, 2]) {
    const start = Date.parse(`${day}T00:00:00Z`) - offsetHours * 3_600_000;
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(start);
    if (wall === '00:00') return { day, start };
  }
  throw new Error(`no Oslo midnight found for ${day}`);
}

/**
 * A tenant admin breaks a shared mailbox up into personal accounts, end to end: Chromium drives the
 * built console through the browser host, main's services talk to a real server (real time, SQLite),
 * and every effect is checked where it lands: the database, the outbox, the invitation page a person
 * follows, and the shared account's own sign-in once the chosen day has come (the server's clock moved).
 */
describe('shared accounts and their break-up, in Chromium through the browser host', () => {
  const suite = useConsoleSuite({ timezoneId: zone, viewport: { width: 1280, height: 900 } });
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  async function tenantId(slug: string): Promise<string> {
    return (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  }

  /** The whole page in the screenshot: the viewport grows to the page for it, then goes back. */
  async function pageScreenshot(page: Page, name: string): Promise<void> {
    if (!process.env.MFA_DESK_SCREENSHOTS) return;
    const viewport = page.viewportSize()!;
    const height = await page.evaluate('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Number(height)) });
    await screenshot(page, name);
    await page.setViewportSize(viewport);
  }

  /** accounts@ signs in once (the app tenant asks for setup first): a session that must end with the account. */
  async function enrolledSession(tenant: string, user: { email: string; password: string }): Promise<string> {
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(login.body.status).toBe('enrollment_required');
    const token = String(login.body.enrollmentToken);
    const started = await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token });
    await server.call('POST', '/v1/enroll/totp/confirm', { token, body: { code: appCode(started.body.secret, server.clock) } });
    const completed = await server.call<{ sessionToken: string }>('POST', '/v1/enroll/complete', {
      token,
      body: { recoveryCodesSaved: true },
    });
    expect(completed.status).toBe(200);
    return completed.body.sessionToken;
  }

  function personRow(page: Page, n: number) {
    return page.getByTestId('person-row').nth(n - 1);
  }

  it('accounts@ is listed as a mailbox; the wizard catches a bad phone, a duplicate and an address of another tenant before anything is made; a failure in the middle is finished without duplicates; a person follows the invitation and enrols; the shared account ends on the chosen day', async () => {
    const tenant = await server.addTenant({}, 'app');
    const otherTenant = await server.addTenant({}, 'app');
    const shared = await server.addUser(tenant, 'accounts@firma.test', { name: 'Accounts', locale: 'nb' });
    // Ola's address belongs to an account of another organisation (a typo, or the wrong Ola).
    await server.addUser(otherTenant, 'ola@firma.test', { name: 'Ola Other' });
    const sharedSession = await enrolledSession(tenant, shared);

    // Sent directly, a bad list is refused too, each line with its problems, and nothing is created.
    const adminApi = await signedInOperator(server, 'tenant_admin', [tenant]);
    const refused = await server.call<{
      error: string;
      members: Array<{ email: string; problems: Array<{ field: string; code: string }> }>;
    }>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      token: adminApi.accessToken,
      body: {
        idempotencyKey: randomUUID(),
        members: [
          { name: 'Kari Nordmann', email: 'kari@firma.test', phone: '12345' },
          { name: 'Per Hansen', email: 'kari@firma.test', phone: '' },
          { name: 'Ola Berg', email: 'ola@firma.test', phone: '' },
        ],
        disableAt: null,
        ticket: 'API-1',
        reason: 'Sent straight to the API',
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_members');
    expect(refused.body.members.map((m) => m.problems.map((p) => `${p.field}:${p.code}`))).toEqual([
      expect.arrayContaining(['phone:invalid_phone', 'email:duplicate_in_list']),
      ['email:duplicate_in_list'],
      ['email:email_in_other_tenant'],
    ]);
    const db = server.ctx.store.db;
    expect(await db.selectFrom('breakups').select('id').where('shared_user_id', '=', shared.id).execute()).toEqual([]);
    expect(await db.selectFrom('users').select('id').where('email', '=', 'kari@firma.test').execute()).toEqual([]);

    const { page } = await suite.signedInConsole('tenant_admin', [tenant]);
    await page.keyboard.press('Alt+Digit3');
    await page.getByRole('heading', { name: 'Shared accounts', level: 1 }).waitFor();
    const card = page.locator(`[data-testid="shared-account"][data-user-id="${shared.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('shared-reasons').textContent()).toContain('The address is a mailbox name, not a person’s: “accounts”.');
    expect(await card.textContent()).toMatch(/sign-ins? in the last 7 days\./);
    // A tenant admin of one tenant gets no tenant picker.
    expect(await page.locator('#shared-tenant').count()).toBe(0);
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'shared-accounts');
    // The same list in Norwegian and German, then back.
    for (const [language, heading, reason] of [
      ['Norsk bokmål', 'Kontoer som ser delte ut', 'Adressen er navnet på en postboks, ikke på en person: «accounts».'],
      ['Deutsch', 'Konten, die geteilt wirken', 'Die Adresse ist der Name eines Postfachs, nicht einer Person: „accounts“.'],
      ['English', 'Accounts that look shared', 'The address is a mailbox name, not a person’s: “accounts”.'],
    ] as const) {
      await page.getByLabel(/Language|Språk|Sprache/).selectOption({ label: language });
      await page.getByRole('heading', { name: heading }).waitFor();
      expect(await card.getByTestId('shared-reasons').textContent()).toBe(reason);
    }

    // Step 1: the people, pasted from a spreadsheet (with its header row), each problem beside its field.
    await card.getByTestId('break-up-button').click();
    await page.getByRole('heading', { name: 'Break up accounts@firma.test', level: 1 }).waitFor();
    await page.getByTestId('paste-toggle').click();
    await page
      .getByTestId('paste-text')
      .fill(
        ['Name\tEmail\tPhone', 'Kari Nordmann\tkari@firma.test\t12345', 'Per Hansen\tkari@firma.test\t', 'Ola Berg\tola@firma.test\t'].join(
          '\n',
        ),
      );
    await page.getByTestId('paste-add').click();
    await expect.poll(() => page.getByTestId('person-row').count()).toBe(3);
    const next = page.getByTestId('wizard-next');
    await expect
      .poll(() => personRow(page, 1).getByTestId('person-phone-problem').textContent())
      .toBe('Not a phone number that can be read. Write it with the country code, like +47 912 34 567.');
    expect(await personRow(page, 1).getByTestId('person-phone').getAttribute('aria-invalid')).toBe('true');
    for (const n of [1, 2])
      expect(await personRow(page, n).getByTestId('person-email-problem').textContent()).toBe(
        'This address is in the list twice: each person needs their own.',
      );
    // What only the server knows arrives after a pause in typing.
    await expect
      .poll(() => personRow(page, 3).getByTestId('person-email-problem').textContent())
      .toBe('An account of another organisation has this address. Use a different one.');
    const olaEmail = personRow(page, 3).getByTestId('person-email');
    expect(await olaEmail.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await olaEmail.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('another organisation');
    expect(await page.getByTestId('people-summary').textContent()).toBe('3 people · 3 lines need fixing before you can go on.');
    expect(await next.isDisabled()).toBe(true);
    // Every invitation goes out in the shared account's language unless chosen otherwise.
    expect(await personRow(page, 1).getByTestId('person-locale').inputValue()).toBe('nb');
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'breakup-wizard');

    // Fixed one by one: Next waits for the last.
    await personRow(page, 1).getByTestId('person-phone').fill('+47 912 34 567');
    await personRow(page, 2).getByTestId('person-email').fill('per@firma.test');
    await personRow(page, 2).getByTestId('person-phone').fill('+49 151 23456789');
    await personRow(page, 2).getByTestId('person-locale').selectOption('de');
    expect(await next.isDisabled()).toBe(true);
    await personRow(page, 3).getByTestId('person-email').fill('ola.berg@firma.test');
    await personRow(page, 3).getByTestId('person-locale').selectOption('en');
    await expect.poll(() => page.getByTestId('people-summary').textContent()).toBe('3 people, all ready.');
    expect(await page.getByTestId('person-email-problem').count()).toBe(0);
    expect(await personRow(page, 1).textContent()).toContain('Reads as +4791234567');
    await expect.poll(() => next.isDisabled()).toBe(false);
    await next.click();

    // Step 2: tomorrow, from the start of the day in the operator's zone.
    const tomorrow = osloDay(1);
    await page.getByRole('heading', { name: 'When does the shared account stop working?' }).waitFor();
    await page.getByTestId('disable-date').fill(tomorrow.day);
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'breakup-when');
    await page.getByTestId('wizard-next').click();

    // Step 3: the preview in words, then ticket and reason.
    await page.getByRole('heading', { name: 'Check and confirm', level: 2 }).waitFor();
    const preview = page.getByTestId('breakup-preview-summary');
    const previewText = await preview.textContent();
    expect(previewText).toContain('3 personal accounts are created:');
    expect(previewText).toContain('Kari Nordmann: an invitation in Norwegian (bokmål) to kari@firma.test.');
    expect(previewText).toContain('They confirm +4791234567 by SMS when they set up their account.');
    expect(previewText).toContain('Per Hansen: an invitation in German to per@firma.test.');
    expect(previewText).toContain('Ola Berg: an invitation in English to ola.berg@firma.test.');
    expect(await page.getByTestId('preview-shared').textContent()).toMatch(
      /^The shared account accounts@firma\.test is disabled on .+ at 12:00 AM \(Europe\/Oslo\): its sessions and remembered devices end then\.$/,
    );
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'breakup-preview');
    // Nothing goes without a ticket and a reason.
    await page.getByTestId('breakup-confirm').click();
    await page.getByText('Enter the ticket number of the call or request.').waitFor();

    // The second person's account fails to be made: the database refuses it.
    await sql`CREATE TRIGGER fail_second BEFORE INSERT ON users WHEN NEW.email = 'per@firma.test' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`.execute(
      db,
    );
    try {
      await page.getByLabel('Ticket').fill('INC-1100');
      await page.getByLabel('Reason').fill('Accounts mailbox used by three people');
      await page.getByTestId('breakup-confirm').click();
      const status = page.getByTestId('breakup-status');
      await expect.poll(() => status.textContent()).toContain('Not finished: 2 of 3 personal accounts were created, 1 failed');
    } finally {
      await sql`DROP TRIGGER IF EXISTS fail_second`.execute(db);
    }
    const members = page.getByTestId('breakup-member');
    expect(
      await members.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-email')}:${li.getAttribute('data-state')}`)),
    ).toEqual(['kari@firma.test:created', 'per@firma.test:failed', 'ola.berg@firma.test:created']);
    expect(await page.locator('[data-email="per@firma.test"]').getByTestId('breakup-member-error').textContent()).toContain(
      'simulated failure',
    );
    expect(await page.getByTestId('breakup-shared').textContent()).toContain('or later, once every personal account exists');
    expect(await expectAccessible(page)).toEqual([]);
    await pageScreenshot(page, 'breakup-progress');

    // "Finish the rest": the same request, the same key; only Per is made now.
    await page.getByTestId('breakup-finish').click();
    await expect
      .poll(() => page.getByTestId('breakup-status').textContent())
      .toBe('Done: all 3 personal accounts are created and their invitations are on their way.');
    expect(await page.getByTestId('breakup-shared').textContent()).toMatch(
      /^The shared account accounts@firma\.test will be disabled on .+ at 12:00 AM \(Europe\/Oslo\): its sessions and remembered devices end then\.$/,
    );
    expect(await page.getByTestId('breakup-finish').count()).toBe(0);
    await pageScreenshot(page, 'breakup-done');

    // Each person exactly once, in the shared account's tenant; one break-up with its three people.
    const emails = ['kari@firma.test', 'per@firma.test', 'ola.berg@firma.test'];
    const made = await db.selectFrom('users').select(['email', 'tenant_id', 'locale']).where('email', 'in', emails).execute();
    expect(made.map((u) => u.email).sort()).toEqual([...emails].sort());
    expect(new Set(made.map((u) => u.tenant_id))).toEqual(new Set([await tenantId(tenant)]));
    const breakups = await db.selectFrom('breakups').selectAll().where('shared_user_id', '=', shared.id).execute();
    expect(breakups).toHaveLength(1);
    expect(breakups[0]!.ticket).toBe('INC-1100');
    expect(Number(breakups[0]!.disable_at)).toBe(tomorrow.start);
    // Three invitations, one per person, each in that person's language.
    await expect.poll(() => server.outbox().filter((m) => m.template === 'invitation').length).toBe(3);
    const invitations = server.outbox().filter((m) => m.template === 'invitation');
    expect(invitations.map((m) => `${m.to}:${m.locale}`).sort()).toEqual([
      'kari@firma.test:nb',
      'ola.berg@firma.test:en',
      'per@firma.test:de',
    ]);

    // Back on the list: the break-up's state, in words.
    await page.getByTestId('breakup-done').click();
    const state = card.getByTestId('shared-breakup-state');
    await expect.poll(() => state.textContent()).toContain('into 3 personal accounts');
    expect(await state.textContent()).toContain('will be disabled on');
    expect(await card.getByTestId('break-up-button').count()).toBe(0);

    // Kari follows her link: a password, the authenticator app from the manual key, the recovery codes.
    const kari = invitations.find((m) => m.to === 'kari@firma.test')!;
    const link = /(https?:\/\/\S+\/invitation\/#t=[A-Za-z0-9_-]+)/.exec(kari.text)?.[1];
    expect(link).toBeTruthy();
    const personContext = await page.context().browser()!.newContext({ locale: 'nb-NO', timezoneId: zone });
    try {
      const person = await personContext.newPage();
      await person.goto(link!);
      await person.locator('#new-password').waitFor();
      expect(await person.getByTestId('invitation-email').textContent()).toBe('kari@firma.test');
      await person.locator('#new-password').fill('kari sitt eget passord 2026');
      await person.locator('#repeat-password').fill('kari sitt eget passord 2026');
      await person.locator('#password-form button[type="submit"]').click();
      await person.getByTestId('manual-key').waitFor();
      const secret = (await person.getByTestId('manual-key').textContent())!.replace(/\s+/g, '');
      await person.locator('#totp-code').fill(generateSync({ secret }));
      await person.locator('#totp-form button[type="submit"]').click();
      await person.locator('#codes-saved').check();
      await person.locator('#finish-form button[type="submit"]').click();
      await person.getByTestId('done').waitFor();
      expect(await person.getByTestId('done').textContent()).toContain('kari@firma.test');
    } finally {
      await personContext.close();
    }
    const kariRow = await db.selectFrom('users').select('id').where('email', '=', 'kari@firma.test').executeTakeFirstOrThrow();
    expect(await db.selectFrom('totp_factors').select('status').where('user_id', '=', kariRow.id).execute()).toEqual([
      { status: 'active' },
    ]);

    // Until the day comes the shared account still works; from its first minute it does not.
    expect((await server.call('GET', '/v1/me', { token: sharedSession })).status).toBe(200);
    const offset = tomorrow.start + 60_000 - Date.now();
    server.clock.now = () => Date.now() + offset;
    try {
      expect((await server.call('GET', '/v1/me', { token: sharedSession })).status).toBe(401);
      const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: shared.email, password: shared.password } });
      expect(login.status).toBe(401);
      expect(login.body.error).toBe('invalid_credentials');
      const row = await db.selectFrom('users').select('disabled_at').where('id', '=', shared.id).executeTakeFirstOrThrow();
      expect(row.disabled_at).not.toBeNull();
    } finally {
      server.clock.now = () => Date.now();
    }
  });

  it('a break-up left unfinished elsewhere is finished from the list, from what the server recorded', async () => {
    const tenant = await server.addTenant({}, 'app');
    const marker = Math.random().toString(36).slice(2, 7);
    const shared = await server.addUser(tenant, `post-${marker}@firma.test`, { name: 'Post' });
    const people = ['liv', 'odd'].map((n) => ({ name: n.toUpperCase(), email: `${n}-${marker}@firma.test` }));
    // Another console started it and the database refused the second person then.
    const db = server.ctx.store.db;
    await sql
      .raw(
        `CREATE TRIGGER fail_odd BEFORE INSERT ON users WHEN NEW.email = '${people[1]!.email}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
      )
      .execute(db);
    const elsewhere = await signedInOperator(server, 'tenant_admin', [tenant]);
    try {
      const started = await server.call<{ state: string }>('POST', `/v1/admin/users/${shared.id}/breakups`, {
        token: elsewhere.accessToken,
        body: { ticket: 'INC-3300', reason: 'Post mailbox split', idempotencyKey: randomUUID(), members: people },
      });
      expect(started.body.state).toBe('in_progress');
    } finally {
      await sql`DROP TRIGGER IF EXISTS fail_odd`.execute(db);
    }
    const { page } = await suite.signedInConsole('tenant_admin', [tenant]);

    await page.keyboard.press('Alt+Digit3');
    const card = page.locator(`[data-testid="shared-account"][data-user-id="${shared.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('break-up-button').count()).toBe(0);
    expect(await card.getByTestId('shared-breakup-state').textContent()).toContain('1 of 2 personal accounts created');
    await card.getByTestId('finish-breakup-button').click();
    // Complete, and no date was chosen: the shared account is disabled at once and leaves the list.
    await card.waitFor({ state: 'detached' });
    const breakup = await db
      .selectFrom('breakups')
      .select('completed_at')
      .where('shared_user_id', '=', shared.id)
      .executeTakeFirstOrThrow();
    expect(breakup.completed_at).not.toBeNull();
    for (const person of people) {
      const rows = await db.selectFrom('users').select('id').where('email', '=', person.email).execute();
      expect(rows).toHaveLength(1);
    }

    // Liv lost her email: her page says she has not chosen a password, and a new invitation goes out.
    await page.keyboard.press('Control+k');
    await page.locator('#user-search').fill(people[0]!.email);
    await page.getByTestId('user-row').filter({ hasText: people[0]!.email }).click();
    const invitationCard = page.getByTestId('card-invitation');
    await invitationCard.waitFor();
    expect(await invitationCard.textContent()).toContain('has not chosen a password yet');
    expect(await expectAccessible(page)).toEqual([]);
    await page.getByTestId('resend-invitation-button').click();
    const dialog = page.getByTestId('dialog-resendInvitation');
    await dialog.getByLabel('Ticket').fill('INC-3301');
    await dialog.getByLabel('Reason').fill('The first email did not arrive');
    await dialog.getByTestId('action-confirm').click();
    await dialog.getByText(`Sent to ${people[0]!.email}`).waitFor();
    const sent = server.outbox().filter((m) => m.template === 'invitation' && m.to === people[0]!.email);
    expect(sent).toHaveLength(2);
    const token = (text: string) => /#t=([A-Za-z0-9_-]+)/.exec(text)![1];
    expect((await server.call('POST', '/v1/invitations/inspect', { body: { token: token(sent[0]!.text) } })).body.error).toBe(
      'link_expired',
    );
    expect((await server.call('POST', '/v1/invitations/inspect', { body: { token: token(sent[1]!.text) } })).body.state).toBe('open');
  });

  it('support marks an account shared and then not shared, across tenants; an auditor sees the section is not for their role', async () => {
    const tenant = await server.addTenant({}, 'app');
    await server.addTenant({}, 'app');
    const marker = Math.random().toString(36).slice(2, 7);
    const desk = await server.addUser(tenant, `frontdesk-${marker}@hotel.test`, { name: `Front Desk ${marker}` });

    const { page } = await suite.signedInConsole('support');
    await page.keyboard.press('Alt+Digit3');
    await page.getByRole('heading', { name: 'Shared accounts', level: 1 }).waitFor();
    // Support sees every tenant: a picker.
    await page.locator('#shared-tenant').waitFor();
    await page.locator('#shared-tenant').selectOption(await tenantId(tenant));
    await page.getByTestId('mark-shared-search').fill(`frontdesk-${marker}`);
    const result = page.getByTestId('mark-shared-result').filter({ hasText: desk.email });
    await result.getByTestId('mark-shared-button').click();
    const dialog = page.getByTestId('dialog-flag-shared');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`${desk.email} joins the list of shared accounts`);
    await dialog.getByLabel('Ticket').fill('INC-2200');
    await dialog.getByLabel('Reason').fill('The night shift shares this login');
    await dialog.getByTestId('action-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    const card = page.locator(`[data-testid="shared-account"][data-user-id="${desk.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('shared-reasons').textContent()).toMatch(
      /^Marked as shared by .+ on .+: “The night shift shares this login”$/,
    );
    expect(await result.textContent()).toContain('Already listed');

    await card.getByTestId('unflag-button').click();
    const unflag = page.getByTestId('dialog-unflag-shared');
    await unflag.waitFor();
    await unflag.getByLabel('Ticket').fill('INC-2201');
    await unflag.getByLabel('Reason').fill('Checked: one person, two browsers');
    await unflag.getByTestId('action-confirm').click();
    await unflag.waitFor({ state: 'detached' });
    await card.waitFor({ state: 'detached' });
    const verdict = await server.ctx.store.db
      .selectFrom('users')
      .select('shared_verdict')
      .where('id', '=', desk.id)
      .executeTakeFirstOrThrow();
    expect(verdict.shared_verdict).toBe('not_shared');

    const auditor = await suite.signedInConsole('auditor');
    await auditor.page.keyboard.press('Alt+Digit3');
    await auditor.page.getByTestId('shared-not-for-role').waitFor();
    expect(await auditor.page.getByRole('button', { name: /Break up|Mark as/ }).count()).toBe(0);
    expect(await expectAccessible(auditor.page)).toEqual([]);
  });
});
