import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../../src/server/clock.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { appCode, enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

interface Sheet {
  sheetId: string;
  userId: string;
  otpauthUri: string;
  manualKey: string;
  expiresAt: string;
  locale: string;
  issuer: string;
}

/** Printed enrollment sheets, server side, on both databases: pending until a code from the sheet is typed. */
describe.each(dialects)('enrollment sheets on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  let tenantId: string;
  let admin: SignedInOperator;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant();
    tenantId = (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', tenant).executeTakeFirstOrThrow()).id;
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
  });
  afterAll(() => server.close());

  const ticket = { ticket: 'HR-12', reason: 'New starters enrol from paper' };
  const asAdmin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, who = admin) =>
    server.call<T>(method, path, { token: who.accessToken, body });
  const secretOf = (uri: string) => new URL(uri).searchParams.get('secret')!;

  async function sheetsFor(userIds: string[]) {
    const made = await asAdmin<{ sheets: Sheet[]; batchId: string }>('POST', '/v1/admin/enrollment-sheets', { ...ticket, userIds });
    expect(made.status).toBe(200);
    return made.body.sheets;
  }
  async function firstSignIn(user: { email: string; password: string }) {
    const login = await server.call<{ status: string; enrollmentToken: string; enrollmentSheet?: { expiresAt: string } }>(
      'POST',
      '/v1/auth/login',
      { body: { tenant, email: user.email, password: user.password } },
    );
    expect(login.body.status).toBe('enrollment_required');
    return login.body;
  }

  it("a code from the sheet is the user's first sign-in; then the sheet is spent", async () => {
    const users = [await server.addUser(tenant, undefined, { name: 'Åse Ærøskøbing', locale: 'nb' }), await server.addUser(tenant)];
    const candidates = await asAdmin<{ items: Array<{ userId: string; liveSheet: unknown }> }>(
      'GET',
      `/v1/admin/enrollment-sheets/candidates?tenantId=${tenantId}`,
    );
    expect(candidates.body.items.map((c) => c.userId)).toEqual(expect.arrayContaining(users.map((u) => u.id)));
    const sheets = await sheetsFor(users.map((u) => u.id));
    expect(sheets).toHaveLength(2);
    const [sheet] = sheets;
    expect(sheet).toMatchObject({ locale: 'nb', issuer: 'Tenant 1', expiresAt: new Date(server.clock.now() + 14 * DAY).toISOString() });
    expect(sheet!.manualKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    expect(sheet!.manualKey.replaceAll(' ', '')).toBe(secretOf(sheet!.otpauthUri));

    const login = await firstSignIn(users[0]!);
    expect(login.enrollmentSheet).toEqual({ expiresAt: sheet!.expiresAt });
    // oathtool, an independent RFC 6238 implementation, makes the code from the printed key.
    const code = execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(server.clock.now() / 1000)}`, secretOf(sheet!.otpauthUri)])
      .toString()
      .trim();
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
      token: login.enrollmentToken,
      body: { code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    const done = await server.call<{ sessionToken: string }>('POST', '/v1/enroll/complete', {
      token: login.enrollmentToken,
      body: { recoveryCodesSaved: true },
    });
    expect(done.status).toBe(200);

    // The app from paper is the factor now: the next sign-in asks for its code.
    server.clock.advance(30_000);
    const next = await server.call<{ challengeId: string; methods: string[] }>('POST', '/v1/auth/login', {
      body: { tenant, email: users[0]!.email, password: users[0]!.password },
    });
    expect(next.body.methods).toContain('totp');
    const verified = await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/verify`, {
      body: { method: 'totp', code: appCode(secretOf(sheet!.otpauthUri), server.clock) },
    });
    expect(verified.status).toBe(200);
    const list = await asAdmin<{ items: Array<{ id: string; state: string }> }>('GET', `/v1/admin/enrollment-sheets?tenantId=${tenantId}`);
    expect(list.body.items.find((s) => s.id === sheet!.sheetId)?.state).toBe('used');
    expect(JSON.stringify(list.body)).not.toContain(secretOf(sheet!.otpauthUri));
    const after = await asAdmin<{ items: Array<{ userId: string }> }>('GET', `/v1/admin/enrollment-sheets/candidates?tenantId=${tenantId}`);
    expect(after.body.items.map((c) => c.userId)).not.toContain(users[0]!.id);
    // A sheet for someone who has the app now is refused.
    expect((await asAdmin('POST', '/v1/admin/enrollment-sheets', { ...ticket, userIds: [users[0]!.id] })).status).toBe(409);
  });

  it('an expired, a voided and a replaced sheet are refused in words', async () => {
    const [late, voided, replaced] = [await server.addUser(tenant), await server.addUser(tenant), await server.addUser(tenant)];
    const [lateSheet] = await sheetsFor([late.id]);
    const [voidedSheet] = await sheetsFor([voided.id]);
    const [oldSheet] = await sheetsFor([replaced.id]);
    const [newSheet] = await sheetsFor([replaced.id]);
    expect((await asAdmin('POST', `/v1/admin/enrollment-sheets/${voidedSheet!.sheetId}/void`, ticket)).status).toBe(200);
    expect((await asAdmin('POST', `/v1/admin/enrollment-sheets/${voidedSheet!.sheetId}/void`, ticket)).status).toBe(409);

    const confirm = async (user: { email: string; password: string }, sheet: Sheet) => {
      const login = await firstSignIn(user);
      return server.call<{ error: string }>('POST', '/v1/enroll/totp/confirm', {
        token: login.enrollmentToken,
        body: { code: appCode(secretOf(sheet.otpauthUri), server.clock) },
      });
    };
    expect((await confirm(voided, voidedSheet!)).body.error).toBe('sheet_voided');
    expect((await confirm(replaced, oldSheet!)).body.error).toBe('sheet_expired');
    server.clock.advance(14 * DAY + 1000);
    expect((await confirm(late, lateSheet!)).body.error).toBe('sheet_expired');
    expect((await confirm(replaced, newSheet!)).body.error).toBe('sheet_expired');
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
    const states = await asAdmin<{ items: Array<{ id: string; state: string }> }>(
      'GET',
      `/v1/admin/enrollment-sheets?tenantId=${tenantId}`,
    );
    const stateOf = (id: string) => states.body.items.find((s) => s.id === id)?.state;
    expect([lateSheet, voidedSheet, oldSheet, newSheet].map((s) => stateOf(s!.sheetId))).toEqual([
      'expired',
      'voided',
      'replaced',
      'expired',
    ]);
    // A wrong code is still just wrong.
    const login = await firstSignIn(late);
    const wrong = await server.call<{ error: string }>('POST', '/v1/enroll/totp/confirm', {
      token: login.enrollmentToken,
      body: { code: '000000' },
    });
    expect(wrong.body.error).toBe('conflict');
  });

  it('a mistyped code is wrong, not a conflict; a used sheet keeps no key; an app set up from a QR code retires the sheet', async () => {
    const [typo, scanner] = [await server.addUser(tenant), await server.addUser(tenant)];
    const [typoSheet] = await sheetsFor([typo.id]);
    const login = await firstSignIn(typo);
    const wrong = await server.call<{ error: string }>('POST', '/v1/enroll/totp/confirm', {
      token: login.enrollmentToken,
      body: { code: '000000' },
    });
    expect(wrong.body.error).toBe('invalid_code');
    const right = await server.call('POST', '/v1/enroll/totp/confirm', {
      token: login.enrollmentToken,
      body: { code: appCode(secretOf(typoSheet!.otpauthUri), server.clock) },
    });
    expect(right.status).toBe(200);
    const stored = await server.ctx.store.db
      .selectFrom('enrollment_sheets')
      .select('secret_enc')
      .where('id', '=', typoSheet!.sheetId)
      .executeTakeFirstOrThrow();
    expect(stored.secret_enc).toBe('');

    const [scannerSheet] = await sheetsFor([scanner.id]);
    const scannerLogin = await firstSignIn(scanner);
    const qr = await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token: scannerLogin.enrollmentToken });
    await server.call('POST', '/v1/enroll/totp/confirm', {
      token: scannerLogin.enrollmentToken,
      body: { code: appCode(qr.body.secret, server.clock) },
    });
    await server.call('POST', '/v1/enroll/complete', { token: scannerLogin.enrollmentToken, body: { recoveryCodesSaved: true } });
    const list = await asAdmin<{ items: Array<{ id: string; state: string }> }>('GET', `/v1/admin/enrollment-sheets?tenantId=${tenantId}`);
    expect(list.body.items.find((s) => s.id === scannerSheet!.sheetId)?.state).toBe('replaced');
  });

  it("a page closed before the recovery codes were saved: the next sign-in says so, and the app's code shows new ones", async () => {
    const user = await server.addUser(tenant);
    const [sheet] = await sheetsFor([user.id]);
    const secret = secretOf(sheet!.otpauthUri);
    const first = await firstSignIn(user);
    const shown = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
      token: first.enrollmentToken,
      body: { code: appCode(secret, server.clock) },
    });
    expect(shown.status).toBe(200);
    // The tab was closed here. Later:
    server.clock.advance(60_000);
    const again = await firstSignIn(user);
    expect(again.enrollmentSheet).toBeUndefined();
    expect((again as { appAwaitingCodes?: boolean }).appAwaitingCodes).toBe(true);
    const code = appCode(secret, server.clock);
    const reshown = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
      token: again.enrollmentToken,
      body: { code },
    });
    expect(reshown.status).toBe(200);
    expect(reshown.body.recoveryCodes).not.toEqual(shown.body.recoveryCodes);
    // The same code twice is refused (the step is spent), and the finish goes live with the new codes.
    expect(
      (await server.call<{ error: string }>('POST', '/v1/enroll/totp/confirm', { token: again.enrollmentToken, body: { code } })).body
        .error,
    ).toBe('invalid_code');
    expect(
      (await server.call('POST', '/v1/enroll/complete', { token: again.enrollmentToken, body: { recoveryCodesSaved: true } })).status,
    ).toBe(200);
    server.clock.advance(30_000);
    const next = await server.call<{ challengeId: string }>('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password },
    });
    const withOld = await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: shown.body.recoveryCodes[0] },
    });
    expect(withOld.status).toBe(400);
    const withNew = await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: reshown.body.recoveryCodes[0] },
    });
    expect(withNew.status).toBe(200);
  });

  it('twenty codes from one sheet at once confirm it once', async () => {
    const user = await server.addUser(tenant);
    const [sheet] = await sheetsFor([user.id]);
    const login = await firstSignIn(user);
    const code = appCode(secretOf(sheet!.otpauthUri), server.clock);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => server.call('POST', '/v1/enroll/totp/confirm', { token: login.enrollmentToken, body: { code } })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const factors = await server.ctx.store.db.selectFrom('totp_factors').select('status').where('user_id', '=', user.id).execute();
    expect(factors).toEqual([{ status: 'confirmed' }]);
  });

  it('only within scope: another tenant is not found, auditors see and print nothing, apps are not doubled', async () => {
    const other = await server.addTenant();
    const outsider = await signedInOperator(server, 'tenant_admin', [other]);
    const auditor = await signedInOperator(server, 'auditor');
    const user = await server.addUser(tenant);
    const enrolled = await enrollUser(server, tenant);
    expect((await asAdmin('POST', '/v1/admin/enrollment-sheets', { ...ticket, userIds: [user.id] }, outsider)).status).toBe(404);
    expect((await asAdmin('GET', `/v1/admin/enrollment-sheets/candidates?tenantId=${tenantId}`, undefined, outsider)).status).toBe(404);
    expect((await asAdmin('POST', '/v1/admin/enrollment-sheets', { ...ticket, userIds: [user.id] }, auditor)).status).toBe(403);
    expect((await asAdmin('GET', '/v1/admin/enrollment-sheets', undefined, auditor)).status).toBe(403);
    const doubled = await asAdmin<{ error: string; emails: string[] }>('POST', '/v1/admin/enrollment-sheets', {
      ...ticket,
      userIds: [user.id, enrolled.id],
    });
    expect(doubled.status).toBe(409);
    expect(doubled.body.emails).toEqual([enrolled.email]);
    expect(await server.ctx.store.db.selectFrom('enrollment_sheets').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    // A tenant without authenticator apps gets no sheets.
    const smsOnly = await server.addTenant({ allowedMethods: ['sms'] });
    const smsTenantId = (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', smsOnly).executeTakeFirstOrThrow())
      .id;
    const support = await signedInOperator(server, 'support');
    expect((await asAdmin('GET', `/v1/admin/enrollment-sheets/candidates?tenantId=${smsTenantId}`, undefined, support)).status).toBe(409);
  });
});
