import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRecoveryCode } from '../../../src/server/factors/recovery-codes/recovery-codes.js';
import { findUserById } from '../../../src/server/store/repositories/users.js';
import { dialects } from '../../support/databases.js';
import { appCode, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Enrollment's last step with both factors of an sms tenant (SMS and the app): whichever was
 * confirmed last, the codes shown last go live and the earlier ones never work; an app enrollment
 * started again drops the codes its first confirmation showed.
 */
describe.each(dialects)('completing an enrollment on %s', (dialect) => {
  let server: TestServer;
  let phones = 0;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  async function enrollmentToken(tenant: string) {
    const user = await server.addUser(tenant);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(login.body).toMatchObject({ status: 'enrollment_required' });
    return { id: user.id, token: String(login.body.enrollmentToken) };
  }
  async function confirmPhone(token: string): Promise<string[]> {
    const phone = `+474123${String(4000 + phones++).padStart(4, '0')}`;
    expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone } })).status).toBe(202);
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/phone/confirm', {
      token,
      body: { code: lastSmsCode(server, phone) },
    });
    expect(confirmed.status).toBe(200);
    return confirmed.body.recoveryCodes;
  }
  async function startApp(token: string): Promise<string> {
    return (await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token })).body.secret;
  }
  async function confirmApp(token: string, secret: string): Promise<string[]> {
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
      token,
      body: { code: appCode(secret, server.clock) },
    });
    expect(confirmed.status).toBe(200);
    return confirmed.body.recoveryCodes;
  }
  async function liveCodes(userId: string, codes: string[]): Promise<boolean[]> {
    const user = (await findUserById(server.ctx.store.db, userId))!;
    const live = await server.ctx.store.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('batch_id', '=', user.recovery_batch_id ?? '')
      .execute();
    const hashes = new Set(live.map((r) => r.code_hash));
    return codes.map((c) => hashes.has(hashRecoveryCode(c)));
  }
  const complete = (token: string) => server.call('POST', '/v1/enroll/complete', { token, body: { recoveryCodesSaved: true } });

  it('the phone, then the app: the app is the factor, and the codes shown with it are the ones that work', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const { id, token } = await enrollmentToken(tenant);
    const phoneCodes = await confirmPhone(token);
    const appCodes = await confirmApp(token, await startApp(token));
    const done = await complete(token);
    expect(done.status).toBe(200);
    expect(await liveCodes(id, [appCodes[0]!, phoneCodes[0]!])).toEqual([true, false]);
    const me = await server.call('GET', '/v1/me', { token: String(done.body.sessionToken) });
    expect((me.body.factors as Array<{ type: string }>).map((f) => f.type)).toEqual(['totp', 'sms']);
    const event = await server.ctx.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('user_id', '=', id)
      .where('action', '=', 'enrollment.completed')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.details)).toMatchObject({ method: 'totp' });
  });

  it('the app, then the phone: the phone codes, shown last, are the ones that work', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const { id, token } = await enrollmentToken(tenant);
    const appCodes = await confirmApp(token, await startApp(token));
    const phoneCodes = await confirmPhone(token);
    expect((await complete(token)).status).toBe(200);
    expect(await liveCodes(id, [phoneCodes[0]!, appCodes[0]!])).toEqual([true, false]);
    // A second completion finds nothing pending.
    expect((await complete(token)).status).toBeGreaterThanOrEqual(400);
  });

  it('an app enrollment started again drops the codes of its first confirmation: nothing is left to complete', async () => {
    const tenant = await server.addTenant({}, 'app');
    const { id, token } = await enrollmentToken(tenant);
    await confirmApp(token, await startApp(token));
    expect((await findUserById(server.ctx.store.db, id))!.pending_recovery_factor).toBe('totp');
    await startApp(token);
    expect(await findUserById(server.ctx.store.db, id)).toMatchObject({ pending_recovery_batch_id: null, pending_recovery_factor: null });
    expect(await complete(token)).toMatchObject({ status: 409, body: { error: 'enrollment_incomplete' } });
  });
});
