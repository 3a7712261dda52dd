import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneResetLink } from '../../../src/server/factors/sms/phone-reset.js';
import { findUserById } from '../../../src/server/store/repositories/users.js';
import { dialects } from '../../support/databases.js';
import { operatorCode } from '../../support/operators.js';
import { createOperator } from '../../../src/server/flows/operators.js';
import { appCode, enrollUser, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/** "123456" as people type it: the server reads each as the six digits. */
const typed = (code: string) => [
  `${code.slice(0, 3)} ${code.slice(3)}`,
  `${code.slice(0, 3)}-${code.slice(3)}`,
  ` ${code.slice(0, 3)} ${code.slice(3)} `,
  `${code.slice(0, 3)}\u2013${code.slice(3)}`,
];
/** A six-digit code that is not `code`, spaced as people type it. */
const wrongSpaced = (code: string) => (code === '000000' ? '111 111' : '000 000');

/**
 * Codes as people type them ("123 456", "123-456", "123–456"), at every place a code is typed: read
 * as the six digits, so a right one signs in and a wrong one costs the attempt a wrong code costs
 * (not a 400 for its shape, which would cost nothing).
 */
/**
 * The code `right` written the way `form` writes 123456 ("123 456", "123–456"). One replacement
 * for both halves: replacing them one after the other would turn "456205" into "205–456".
 */
function asTyped(form: string, right: string): string {
  return form.replace(/123(.*)456/, (_, separator: string) => `${right.slice(0, 3)}${separator}${right.slice(3)}`);
}

describe.each(dialects)('codes as typed, on %s', (dialect) => {
  let server: TestServer;
  let appTenant: string;
  let smsTenant: string;
  let phones = 0;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    appTenant = await server.addTenant();
    smsTenant = await server.addTenant({}, 'sms');
  });
  afterAll(() => server.close());

  const nextPhone = () => `+4741235${String(phones++).padStart(3, '0')}`;
  const login = (tenant: string, user: { email: string; password: string }) =>
    server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
  const failedCodes = async (id: string) => (await findUserById(server.ctx.store.db, id))!.failed_code_count;

  it('verifies a TOTP challenge with the code spaced or dashed; a wrong spaced code costs one attempt', async () => {
    const user = await enrollUser(server, appTenant);
    for (const form of typed('123456').slice(0, 2)) {
      const challenge = await login(appTenant, user);
      expect(challenge.body.status).toBe('mfa_required');
      const verify = (code: string) =>
        server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, { body: { method: 'totp', code } });
      const right = appCode(user.secret, server.clock);
      const wrong = await verify(wrongSpaced(right));
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsLeft: 4 } });
      expect(await failedCodes(user.id)).toBe(1);
      const spaced = asTyped(form, right);
      expect(await verify(spaced), spaced).toMatchObject({ status: 200, body: { status: 'authenticated' } });
      expect(await failedCodes(user.id)).toBe(0);
      server.clock.advance(30_000);
    }
    // " 123 456 " and the en dash too.
    for (const form of typed('123456').slice(2)) {
      const challenge = await login(appTenant, user);
      const right = appCode(user.secret, server.clock);
      const spaced = asTyped(form, right);
      const verified = await server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        body: { method: 'totp', code: spaced },
      });
      expect(verified.status, JSON.stringify(spaced)).toBe(200);
      server.clock.advance(30_000);
    }
  });

  it('takes recovery codes in lower case, with spaces or other dashes, as printed', async () => {
    const user = await enrollUser(server, appTenant);
    const [first, second] = user.recoveryCodes as [string, string];
    for (const code of [first.toLowerCase().replace(/-/g, ' '), second.replace(/-/g, '\u2013')]) {
      const challenge = await login(appTenant, user);
      const verified = await server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        body: { method: 'recovery_code', code },
      });
      expect(verified.status, code).toBe(200);
    }
    // The same code again, written another way, is the same used code.
    const challenge = await login(appTenant, user);
    const again = await server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: first.replace(/-/g, '') },
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_code' } });
  });

  it('confirms a TOTP enrollment with the code spaced; a wrong spaced code is a wrong code', async () => {
    for (const form of typed('123456')) {
      const user = await server.addUser(appTenant);
      const token = String((await login(appTenant, user)).body.enrollmentToken);
      const { secret } = (await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token })).body;
      const right = appCode(secret, server.clock);
      const wrong = await server.call('POST', '/v1/enroll/totp/confirm', { token, body: { code: wrongSpaced(right) } });
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code' } });
      const spaced = asTyped(form, right);
      const confirmed = await server.call('POST', '/v1/enroll/totp/confirm', { token, body: { code: spaced } });
      expect(confirmed.status, JSON.stringify(spaced)).toBe(200);
    }
    // What is no six-digit code however it is spaced is still refused for its shape.
    const user = await server.addUser(appTenant);
    const token = String((await login(appTenant, user)).body.enrollmentToken);
    await server.call('POST', '/v1/enroll/totp', { token });
    for (const code of ['12 345', '123 4567', '12a 456'])
      expect((await server.call('POST', '/v1/enroll/totp/confirm', { token, body: { code } })).body.error, code).toBe('invalid_request');
  });

  it('confirms a phone with the SMS code spaced or dashed; a wrong spaced code costs one of its tries', async () => {
    for (const form of typed('123456')) {
      const user = await server.addUser(smsTenant);
      const token = String((await login(smsTenant, user)).body.enrollmentToken);
      const phone = nextPhone();
      expect((await server.call('POST', '/v1/enroll/phone', { token, body: { phone } })).status).toBe(202);
      const right = lastSmsCode(server, phone);
      const wrong = await server.call('POST', '/v1/enroll/phone/confirm', { token, body: { code: wrongSpaced(right) } });
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsLeft: 4 } });
      const spaced = asTyped(form, right);
      const confirmed = await server.call('POST', '/v1/enroll/phone/confirm', { token, body: { code: spaced } });
      expect(confirmed.status, JSON.stringify(spaced)).toBe(200);
      expect((await findUserById(server.ctx.store.db, user.id))!.phone).toBe(phone);
    }
  });

  it('verifies an SMS sign-in challenge with the code spaced', async () => {
    const phone = nextPhone();
    const user = await server.addUser(smsTenant, undefined, { phone });
    const challenge = await login(smsTenant, user);
    expect(challenge.body).toMatchObject({ status: 'mfa_required', preferred: 'sms' });
    await server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/sms`);
    const right = lastSmsCode(server, phone);
    const verify = (code: string) =>
      server.call('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, { body: { method: 'sms', code } });
    expect(await verify(wrongSpaced(right))).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsLeft: 4 } });
    expect(await verify(`${right.slice(0, 3)}-${right.slice(3)}`)).toMatchObject({ status: 200, body: { status: 'authenticated' } });
  });

  it('confirms a phone reset with the code spaced; a wrong spaced code costs one of its tries', async () => {
    for (const form of typed('123456').slice(0, 2)) {
      const user = await server.addUser(smsTenant, undefined, { phone: nextPhone() });
      const { link } = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
      const token = link.split('/phone-reset/')[1]!;
      const phone = nextPhone();
      expect((await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone } })).status).toBe(202);
      const right = lastSmsCode(server, phone);
      const wrong = await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: wrongSpaced(right) } });
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsLeft: 4 } });
      const spaced = asTyped(form, right);
      const done = await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: spaced } });
      expect(done, JSON.stringify(spaced)).toMatchObject({ status: 200, body: { ok: true } });
      expect((await findUserById(server.ctx.store.db, user.id))!.phone).toBe(phone);
    }
  });

  it('signs an operator in with the authenticator code spaced', async () => {
    const email = `typed-${dialect}@desk.test`;
    const password = 'operator password 2026';
    const created = await createOperator(server.ctx, { email, name: 'Typed', role: 'support', tenantSlugs: [], password });
    const code = operatorCode(created.totpSecret, server);
    const signedIn = await server.call('POST', '/v1/admin/auth/login', {
      body: { email, password, code: `${code.slice(0, 3)} ${code.slice(3)}`, deviceName: 'test' },
    });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
  });
});
