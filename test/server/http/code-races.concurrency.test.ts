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

  async function openChallenges(email: string, password: string, count: number): Promise<string[]> {
    const logins = await Promise.all(Array.from({ length: count }, () => server.call('POST', '/v1/auth/login', { body: { tenant, email, password } })));
    return logins.map((login) => {
      expect(login.body.status).toBe('mfa_required');
      return String(login.body.challengeId);
    });
  }

  it('30 concurrent verifications of one recovery code: exactly one success', async () => {
    const user = await enrollUser(server, tenant);
    const challenges = await openChallenges(user.email, user.password, 30);
    const code = user.recoveryCodes[0];
    const answers = await Promise.all(challenges.map((id) => server.call('POST', `/v1/auth/challenges/${id}/verify`, { body: { method: 'recovery_code', code } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_code')).toHaveLength(29);
    const used = await server.ctx.store.db.selectFrom('recovery_codes').select('used_at').where('user_id', '=', user.id).where('used_at', 'is not', null).execute();
    expect(used).toHaveLength(1);
  });

  it('30 concurrent verifications of one TOTP code: exactly one success', async () => {
    const user = await enrollUser(server, tenant);
    const challenges = await openChallenges(user.email, user.password, 30);
    const code = appCode(user.secret, server.clock);
    const answers = await Promise.all(challenges.map((id) => server.call('POST', `/v1/auth/challenges/${id}/verify`, { body: { method: 'totp', code } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_code')).toHaveLength(29);
  });

  it('five different right recovery codes race on one challenge: one session, and the losers keep their codes', async () => {
    const user = await enrollUser(server, tenant);
    const [challenge] = await openChallenges(user.email, user.password, 1);
    const racing = user.recoveryCodes.slice(0, 5);
    const answers = await Promise.all(racing.map((code) => server.call('POST', `/v1/auth/challenges/${challenge}/verify`, { body: { method: 'recovery_code', code } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const used = await server.ctx.store.db.selectFrom('recovery_codes').select('used_at').where('user_id', '=', user.id).where('used_at', 'is not', null).execute();
    expect(used, 'only the winner spent its code').toHaveLength(1);
    const loser = racing[answers.findIndex((a) => a.status !== 200)]!;
    const [next] = await openChallenges(user.email, user.password, 1);
    expect((await server.call('POST', `/v1/auth/challenges/${next}/verify`, { body: { method: 'recovery_code', code: loser } })).status).toBe(200);
  });
});
