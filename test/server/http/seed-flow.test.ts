import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { appCode, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Seed 000, end to end over HTTP: enroll with an authenticator app, save the recovery code, sign in
 * with an app code, remember the device, sign in without a code on it, lose the phone, sign in with
 * the recovery code, generate new recovery codes (the old ones die).
 */
describe.each(dialects)('the seed 000 flow on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  it('runs from enrollment to a regenerated recovery code', async () => {
    const tenant = await server.addTenant();
    const { email, password } = await server.addUser(tenant);

    // 1. Password first: MFA is mandatory, so the answer is an enrollment token, not a session.
    const first = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'enrollment_required', methods: ['totp'] });
    const enrollmentToken = String(first.body.enrollmentToken);
    // An enrollment token is not a session.
    expect((await server.call('GET', '/v1/me', { token: enrollmentToken })).status).toBe(401);

    // 2. QR code and secret.
    const started = await server.call<{ secret: string; otpauthUri: string; qrSvg: string }>('POST', '/v1/enroll/totp', {
      token: enrollmentToken,
    });
    expect(started.status).toBe(200);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes in base32
    expect(started.body.otpauthUri).toContain(`secret=${started.body.secret}`);
    expect(started.body.qrSvg).toMatch(/^<svg/);

    // Finishing before confirming a code is refused.
    expect(
      (await server.call('POST', '/v1/enroll/complete', { token: enrollmentToken, body: { recoveryCodesSaved: true } })).body.error,
    ).toBe('enrollment_incomplete');
    // A wrong code does not confirm.
    const wrong = await server.call('POST', '/v1/enroll/totp/confirm', {
      token: enrollmentToken,
      body: { code: '000000' === appCode(started.body.secret, server.clock) ? '111111' : '000000' },
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code' } });

    // 3. Confirm with the app's code: recovery codes, shown once.
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
      token: enrollmentToken,
      body: { code: appCode(started.body.secret, server.clock) },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    const [savedRecoveryCode] = confirmed.body.recoveryCodes;

    // 4. Saving them must be acknowledged: `false` is not accepted.
    expect((await server.call('POST', '/v1/enroll/complete', { token: enrollmentToken, body: { recoveryCodesSaved: false } })).status).toBe(
      400,
    );
    const completed = await server.call('POST', '/v1/enroll/complete', { token: enrollmentToken, body: { recoveryCodesSaved: true } });
    expect(completed.status).toBe(200);
    const me = await server.call('GET', '/v1/me', { token: String(completed.body.sessionToken) });
    expect(me.body).toMatchObject({ user: { email, mfaEnrolled: true }, recoveryCodesLeft: 10, factors: [{ type: 'totp' }] });
    server.clock.advance(30_000);

    // 5. Next sign-in: password, then the app code, and "remember this device for 30 days".
    const second = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
    expect(second.body).toMatchObject({ status: 'mfa_required', methods: ['totp', 'recovery_code'], preferred: 'totp', attemptsLeft: 5 });
    const verified = await server.call('POST', `/v1/auth/challenges/${second.body.challengeId}/verify`, {
      body: { method: 'totp', code: appCode(started.body.secret, server.clock), rememberDevice: true },
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'authenticated' });
    const deviceToken = String(verified.body.deviceToken);
    expect(deviceToken.length).toBeGreaterThan(30);

    // 6. On that device, no code is asked for 30 days...
    server.clock.advance(29 * 24 * 3600_000);
    const remembered = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password, deviceToken } });
    expect(remembered.body).toMatchObject({ status: 'authenticated', user: { email } });
    const devices = await server.call<{ devices: Array<{ label: string }> }>('GET', '/v1/me/devices', {
      token: String(remembered.body.sessionToken),
    });
    expect(devices.body.devices).toEqual([expect.objectContaining({ label: 'Firefox on Linux' })]);
    // ...and after 30 days it is asked again.
    server.clock.advance(2 * 24 * 3600_000);
    expect((await server.call('POST', '/v1/auth/login', { body: { tenant, email, password, deviceToken } })).body.status).toBe(
      'mfa_required',
    );

    // 7. The phone is lost: sign in with the saved recovery code, on a new device.
    const lost = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
    const recovered = await server.call('POST', `/v1/auth/challenges/${lost.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: savedRecoveryCode!.toLowerCase() },
    });
    expect(recovered).toMatchObject({ status: 200, body: { status: 'authenticated' } });
    const session = String(recovered.body.sessionToken);
    expect((await server.call('GET', '/v1/me', { token: session })).body.recoveryCodesLeft).toBe(9);

    // The used code is spent.
    const again = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
    const reused = await server.call('POST', `/v1/auth/challenges/${again.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: savedRecoveryCode },
    });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsLeft: 4 } });

    // 8. Generate new recovery codes from the profile (the recovery-code sign-in is a fresh second factor).
    const regenerated = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/me/recovery-codes', { token: session });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    expect(regenerated.body.recoveryCodes).not.toContain(confirmed.body.recoveryCodes[1]);

    // The old batch is dead, the new one works.
    const old = await server.call('POST', `/v1/auth/challenges/${again.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: confirmed.body.recoveryCodes[1] },
    });
    expect(old.body.error).toBe('invalid_code');
    const fresh = await server.call('POST', `/v1/auth/challenges/${again.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: regenerated.body.recoveryCodes[0] },
    });
    expect(fresh.body.status).toBe('authenticated');

    // The audit trail tells the story.
    const actions = (await server.ctx.store.db.selectFrom('audit_events').select('action').orderBy('at').execute()).map((e) => e.action);
    for (const action of [
      'enrollment.totp_started',
      'enrollment.totp_confirmed',
      'enrollment.completed',
      'device.remembered',
      'recovery_code.used',
      'recovery_codes.regenerated',
      'code.failed',
      'login.succeeded',
    ]) {
      expect(actions).toContain(action);
    }
  });
});
