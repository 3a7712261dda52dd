import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/server/clock.js';
import { createOperator } from '../../../src/server/flows/operators.js';
import { dialects } from '../../support/databases.js';
import { operatorCode, signedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('operator sign-in and tokens on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  it('needs password and authenticator code; every failure answers the same', async () => {
    const created = await createOperator(server.ctx, {
      email: 'sam@desk.test',
      name: 'Sam',
      role: 'support',
      password: 'operator password 2026',
    });
    const code = operatorCode(created.totpSecret, server);
    const attempt = (body: Record<string, unknown>) =>
      server.call('POST', '/v1/admin/auth/login', {
        body: { email: 'sam@desk.test', password: 'operator password 2026', code, deviceName: 'laptop', ...body },
      });
    const wrongPassword = await attempt({ password: 'not the password' });
    const wrongCode = await attempt({ code: code === '000000' ? '111111' : '000000' });
    const unknown = await attempt({ email: 'nobody@desk.test' });
    for (const answer of [wrongPassword, wrongCode, unknown]) expect(answer).toEqual(wrongPassword);
    expect(wrongPassword).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });

    const ok = await attempt({});
    expect(ok).toMatchObject({
      status: 200,
      body: { expiresIn: 900, operator: { email: 'sam@desk.test', role: 'support', tenantIds: [] } },
    });
    // The same code again is a replay.
    expect((await attempt({})).status).toBe(401);
    expect((await server.call('GET', '/v1/admin/me', { token: String(ok.body.accessToken) })).body).toMatchObject({
      email: 'sam@desk.test',
    });
  });

  it('rate-limits sign-in attempts per operator', async () => {
    await createOperator(server.ctx, { email: 'kim@desk.test', name: 'Kim', role: 'auditor', password: 'operator password 2026' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (
          await server.call('POST', '/v1/admin/auth/login', {
            body: { email: 'kim@desk.test', password: 'wrong password!', code: '123456', deviceName: 'x' },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // The same 429 as end users get: Retry-After, and when.
    const refused = await fetch(`${server.baseUrl}/v1/admin/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kim@desk.test', password: 'wrong password!', code: '123456', deviceName: 'x' }),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'too_many_attempts',
      retryAfterSeconds: Number(refused.headers.get('retry-after')),
      retryAt: expect.any(String),
    });
    server.clock.advance(15 * MINUTE);
    expect(
      (
        await server.call('POST', '/v1/admin/auth/login', {
          body: { email: 'kim@desk.test', password: 'wrong password!', code: '123456', deviceName: 'x' },
        })
      ).status,
    ).toBe(401);
  });

  it('expires access tokens after 15 minutes and rotates refresh tokens', async () => {
    const op = await signedInOperator(server, 'support');
    server.clock.advance(15 * MINUTE);
    expect((await server.call('GET', '/v1/admin/me', { token: op.accessToken })).body.error).toBe('invalid_token');
    const rotated = await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: op.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(op.refreshToken);
    expect((await server.call('GET', '/v1/admin/me', { token: String(rotated.body.accessToken) })).status).toBe(200);
    const again = await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: String(rotated.body.refreshToken) } });
    expect(again.status).toBe(200);
  });

  it('revokes the whole family when a used refresh token comes back', async () => {
    const op = await signedInOperator(server, 'support');
    const first = await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: op.refreshToken } });
    const current = String(first.body.accessToken);
    // Someone replays the old refresh token (stolen copy): the family dies, the legitimate holder too.
    const replay = await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: op.refreshToken } });
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect((await server.call('GET', '/v1/admin/me', { token: current })).status).toBe(401);
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: String(first.body.refreshToken) } })).status).toBe(
      401,
    );
    const events = await server.ctx.store.db.selectFrom('audit_events').select('action').where('actor_id', '=', op.id).execute();
    expect(events.map((e) => e.action)).toContain('operator.refresh_reused');
  });

  it('gives exactly one winner when the same refresh token races', async () => {
    const op = await signedInOperator(server, 'support');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: op.refreshToken } })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('signs out (the family ends) and sets a password through the one-time link', async () => {
    const op = await signedInOperator(server, 'auditor');
    expect((await server.call('POST', '/v1/admin/auth/logout', { token: op.accessToken })).status).toBe(200);
    expect((await server.call('GET', '/v1/admin/me', { token: op.accessToken })).status).toBe(401);
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: op.refreshToken } })).status).toBe(401);

    const created = await createOperator(server.ctx, { email: 'new@desk.test', name: 'New', role: 'support' });
    expect(created.setPasswordToken).toBeTruthy();
    const code = () => generateSync({ secret: created.totpSecret, epoch: Math.floor(server.clock.now() / 1000) });
    expect(
      (
        await server.call('POST', '/v1/admin/auth/login', {
          body: { email: 'new@desk.test', password: 'chosen password 2026', code: code(), deviceName: 'x' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await server.call('POST', '/v1/admin/auth/set-password', {
          body: { token: created.setPasswordToken, password: 'chosen password 2026' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await server.call('POST', '/v1/admin/auth/set-password', {
          body: { token: created.setPasswordToken, password: 'chosen password 2027' },
        })
      ).body.error,
    ).toBe('link_expired');
    server.clock.advance(30_000);
    expect(
      (
        await server.call('POST', '/v1/admin/auth/login', {
          body: { email: 'new@desk.test', password: 'chosen password 2026', code: code(), deviceName: 'x' },
        })
      ).status,
    ).toBe(200);
  });
});
