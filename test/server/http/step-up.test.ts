import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/server/clock.js';
import { dialects } from '../../support/databases.js';
import { appCode, enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('step-up and self-service on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant();
  });
  afterAll(() => server.close());

  async function rememberedSession() {
    const user = await enrollUser(server, tenant);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const verified = await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
      body: { method: 'totp', code: appCode(user.secret, server.clock), rememberDevice: true },
    });
    server.clock.advance(30_000);
    const onDevice = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password, deviceToken: verified.body.deviceToken },
    });
    expect(onDevice.body.status).toBe('authenticated');
    return { user, deviceToken: String(verified.body.deviceToken), session: String(onDevice.body.sessionToken) };
  }

  it('asks for the bank scope even on a remembered device, and grants it after a code', async () => {
    const { user, session } = await rememberedSession();
    const denied = await server.call('GET', '/v1/me/scopes/bank', { token: session });
    expect(denied).toMatchObject({ status: 403, body: { error: 'step_up_required', scope: 'bank', methods: ['totp', 'recovery_code'] } });

    const stepUp = await server.call('POST', '/v1/me/step-up', { token: session, body: { scope: 'bank' } });
    expect(stepUp.body.status).toBe('challenge');
    const verified = await server.call('POST', `/v1/auth/challenges/${stepUp.body.challengeId}/verify`, {
      body: { method: 'totp', code: appCode(user.secret, server.clock) },
    });
    expect(verified.body).toMatchObject({ status: 'authenticated', scope: 'bank' });
    const raised = String(verified.body.sessionToken);

    // The session was rotated: the old token is dead, the new one carries the scope for 15 minutes.
    expect((await server.call('GET', '/v1/me', { token: session })).status).toBe(401);
    expect(await server.call('GET', '/v1/me/scopes/bank', { token: raised })).toMatchObject({ status: 200, body: { granted: true } });
    expect((await server.call('POST', '/v1/me/step-up', { token: raised, body: { scope: 'bank' } })).body.status).toBe('granted');
    server.clock.advance(15 * MINUTE + 1);
    expect((await server.call('GET', '/v1/me/scopes/bank', { token: raised })).status).toBe(403);
  });

  it('needs a fresh second factor to change the password, then forgets devices and other sessions', async () => {
    const { user, deviceToken, session } = await rememberedSession();
    const body = { currentPassword: user.password, newPassword: 'a brand new passphrase' };
    const refused = await server.call('POST', '/v1/me/password', { token: session, body });
    expect(refused).toMatchObject({ status: 403, body: { error: 'step_up_required' } });

    const verified = await server.call('POST', `/v1/auth/challenges/${refused.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: user.recoveryCodes[3] },
    });
    const fresh = String(verified.body.sessionToken);
    expect(
      (await server.call('POST', '/v1/me/password', { token: fresh, body: { ...body, currentPassword: 'wrong password!' } })).status,
    ).toBe(401);
    expect((await server.call('POST', '/v1/me/password', { token: fresh, body: { ...body, newPassword: 'short' } })).status).toBe(400);
    expect(await server.call('POST', '/v1/me/password', { token: fresh, body })).toMatchObject({ status: 200, body: { ok: true } });

    // The old password is gone, the device is forgotten: a code is asked again.
    expect((await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } })).status).toBe(
      401,
    );
    const next = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: body.newPassword, deviceToken },
    });
    expect(next.body.status).toBe('mfa_required');
    expect((await server.call('GET', '/v1/me', { token: user.sessionToken })).status).toBe(401);
  });

  it('needs a fresh second factor to regenerate recovery codes', async () => {
    const { session } = await rememberedSession();
    expect((await server.call('POST', '/v1/me/recovery-codes', { token: session })).body.error).toBe('step_up_required');
  });

  it('lists, forgets and logs out', async () => {
    const { user, deviceToken, session } = await rememberedSession();
    const { body } = await server.call<{ devices: Array<{ id: string }> }>('GET', '/v1/me/devices', { token: session });
    expect(body.devices).toHaveLength(1);
    expect((await server.call('DELETE', '/v1/me/devices/not-a-device', { token: session })).status).toBe(404);
    expect((await server.call('DELETE', `/v1/me/devices/${body.devices[0]!.id}`, { token: session })).status).toBe(200);
    expect(
      (await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password, deviceToken } })).body
        .status,
    ).toBe('mfa_required');
    expect((await server.call('POST', '/v1/auth/logout', { token: session })).status).toBe(200);
    expect((await server.call('GET', '/v1/me', { token: session })).status).toBe(401);
  });
});
