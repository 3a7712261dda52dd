import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../../src/server/clock.js';
import { dialects } from '../../support/databases.js';
import { appCode, enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('attempt limits and lockouts on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant();
  });
  afterAll(() => server.close());

  const login = (email: string, password: string) => server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
  const verify = (challengeId: unknown, code: string, method = 'totp') =>
    server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method, code } });

  it('gives a challenge 5 attempts, then it is spent', async () => {
    const user = await enrollUser(server, tenant);
    const { body } = await login(user.email, user.password);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await verify(body.challengeId, '000000'));
    expect(answers.map((a) => a.body.attemptsLeft)).toEqual([4, 3, 2, 1, 0]);
    // Even the right code no longer works on a spent challenge.
    expect(await verify(body.challengeId, appCode(user.secret, server.clock))).toMatchObject({
      status: 410,
      body: { error: 'challenge_expired' },
    });
  });

  it('expires a challenge after 10 minutes', async () => {
    const user = await enrollUser(server, tenant);
    const { body } = await login(user.email, user.password);
    server.clock.advance(10 * MINUTE + 1);
    expect((await verify(body.challengeId, appCode(user.secret, server.clock))).status).toBe(410);
  });

  it('locks the account after 10 wrong codes in a row, for 24 hours, and says so at sign-in', async () => {
    const user = await enrollUser(server, tenant);
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) {
      const { body } = await login(user.email, user.password);
      for (let i = 0; i < 5; i++) statuses.push((await verify(body.challengeId, '000001')).status);
    }
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(400));
    expect(statuses[9]).toBe(423);

    const locked = await login(user.email, user.password);
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({
      error: 'account_locked',
      reason: 'failed_codes',
      lockedUntil: new Date(server.clock.now() + 24 * HOUR).toISOString(),
    });
    // A wrong password on a locked account reveals nothing.
    expect((await login(user.email, 'not-the-password')).status).toBe(401);

    const lockouts = await server.ctx.store.db.selectFrom('lockouts').selectAll().where('user_id', '=', user.id).execute();
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ reason: 'failed_codes' });

    server.clock.advance(24 * HOUR);
    const after = await login(user.email, user.password);
    expect(after.body.status).toBe('mfa_required');
    expect((await verify(after.body.challengeId, appCode(user.secret, server.clock))).status).toBe(200);
  });

  it('counts wrong codes across challenges but a success starts the count again', async () => {
    const user = await enrollUser(server, tenant);
    for (let round = 0; round < 3; round++) {
      const { body } = await login(user.email, user.password);
      for (let i = 0; i < 4; i++) expect((await verify(body.challengeId, '000002')).status).toBe(400);
      expect((await verify(body.challengeId, appCode(user.secret, server.clock))).status).toBe(200);
      server.clock.advance(30_000);
    }
  });

  it('answers an unknown user and a wrong password the same way', async () => {
    const user = await server.addUser(tenant);
    const unknown = await login('nobody@example.test', 'whatever-password');
    const wrong = await login(user.email, 'whatever-password');
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
  });
});
