import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('phone enrollment on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  async function enrollmentToken(tenant: string): Promise<{ token: string; email: string; password: string; id: string }> {
    const user = await server.addUser(tenant);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(login.body).toMatchObject({ status: 'enrollment_required', methods: ['sms', 'totp'] });
    return { ...user, token: String(login.body.enrollmentToken) };
  }

  it('verifies the number by SMS, shows recovery codes once, and signs in with SMS after', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const { token, email, password } = await enrollmentToken(tenant);
    const sent = await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+47 412 34 567' } });
    expect(sent).toMatchObject({ status: 202, body: { sentTo: '+47 •••••567', remainingToday: 14 } });
    expect(server.outbox().at(-1)).toMatchObject({ template: 'sms_setup_code', to: '+4741234567' });

    const wrongCode = lastSmsCode(server, '+4741234567') === '000000' ? '111111' : '000000';
    expect(await server.call('POST', '/v1/enroll/phone/confirm', { token, body: { code: wrongCode } })).toMatchObject({
      status: 400,
      body: { error: 'invalid_code', attemptsLeft: 4 },
    });
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/phone/confirm', {
      token,
      body: { code: lastSmsCode(server, '+4741234567') },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    const done = await server.call('POST', '/v1/enroll/complete', { token, body: { recoveryCodesSaved: true } });
    expect(done.status).toBe(200);
    const me = await server.call('GET', '/v1/me', { token: String(done.body.sessionToken) });
    expect(me.body).toMatchObject({ user: { mfaEnrolled: true }, factors: [{ type: 'sms', phoneHint: '+47 •••••567' }] });

    // The enrollment proved the phone from this IP, so this IP is trusted; from elsewhere SMS is asked.
    expect((await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } })).body.status).toBe('authenticated');
    // The number can't be changed here: that goes through support.
    expect(
      (await server.call('POST', '/v1/enroll/phone', { token: String(done.body.sessionToken), body: { phone: '+4741234568' } })).body.error,
    ).toBe('phone_change_via_support');
  });

  it('sends at most 15 setup codes a day; bad numbers are refused and not counted', async () => {
    const tenant = await server.addTenant({ timeZone: 'Europe/Oslo' }, 'sms');
    // 22:50 UTC on 25 November is 23:50 in Oslo: the Oslo day ends at 23:00 UTC.
    server.clock.set(Date.UTC(2026, 10, 25, 22, 50));
    const { token } = await enrollmentToken(tenant);
    for (const phone of ['12345', '+47 22 12 34 56' /* a landline */, '+999 1234567', 'call me']) {
      expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone } })).body.error, phone).toBe('invalid_phone');
    }
    for (let i = 1; i <= 15; i++)
      expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+4741234569' } })).body.remainingToday).toBe(15 - i);
    const refused = await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+4741234569' } });
    expect(refused).toMatchObject({ status: 429, body: { error: 'sms_limit_reached', retryAt: '2026-11-25T23:00:00.000Z' } });
    server.clock.set(Date.UTC(2026, 10, 25, 23, 0, 1));
    expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+4741234569' } })).body.remainingToday).toBe(14);
    server.clock.set(Date.UTC(2026, 10, 25, 9, 0));
  });

  it('refuses countries outside the tenant allow-list (toll-fraud guard), counting nothing', async () => {
    const tenant = await server.addTenant({ smsAllowedCountryCodes: ['47'] }, 'sms');
    const { token, id } = await enrollmentToken(tenant);
    const refused = await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+49 1511 2345678' } });
    expect(refused).toMatchObject({ status: 422, body: { error: 'sms_country_not_allowed', countryCallingCode: '49' } });
    const counters = await server.ctx.store.db.selectFrom('sms_counters').selectAll().where('user_id', '=', id).execute();
    expect(counters).toEqual([]);
    expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '+4741234570' } })).body.remainingToday).toBe(14);
  });
});
