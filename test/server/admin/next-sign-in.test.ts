import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSignInView, type NextSignInView } from '../../../src/shared/api/admin.js';
import { HOUR, MINUTE } from '../../../src/server/clock.js';
import { lockAccount } from '../../../src/server/store/repositories/lockouts.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { appCode, enrollUser, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * `nextSignIn` on the user detail page: what support tells the user will happen. Each state is made
 * through the end-user API where it can be, and where it matters the real sign-in is asked too, so the
 * view and the flow are seen to agree.
 */
describe.each(dialects)('next sign-in on %s', (dialect) => {
  let server: TestServer;
  let agent: SignedInOperator;
  let agentSince = 0;
  beforeAll(async () => {
    server = await startTestServer(dialect, { trustProxy: 1 });
  });
  afterAll(() => server.close());

  const office = '198.51.100.10';
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const login = (tenant: string, user: { email: string; password: string }, ip = office, deviceToken?: string) =>
    server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password, ...(deviceToken ? { deviceToken } : {}) },
      headers: from(ip),
    });
  const requestSms = (challengeId: unknown, ip = office) =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/sms`, { headers: from(ip) });
  const verify = (challengeId: unknown, body: Record<string, unknown>, ip = office) =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body, headers: from(ip) });

  /** Signs in with an SMS code from `ip`: the IP is trusted afterwards (seed 003). */
  async function signInBySms(tenant: string, user: { email: string; password: string }, phone: string, ip = office): Promise<string> {
    const challenge = await login(tenant, user, ip);
    expect(challenge.body.status).toBe('mfa_required');
    await requestSms(challenge.body.challengeId, ip);
    const done = await verify(challenge.body.challengeId, { method: 'sms', code: lastSmsCode(server, phone) }, ip);
    expect(done.status).toBe(200);
    return String(done.body.sessionToken);
  }

  /** A support agent's access token; the tests move the clock by days, past its 15 minutes. */
  async function agentToken(): Promise<string> {
    if (!agent || server.clock.now() - agentSince > 10 * MINUTE) {
      agent = await signedInOperator(server, 'support');
      agentSince = server.clock.now();
    }
    return agent.accessToken;
  }

  /** The view, as the console reads it: parsed with the shared schema. */
  async function nextSignIn(userId: string): Promise<NextSignInView> {
    const detail = await server.call<{ nextSignIn: unknown }>('GET', `/v1/admin/users/${userId}`, { token: await agentToken() });
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    return nextSignInView.parse(detail.body.nextSignIn);
  }

  const tenantId = async (slug: string) =>
    (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  const later = (ms: number) => new Date(server.clock.now() + ms).toISOString();

  it('SMS: 20 codes leave none to ask for, the 21st request locks (a new code afterwards), and the day ends at midnight in the tenant zone', async () => {
    const tenant = await server.addTenant({ timeZone: 'Europe/Oslo' }, 'sms');
    const phone = '+4798888801';
    const user = await server.addUser(tenant, undefined, { phone });
    // Oslo is UTC+1 in November: its next midnight is 23:00 UTC, not the UTC one.
    const midnightInOslo = new Date(server.clock.now());
    midnightInOslo.setUTCHours(23, 0, 0, 0);
    if (midnightInOslo.getTime() <= server.clock.now()) midnightInOslo.setUTCDate(midnightInOslo.getUTCDate() + 1);
    expect(await nextSignIn(user.id)).toEqual({
      refused: null,
      passwordWaitUntil: null,
      enroll: null,
      newPlace: {
        method: 'sms',
        alternatives: [],
        phoneHint: '+47 •••••801',
        sms: { left: 20, limit: 20, resetsAt: midnightInOslo.toISOString() },
      },
      trustedIps: 0,
      rememberedDevices: 0,
      passwordOnly: false,
    });

    const challenge = (await login(tenant, user)).body.challengeId;
    for (let i = 0; i < 20; i++) expect((await requestSms(challenge)).status).toBe(202);
    // None left: asking for one more is what locks, so SMS is no way in now, and the user has no other.
    expect((await nextSignIn(user.id)).newPlace).toMatchObject({ method: null, alternatives: [], sms: { left: 0, limit: 20 } });
    expect((await nextSignIn(user.id)).refused).toBeNull();

    expect((await requestSms(challenge)).status).toBe(423);
    expect((await nextSignIn(user.id)).refused).toEqual({
      reason: 'locked',
      lockoutReason: 'sms_daily_limit',
      until: later(24 * HOUR),
      afterwards: 'request_new_code',
    });
    expect((await login(tenant, user)).status).toBe(423);

    server.clock.advance(24 * HOUR);
    const after = await nextSignIn(user.id);
    expect(after.refused).toBeNull();
    expect(after.newPlace).toMatchObject({ method: 'sms', sms: { left: 20 } });
    const again = await login(tenant, user);
    expect((await requestSms(again.body.challengeId)).status).toBe(202);
  });

  it('a code sign-in trusts the IP; a password change forgets the trusted IPs', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const phone = '+4798888802';
    const user = await server.addUser(tenant, undefined, { phone });
    expect((await nextSignIn(user.id)).trustedIps).toBe(0);
    await signInBySms(tenant, user, phone, '198.51.100.11');
    const session = await signInBySms(tenant, user, phone, office);
    expect((await nextSignIn(user.id)).trustedIps).toBe(2);
    expect((await login(tenant, user, office)).body.status).toBe('authenticated');

    const newPassword = 'a much better passphrase';
    const changed = await server.call('POST', '/v1/me/password', {
      token: session,
      body: { currentPassword: user.password, newPassword },
      headers: from(office),
    });
    expect(changed.status).toBe(200);
    expect((await nextSignIn(user.id)).trustedIps).toBe(0);
    expect((await login(tenant, { email: user.email, password: newPassword }, office)).body.status).toBe('mfa_required');
  });

  it('a trust older than the last password change does not count', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const phone = '+4798888803';
    const user = await server.addUser(tenant, undefined, { phone });
    await signInBySms(tenant, user, phone);
    expect((await nextSignIn(user.id)).trustedIps).toBe(1);
    // A password set by a path that keeps the trust rows: the rule itself must leave them out.
    server.clock.advance(1000);
    await server.ctx.store.db.updateTable('users').set({ password_changed_at: server.clock.now() }).where('id', '=', user.id).execute();
    expect((await nextSignIn(user.id)).trustedIps).toBe(0);
    expect((await login(tenant, user)).body.status).toBe('mfa_required');
  });

  it('wrong passwords from elsewhere make the trusted IPs ask for the code, until a sign-in completes', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const phone = '+4798888804';
    const user = await server.addUser(tenant, undefined, { phone });
    await signInBySms(tenant, user, phone);
    for (let i = 0; i < 3; i++) expect((await login(tenant, { email: user.email, password: 'a guess' }, '203.0.113.9')).status).toBe(401);
    const view = await nextSignIn(user.id);
    expect(view.trustedIps).toBe(0);
    // Three wrong tries are within the free ones: no wait.
    expect(view.passwordWaitUntil).toBeNull();
    expect((await login(tenant, user)).body.status).toBe('mfa_required');

    await signInBySms(tenant, user, phone);
    expect((await nextSignIn(user.id)).trustedIps).toBe(1);
  });

  it('a user without a second factor is asked to set up one of the tenant methods, in its order', async () => {
    const appTenant = await server.addTenant({}, 'app');
    const appUser = await server.addUser(appTenant);
    expect(await nextSignIn(appUser.id)).toEqual({
      refused: null,
      passwordWaitUntil: null,
      enroll: ['totp'],
      newPlace: null,
      trustedIps: null,
      rememberedDevices: 0,
      passwordOnly: false,
    });
    expect((await login(appTenant, appUser)).body).toMatchObject({ status: 'enrollment_required', methods: ['totp'] });

    const smsTenant = await server.addTenant({}, 'sms');
    const smsUser = await server.addUser(smsTenant);
    expect(await nextSignIn(smsUser.id)).toMatchObject({ enroll: ['sms', 'totp'], newPlace: null, trustedIps: 0 });

    // Where MFA is optional the password alone signs them in: nothing to set up is asked.
    const optional = await server.addTenant({ mfaRequired: false }, 'app');
    const optionalUser = await server.addUser(optional);
    expect(await nextSignIn(optionalUser.id)).toMatchObject({ enroll: null, newPlace: null, passwordOnly: true });
    expect((await login(optional, optionalUser)).body.status).toBe('authenticated');
  });

  it('an app user: the authenticator first, recovery codes while some are left; remembered devices while they are honoured', async () => {
    const tenant = await server.addTenant({}, 'app');
    const user = await enrollUser(server, tenant);
    expect(await nextSignIn(user.id)).toEqual({
      refused: null,
      passwordWaitUntil: null,
      enroll: null,
      newPlace: { method: 'totp', alternatives: ['recovery_code'], phoneHint: null, sms: null },
      trustedIps: null,
      rememberedDevices: 0,
      passwordOnly: false,
    });

    const challenge = await login(tenant, user);
    const remembered = await verify(challenge.body.challengeId, {
      method: 'totp',
      code: appCode(user.secret, server.clock),
      rememberDevice: true,
    });
    const deviceToken = String(remembered.body.deviceToken);
    expect((await nextSignIn(user.id)).rememberedDevices).toBe(1);
    expect((await login(tenant, user, office, deviceToken)).body.status).toBe('authenticated');

    // Wrong passwords on the device itself: its next right password may be a guess, so the code is asked there.
    for (let i = 0; i < 3; i++)
      expect((await login(tenant, { email: user.email, password: 'a guess' }, office, deviceToken)).status).toBe(401);
    expect((await nextSignIn(user.id)).rememberedDevices).toBe(0);
    const asked = await login(tenant, user, office, deviceToken);
    expect(asked.body.status).toBe('mfa_required');
    server.clock.advance(30_000);
    expect((await verify(asked.body.challengeId, { method: 'totp', code: appCode(user.secret, server.clock) })).status).toBe(200);
    expect((await nextSignIn(user.id)).rememberedDevices).toBe(1);

    // The tenant stops remembering devices: those remembered before are not honoured either.
    const id = await tenantId(tenant);
    const stored = await server.ctx.store.db.selectFrom('tenants').select('policy').where('id', '=', id).executeTakeFirstOrThrow();
    await server.ctx.store.db
      .updateTable('tenants')
      .set({ policy: JSON.stringify({ ...JSON.parse(stored.policy), rememberDeviceDays: 0 }) })
      .where('id', '=', id)
      .execute();
    expect((await nextSignIn(user.id)).rememberedDevices).toBe(0);
    expect((await login(tenant, user, office, deviceToken)).body.status).toBe('mfa_required');

    await server.ctx.store.db.updateTable('recovery_codes').set({ used_at: server.clock.now() }).where('user_id', '=', user.id).execute();
    expect((await nextSignIn(user.id)).newPlace).toMatchObject({ method: 'totp', alternatives: [] });
  });

  it('SMS to a country the tenant does not text is no way in', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, undefined, { phone: '+4798888805' });
    const id = await tenantId(tenant);
    const stored = await server.ctx.store.db.selectFrom('tenants').select('policy').where('id', '=', id).executeTakeFirstOrThrow();
    await server.ctx.store.db
      .updateTable('tenants')
      .set({ policy: JSON.stringify({ ...JSON.parse(stored.policy), smsAllowedCountryCodes: ['46'] }) })
      .where('id', '=', id)
      .execute();
    expect((await nextSignIn(user.id)).newPlace).toMatchObject({ method: null, alternatives: [], sms: { left: 20 } });
    const challenge = await login(tenant, user);
    expect((await requestSms(challenge.body.challengeId)).body.error).toBe('sms_country_not_allowed');
  });

  it('wrong codes lock (codes again afterwards), an administrator lock needs support, and a disabled account comes first', async () => {
    const tenant = await server.addTenant({ maxFailedCodes: 3 }, 'app');
    const user = await enrollUser(server, tenant);
    const challenge = await login(tenant, user);
    for (let i = 0; i < 3; i++) await verify(challenge.body.challengeId, { method: 'totp', code: '000000' });
    expect((await nextSignIn(user.id)).refused).toEqual({
      reason: 'locked',
      lockoutReason: 'failed_codes',
      until: later(24 * HOUR),
      afterwards: 'enter_code',
    });
    expect((await login(tenant, user)).status).toBe(423);

    await server.ctx.store.db.updateTable('users').set({ disabled_at: server.clock.now() }).where('id', '=', user.id).execute();
    expect((await nextSignIn(user.id)).refused).toEqual({ reason: 'disabled' });
    expect((await login(tenant, user)).body.error).toBe('invalid_credentials');

    // No route locks by hand yet; the lockout table allows it.
    const other = await enrollUser(server, tenant);
    await lockAccount(
      server.ctx.store.db,
      { userId: other.id, tenantId: await tenantId(tenant), reason: 'admin', hours: 72, ip: null },
      server.clock.now(),
    );
    expect((await nextSignIn(other.id)).refused).toEqual({
      reason: 'locked',
      lockoutReason: 'admin',
      until: later(72 * HOUR),
      afterwards: 'contact_support',
    });
  });

  it('wrong passwords from new places: a wait, then, with every try used, a refusal until support unlocks', async () => {
    const tenant = await server.addTenant({ passwordFreeFailures: 1, passwordMaxFailures: 3 }, 'app');
    const user = await enrollUser(server, tenant);
    const guess = { email: user.email, password: 'a guess' };
    expect((await login(tenant, guess, '203.0.113.20')).status).toBe(401);
    // Past the free try, the next waits 1 s, from any new place.
    expect(await nextSignIn(user.id)).toMatchObject({ refused: null, passwordWaitUntil: later(1000) });
    expect((await login(tenant, user, '203.0.113.21')).status).toBe(429);

    server.clock.advance(1000);
    expect((await nextSignIn(user.id)).passwordWaitUntil).toBeNull();
    expect((await login(tenant, guess, '203.0.113.20')).status).toBe(401);
    server.clock.advance(2000);
    expect((await login(tenant, guess, '203.0.113.20')).status).toBe(401);
    expect(await nextSignIn(user.id)).toMatchObject({
      refused: { reason: 'password_attempts', failedPasswords: 3 },
      passwordWaitUntil: null,
    });
    expect((await login(tenant, user, '203.0.113.22')).body.error).toBe('too_many_attempts');

    const unlocked = await server.call('POST', `/v1/admin/users/${user.id}/unlock`, {
      token: await agentToken(),
      body: { ticket: 'INC-9', reason: 'Identity confirmed by phone' },
    });
    expect(unlocked.status).toBe(200);
    expect((await nextSignIn(user.id)).refused).toBeNull();
    expect((await login(tenant, user, '203.0.113.22')).body.status).toBe('mfa_required');
  });

  it('answers a malformed user id with the field at fault', async () => {
    const answer = await server.call('GET', `/v1/admin/users/${'x'.repeat(65)}`, { token: await agentToken() });
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request', issues: [expect.objectContaining({ path: 'id' })] } });
  });
});
