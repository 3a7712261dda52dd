import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneResetLink } from '../../../src/server/factors/sms/phone-reset.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator } from '../../support/operators.js';
import { appCode, enrollUser, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Finding 2 of the outside review: a sign-in challenge opened with the old password could still be
 * completed after the password changed, after support ended all sessions, and after a phone reset.
 * Open challenges die with the sessions.
 */
describe.each(dialects)('open challenges end with the sessions on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  let smsTenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant();
    smsTenant = await server.addTenant({}, 'sms');
  });
  afterAll(() => server.close());

  const login = (t: string, email: string, password: string) =>
    server.call('POST', '/v1/auth/login', { body: { tenant: t, email, password } });
  const verifyTotp = (challengeId: unknown, secret: string) =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method: 'totp', code: appCode(secret, server.clock) } });

  it('after a password change, a challenge opened with the old password cannot be completed', async () => {
    const user = await enrollUser(server, tenant);
    const attacker = await login(tenant, user.email, user.password);
    expect(attacker.body.status).toBe('mfa_required');
    const changed = await server.call('POST', '/v1/me/password', {
      token: user.sessionToken,
      body: { currentPassword: user.password, newPassword: 'the new passphrase 2026' },
    });
    expect(changed.status).toBe(200);
    expect(await verifyTotp(attacker.body.challengeId, user.secret)).toMatchObject({ status: 410, body: { error: 'challenge_expired' } });
    // The user with the new password is fine.
    const fresh = await login(tenant, user.email, 'the new passphrase 2026');
    expect((await verifyTotp(fresh.body.challengeId, user.secret)).status).toBe(200);
  });

  it('after support ends all sessions, an open challenge is dead too', async () => {
    const user = await enrollUser(server, tenant);
    const open = await login(tenant, user.email, user.password);
    const operator = await signedInOperator(server, 'support');
    const revoked = await server.call('POST', `/v1/admin/users/${user.id}/sessions/revoke`, {
      token: operator.accessToken,
      body: { ticket: 'SUP-2', reason: 'caller reports a stolen laptop' },
    });
    expect(revoked.status).toBe(200);
    expect(await verifyTotp(open.body.challengeId, user.secret)).toMatchObject({ status: 410, body: { error: 'challenge_expired' } });
  });

  it('after support resets the authenticator app, an open challenge is dead too', async () => {
    const user = await enrollUser(server, tenant);
    const open = await login(tenant, user.email, user.password);
    const operator = await signedInOperator(server, 'support');
    const reset = await server.call('POST', `/v1/admin/users/${user.id}/totp/reset`, {
      token: operator.accessToken,
      body: { ticket: 'SUP-3', reason: 'phone lost, caller verified' },
    });
    expect(reset.status).toBe(200);
    expect(
      (
        await server.call('POST', `/v1/auth/challenges/${open.body.challengeId}/verify`, {
          body: { method: 'recovery_code', code: user.recoveryCodes[0] },
        })
      ).status,
    ).toBe(410);
  });

  it('a challenge opened before the password changed is refused, whatever path changed it', async () => {
    // The guard behind the sessions' end: a password written by a path that did not end the sessions.
    const user = await enrollUser(server, tenant);
    const open = await login(tenant, user.email, user.password);
    server.clock.advance(1);
    await server.ctx.store.db.updateTable('users').set({ password_changed_at: server.clock.now() }).where('id', '=', user.id).execute();
    expect(await verifyTotp(open.body.challengeId, user.secret)).toMatchObject({ status: 410, body: { error: 'challenge_expired' } });
  });

  it('after a phone reset, an open SMS challenge can neither send nor take a code', async () => {
    const phone = '+4791234001';
    const user = await server.addUser(smsTenant, undefined, { phone });
    const open = await login(smsTenant, user.email, user.password);
    expect((await server.call('POST', `/v1/auth/challenges/${open.body.challengeId}/sms`)).status).toBe(202);
    const code = lastSmsCode(server, phone);

    const sent = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    const token = sent.link.split('/phone-reset/')[1]!;
    expect((await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: '+4791234002' } })).status).toBe(202);
    expect(
      (await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: lastSmsCode(server, '+4791234002') } })).status,
    ).toBe(200);

    expect(
      (await server.call('POST', `/v1/auth/challenges/${open.body.challengeId}/verify`, { body: { method: 'sms', code } })).status,
    ).toBe(410);
    expect((await server.call('POST', `/v1/auth/challenges/${open.body.challengeId}/sms`)).status).toBe(410);
  });
});
