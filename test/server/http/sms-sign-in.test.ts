import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/server/clock.js';
import { dialects } from '../../support/databases.js';
import { lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

const PHONE = '+4791234567';

/** Seed 003, over HTTP: SMS sign-in codes, the 20-a-day limit and its 24-hour lock, the IP rule. */
describe.each(dialects)('SMS sign-in on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect, { trustProxy: 1 });
    tenant = await server.addTenant({}, 'sms');
  });
  afterAll(() => server.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const login = (user: { email: string; password: string }, ip = '198.51.100.1') =>
    server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password }, headers: from(ip) });
  const sms = (challengeId: unknown, ip = '198.51.100.1') =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/sms`, { headers: from(ip) });
  const verify = (challengeId: unknown, code: string, ip = '198.51.100.1') =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method: 'sms', code }, headers: from(ip) });

  it('signs in with an SMS code, then asks again only from a new IP', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+47 912 34 567' });
    const first = await login(user);
    expect(first.body).toMatchObject({
      status: 'mfa_required',
      methods: ['sms'],
      preferred: 'sms',
      phoneHint: '+47 •••••567',
      smsRemainingToday: 20,
    });
    const sent = await sms(first.body.challengeId);
    expect(sent).toMatchObject({ status: 202, body: { sentTo: '+47 •••••567', remainingToday: 19 } });
    const message = server.outbox().at(-1)!;
    expect(message).toMatchObject({ channel: 'sms', to: PHONE, template: 'sms_login_code', locale: 'en' });
    expect(message.text).toMatch(/^Tenant \d+: your sign-in code is \d{6}\. It expires in 10 minutes/);
    expect(await verify(first.body.challengeId, lastSmsCode(server, PHONE))).toMatchObject({
      status: 200,
      body: { status: 'authenticated' },
    });

    // Same IP: the password alone.
    expect((await login(user)).body).toMatchObject({ status: 'authenticated' });
    // A new IP: the second factor again.
    const elsewhere = await login(user, '203.0.113.7');
    expect(elsewhere.body.status).toBe('mfa_required');
    await sms(elsewhere.body.challengeId, '203.0.113.7');
    expect((await verify(elsewhere.body.challengeId, lastSmsCode(server, PHONE), '203.0.113.7')).status).toBe(200);
    expect((await login(user, '203.0.113.7')).body.status).toBe('authenticated');
  });

  it('asks again after a password change, even from a trusted IP', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+4791234568' });
    const first = await login(user);
    await sms(first.body.challengeId);
    const session = String((await verify(first.body.challengeId, lastSmsCode(server, '+4791234568'))).body.sessionToken);
    const newPassword = 'a much better passphrase';
    expect(
      (
        await server.call('POST', '/v1/me/password', {
          token: session,
          body: { currentPassword: user.password, newPassword },
          headers: from('198.51.100.1'),
        })
      ).status,
    ).toBe(200);
    expect((await login({ email: user.email, password: newPassword })).body.status).toBe('mfa_required');
  });

  it('sends 20 codes a day; the 21st request locks the account for 24 hours; then a new code can be requested', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+4791234569' });
    const challenge = (await login(user)).body.challengeId;
    for (let i = 1; i <= 20; i++) expect((await sms(challenge)).body.remainingToday).toBe(20 - i);
    const locked = await sms(challenge);
    expect(locked).toMatchObject({
      status: 423,
      body: { error: 'account_locked', reason: 'sms_daily_limit', lockedUntil: new Date(server.clock.now() + 24 * HOUR).toISOString() },
    });
    expect((await sms(challenge)).status).toBe(423);
    expect((await login(user)).status).toBe(423);
    expect(server.outbox().filter((m) => m.to === '+4791234569')).toHaveLength(20);
    const lockouts = await server.ctx.store.db.selectFrom('lockouts').selectAll().where('user_id', '=', user.id).execute();
    expect(lockouts).toEqual([expect.objectContaining({ reason: 'sms_daily_limit' })]);

    server.clock.advance(24 * HOUR);
    const after = await login(user);
    expect(after.body).toMatchObject({ status: 'mfa_required', smsRemainingToday: 20 });
    expect((await sms(after.body.challengeId)).status).toBe(202);
  });

  it('after a lock shorter than the rest of the day, a new code can be requested the same day', async () => {
    const shortLock = await server.addTenant({ lockoutHours: 2 }, 'sms');
    const user = await server.addUser(shortLock, undefined, { phone: '+4791234574' });
    const signIn = () =>
      server.call('POST', '/v1/auth/login', {
        body: { tenant: shortLock, email: user.email, password: user.password },
        headers: from('198.51.100.7'),
      });
    const challenge = (await signIn()).body.challengeId;
    for (let i = 0; i < 20; i++) await sms(challenge, '198.51.100.7');
    expect((await sms(challenge, '198.51.100.7')).status).toBe(423);
    const lockedDay = new Date(server.clock.now()).toISOString().slice(0, 10);
    server.clock.advance(2 * HOUR + 1000);
    const after = await signIn();
    expect(after.body).toMatchObject({ status: 'mfa_required', smsRemainingToday: 20 });
    expect((await sms(after.body.challengeId, '198.51.100.7')).status).toBe(202);
    // The same calendar day (the test clock runs from 09:00 UTC): the lock's end, not a new day, allowed it.
    expect(new Date(server.clock.now()).toISOString().slice(0, 10)).toBe(lockedDay);
    expect(server.outbox().filter((m) => m.to === '+4791234574')).toHaveLength(21);
  });

  it('resets the daily count after every successful sign-in', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+4791234570' });
    const first = await login(user, '192.0.2.1');
    for (let i = 0; i < 15; i++) await sms(first.body.challengeId, '192.0.2.1');
    expect((await verify(first.body.challengeId, lastSmsCode(server, '+4791234570'), '192.0.2.1')).status).toBe(200);
    const next = await login(user, '192.0.2.2');
    expect(next.body.smsRemainingToday).toBe(20);
    for (let i = 0; i < 20; i++) expect((await sms(next.body.challengeId, '192.0.2.2')).status).toBe(202);
  });

  it('resends (the older code dies) and switches method on the same challenge', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+4791234571' });
    const { body } = await login(user, '192.0.2.10');
    await sms(body.challengeId, '192.0.2.10');
    const firstCode = lastSmsCode(server, '+4791234571');
    await sms(body.challengeId, '192.0.2.10');
    const secondCode = lastSmsCode(server, '+4791234571');
    if (firstCode !== secondCode) expect((await verify(body.challengeId, firstCode, '192.0.2.10')).body.error).toBe('invalid_code');
    // Switching to a method the account lacks is a clear refusal; the challenge stays usable.
    const wrongMethod = await server.call('POST', `/v1/auth/challenges/${body.challengeId}/verify`, {
      body: { method: 'totp', code: '123456' },
      headers: from('192.0.2.10'),
    });
    expect(wrongMethod).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await verify(body.challengeId, secondCode, '192.0.2.10')).status).toBe(200);
  });

  it('believes one hop only: a forged left-most X-Forwarded-For entry does not pass for a trusted IP', async () => {
    const user = await server.addUser(tenant, undefined, { phone: '+4791234573' });
    const first = await login(user, '192.0.2.20');
    await sms(first.body.challengeId, '192.0.2.20');
    expect((await verify(first.body.challengeId, lastSmsCode(server, '+4791234573'), '192.0.2.20')).status).toBe(200);
    const trusted = await login(user, '192.0.2.20');
    expect(trusted.body.status).toBe('authenticated');
    // A session from the password alone cannot add its own authenticator app (and so new recovery codes).
    const addApp = await server.call('POST', '/v1/enroll/totp', { token: String(trusted.body.sessionToken), headers: from('192.0.2.20') });
    expect(addApp).toMatchObject({ status: 403, body: { error: 'step_up_required' } });
    // An attacker with the password writes the victim's known IP; the load balancer appends the real one.
    const forged = await login(user, '192.0.2.20, 203.0.113.66');
    expect(forged.body.status).toBe('mfa_required');
  });

  it('takes the client IP from X-Forwarded-For only when TRUST_PROXY is set', async () => {
    const direct = await startTestServer(dialect);
    try {
      const t = await direct.addTenant({}, 'sms');
      const user = await direct.addUser(t, undefined, { phone: '+4791234572' });
      const first = await direct.call('POST', '/v1/auth/login', {
        body: { tenant: t, email: user.email, password: user.password },
        headers: from('203.0.113.50'),
      });
      await direct.call('POST', `/v1/auth/challenges/${first.body.challengeId}/sms`);
      await direct.call('POST', `/v1/auth/challenges/${first.body.challengeId}/verify`, {
        body: { method: 'sms', code: lastSmsCode(direct, '+4791234572') },
      });
      // A forged header does not make a new IP: the socket address (127.0.0.1) is the one trusted.
      const again = await direct.call('POST', '/v1/auth/login', {
        body: { tenant: t, email: user.email, password: user.password },
        headers: from('203.0.113.99'),
      });
      expect(again.body.status).toBe('authenticated');
    } finally {
      await direct.close();
    }
  });

  it("writes the SMS in the user's language", async () => {
    const nb = await server.addUser(tenant, undefined, { phone: '+4791234573', locale: 'nb' });
    const de = await server.addUser(tenant, undefined, { phone: '+4915112345678', locale: 'de' });
    await sms((await login(nb, '192.0.2.20')).body.challengeId, '192.0.2.20');
    expect(server.outbox().at(-1)!.text).toMatch(/innloggingskoden din er \d{6}/);
    await sms((await login(de, '192.0.2.21')).body.challengeId, '192.0.2.21');
    expect(server.outbox().at(-1)!.text).toMatch(/Ihr Anmeldecode lautet \d{6}/);
  });
});
