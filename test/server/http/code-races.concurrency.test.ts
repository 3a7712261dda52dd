import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { appCode, enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Single-use means single use under load: 30 sign-ins race to spend the same code on 30 different
 * challenges; exactly one may win. (The lockout threshold is raised so the 29 losers' wrong-code
 * count doesn't lock the account mid-race and blur what is measured.)
 */
describe.each(dialects)('racing the same code on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant({ maxFailedCodes: 1000 });
  });
  afterAll(() => server.close());

  /**
   * One after another: the race measured is the code's, and a password try in flight counts against
   * the account's free tries until it succeeds (policy/password-throttle.ts), so 30 at once would wait.
   */
  async function openChallenges(email: string, password: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email, password } });
      expect(login.body.status).toBe('mfa_required');
      ids.push(String(login.body.challengeId));
    }
    return ids;
  }

  it('30 concurrent verifications of one recovery code: exactly one success', async () => {
    const user = await enrollUser(server, tenant);
    const challenges = await openChallenges(user.email, user.password, 30);
    const code = user.recoveryCodes[0];
    const answers = await Promise.all(
      challenges.map((id) => server.call('POST', `/v1/auth/challenges/${id}/verify`, { body: { method: 'recovery_code', code } })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_code')).toHaveLength(29);
    const used = await server.ctx.store.db
      .selectFrom('recovery_codes')
      .select('used_at')
      .where('user_id', '=', user.id)
      .where('used_at', 'is not', null)
      .execute();
    expect(used).toHaveLength(1);
  });

  it('30 concurrent verifications of one TOTP code: exactly one success', async () => {
    const user = await enrollUser(server, tenant);
    const challenges = await openChallenges(user.email, user.password, 30);
    const code = appCode(user.secret, server.clock);
    const answers = await Promise.all(
      challenges.map((id) => server.call('POST', `/v1/auth/challenges/${id}/verify`, { body: { method: 'totp', code } })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_code')).toHaveLength(29);
  });

  it('five different right recovery codes race on one challenge: one session, and the losers keep their codes', async () => {
    const user = await enrollUser(server, tenant);
    const [challenge] = await openChallenges(user.email, user.password, 1);
    const racing = user.recoveryCodes.slice(0, 5);
    const answers = await Promise.all(
      racing.map((code) => server.call('POST', `/v1/auth/challenges/${challenge}/verify`, { body: { method: 'recovery_code', code } })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const used = await server.ctx.store.db
      .selectFrom('recovery_codes')
      .select('used_at')
      .where('user_id', '=', user.id)
      .where('used_at', 'is not', null)
      .execute();
    expect(used, 'only the winner spent its code').toHaveLength(1);
    const loser = racing[answers.findIndex((a) => a.status !== 200)]!;
    const [next] = await openChallenges(user.email, user.password, 1);
    expect(
      (await server.call('POST', `/v1/auth/challenges/${next}/verify`, { body: { method: 'recovery_code', code: loser } })).status,
    ).toBe(200);
  });
});

/**
 * Finding 3 of the outside review: one right code sent to 20 challenges at once gave 1 success, 9
 * refusals and 10 answers 423, and a 24-hour lockout: a duplicate of a code just accepted counted as
 * a wrong code. With the tenant's default lockout threshold (10 wrong codes in a row).
 */
describe.each(dialects)('a right code sent to many challenges at once on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant();
  });
  afterAll(() => server.close());

  async function race(method: 'totp' | 'recovery_code', user: { email: string; password: string }, code: string) {
    const logins = [];
    for (let i = 0; i < 20; i++)
      logins.push(await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } }));
    return Promise.all(
      logins.map((login) => server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, { body: { method, code } })),
    );
  }

  for (const method of ['totp', 'recovery_code'] as const) {
    it(`${method}: one success, the duplicates refused as already used, no lockout`, async () => {
      const user = await enrollUser(server, tenant);
      const answers = await race(method, user, method === 'totp' ? appCode(user.secret, server.clock) : user.recoveryCodes[0]!);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused).toHaveLength(19);
      expect(refused.every((a) => a.status === 400 && a.body.error === 'invalid_code' && a.body.reason === 'already_used')).toBe(true);
      const row = await server.ctx.store.db
        .selectFrom('users')
        .select('failed_code_count')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(Number(row.failed_code_count)).toBe(0);
      expect(await server.ctx.store.db.selectFrom('lockouts').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    });
  }

  it('a wrong code sent to many challenges still counts, and locks at the threshold', async () => {
    const user = await enrollUser(server, tenant);
    const answers = await race('totp', user, '000000');
    expect(answers.filter((a) => a.status === 423).length).toBeGreaterThan(0);
    expect(await server.ctx.store.db.selectFrom('lockouts').select('reason').where('user_id', '=', user.id).execute()).toEqual([
      { reason: 'failed_codes' },
    ]);
  });
});
