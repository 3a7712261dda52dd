import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { enrollUser, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/** The support desk's day, end to end over HTTP, on both databases. */
describe.each(dialects)('support flows on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  let agent: SignedInOperator;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant({}, 'sms');
    agent = await signedInOperator(server, 'support');
  });
  afterAll(() => server.close());

  const asAgent = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    server.call<T>(method, path, { token: agent.accessToken, body });

  it('a user locked by 21 SMS requests is found, unlocked with a ticket, told by email, and signs in', async () => {
    const user = await server.addUser(tenant, 'ola.nordmann@example.test', { phone: '+4798888888', locale: 'nb' });
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    for (let i = 0; i < 21; i++) await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`);
    expect((await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } })).status).toBe(
      423,
    );

    // Found from a fragment of the name, and by the locked filter.
    const found = await asAgent<{ items: Array<{ id: string; locked: boolean }> }>('GET', '/v1/admin/users?q=nordm');
    expect(found.body.items).toEqual([expect.objectContaining({ id: user.id, locked: true })]);
    const locked = await asAgent<{ items: Array<{ id: string }> }>('GET', '/v1/admin/users?filter=locked');
    expect(locked.body.items.map((u) => u.id)).toContain(user.id);
    const lockouts = await asAgent<{ items: Array<{ userId: string; reason: string; reasonText: string }> }>('GET', '/v1/admin/lockouts');
    expect(lockouts.body.items.find((l) => l.userId === user.id)).toMatchObject({
      reason: 'sms_daily_limit',
      reasonText: expect.stringContaining('daily limit'),
    });

    const detail = await asAgent('GET', `/v1/admin/users/${user.id}`);
    expect(detail.body).toMatchObject({
      activeLockout: { reason: 'sms_daily_limit' },
      sms: { login: { sent: 21, limit: 20 }, setup: { sent: 0, limit: 15 } },
      factors: [{ type: 'sms', phoneHint: '+47 •••••888' }],
    });

    const unlocked = await asAgent('POST', `/v1/admin/users/${user.id}/unlock`, {
      ticket: 'INC-4711',
      reason: 'User confirmed identity by phone',
    });
    expect(unlocked).toMatchObject({ status: 200, body: { ok: true, auditEventId: expect.any(String) } });
    const event = await server.ctx.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '=', String(unlocked.body.auditEventId))
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'admin.unlock', actor_type: 'operator', actor_id: agent.id, user_id: user.id, ip: '127.0.0.1' });
    expect(JSON.parse(event.details)).toMatchObject({ ticket: 'INC-4711', reason: 'User confirmed identity by phone' });
    const email = server
      .outbox()
      .filter((m) => m.to === user.email)
      .at(-1)!;
    expect(email).toMatchObject({ template: 'changed_by_support', locale: 'nb' });
    expect(email.text).toContain('Kontoen din er låst opp');
    expect((await asAgent('POST', `/v1/admin/users/${user.id}/unlock`, { ticket: 'INC-4711', reason: 'again' })).body.error).toBe(
      'conflict',
    );

    const again = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(again.body).toMatchObject({ status: 'mfa_required', smsRemainingToday: 20 });
    await server.call('POST', `/v1/auth/challenges/${again.body.challengeId}/sms`);
    expect(
      (
        await server.call('POST', `/v1/auth/challenges/${again.body.challengeId}/verify`, {
          body: { method: 'sms', code: lastSmsCode(server, '+4798888888') },
        })
      ).status,
    ).toBe(200);
  });

  it('support sends a reset link and the user changes the phone through it', async () => {
    const user = await server.addUser(tenant, 'kari@example.test', { phone: '+4791010101' });
    const sent = await asAgent('POST', `/v1/admin/users/${user.id}/phone-reset-link`, {
      ticket: 'INC-5',
      reason: 'New phone, old number lost',
    });
    expect(sent).toMatchObject({ status: 200, body: { sentTo: 'k•••@example.test' } });
    const mail = server
      .outbox()
      .filter((m) => m.to === user.email && m.template === 'phone_reset_link')
      .at(-1)!;
    const token = /phone-reset\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: '+4792020202' } });
    expect(
      (await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: lastSmsCode(server, '+4792020202') } })).status,
    ).toBe(200);
    const detail = await asAgent('GET', `/v1/admin/users/${user.id}`);
    expect(detail.body).toMatchObject({ factors: [{ type: 'sms', phoneHint: '+47 •••••202' }] });
    const actions = (detail.body.recentEvents as Array<{ action: string; details: Record<string, unknown> }>).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['phone_reset.link_sent', 'phone_reset.completed']));
  });

  it('regenerates recovery codes (old ones die), resets the app, revokes devices and sessions', async () => {
    const appTenant = await server.addTenant({}, 'app');
    const user = await enrollUser(server, appTenant);
    const codes = await asAgent<{ recoveryCodes: string[] }>('POST', `/v1/admin/users/${user.id}/recovery-codes`, {
      ticket: 'INC-6',
      reason: 'Lost the printed codes',
    });
    expect(codes.body.recoveryCodes).toHaveLength(10);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant: appTenant, email: user.email, password: user.password } });
    expect(
      (
        await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
          body: { method: 'recovery_code', code: user.recoveryCodes[0] },
        })
      ).body.error,
    ).toBe('invalid_code');
    const verified = await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: codes.body.recoveryCodes[0], rememberDevice: true },
    });
    expect(verified.status).toBe(200);
    expect((await asAgent('GET', `/v1/admin/users/${user.id}`)).body).toMatchObject({
      recoveryCodesLeft: 9,
      trustedDevices: [expect.any(Object)],
      activeSessions: 2,
    });

    expect((await asAgent('POST', `/v1/admin/users/${user.id}/devices/revoke`, { ticket: 'INC-6', reason: 'Laptop stolen' })).status).toBe(
      200,
    );
    expect((await asAgent('POST', `/v1/admin/users/${user.id}/sessions/revoke`, { ticket: 'INC-6', reason: 'Laptop stolen' })).status).toBe(
      200,
    );
    expect((await server.call('GET', '/v1/me', { token: String(verified.body.sessionToken) })).status).toBe(401);
    expect((await asAgent('POST', `/v1/admin/users/${user.id}/totp/reset`, { ticket: 'INC-7', reason: 'New phone' })).status).toBe(200);
    const next = await server.call('POST', '/v1/auth/login', { body: { tenant: appTenant, email: user.email, password: user.password } });
    expect(next.body.status).toBe('enrollment_required');
    expect(server.outbox().filter((m) => m.to === user.email && m.template === 'changed_by_support')).toHaveLength(4);
  });

  it('writes the audit event in the same transaction as the change: a failed action leaves none', async () => {
    const appTenant = await server.addTenant({}, 'app');
    const user = await enrollUser(server, appTenant);
    const { db } = server.ctx.store;
    const count = async (action: string) =>
      (await db.selectFrom('audit_events').select('id').where('user_id', '=', user.id).where('action', '=', action).execute()).length;

    // Refused by a rule (not locked): no event.
    expect((await asAgent('POST', `/v1/admin/users/${user.id}/unlock`, { ticket: 'T', reason: 'try' })).status).toBe(409);
    expect(await count('admin.unlock')).toBe(0);

    // The change succeeds but the notification can't be recorded: everything rolls back.
    if (dialect === 'postgres') {
      await sql`CREATE FUNCTION refuse_mail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'mail store down'; END $$ LANGUAGE plpgsql`.execute(
        db,
      );
      await sql`CREATE TRIGGER refuse_mail BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_mail()`.execute(db);
    } else {
      await sql`CREATE TRIGGER refuse_mail BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'mail store down'); END`.execute(db);
    }
    const failed = await asAgent('POST', `/v1/admin/users/${user.id}/recovery-codes`, { ticket: 'T', reason: 'try' });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain('mail store down');
    expect(await count('admin.recovery_codes_regenerated')).toBe(0);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant: appTenant, email: user.email, password: user.password } });
    // The old recovery codes still work: the regeneration did not happen.
    expect(
      (
        await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
          body: { method: 'recovery_code', code: user.recoveryCodes[0] },
        })
      ).status,
    ).toBe(200);
    await sql`DROP TRIGGER refuse_mail${sql.raw(dialect === 'postgres' ? ' ON messages' : '')}`.execute(db);

    const ok = await asAgent('POST', `/v1/admin/users/${user.id}/recovery-codes`, { ticket: 'T', reason: 'try again' });
    expect(ok.status).toBe(200);
    expect(await count('admin.recovery_codes_regenerated')).toBe(1);
  });
});
