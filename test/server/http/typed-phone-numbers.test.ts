import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneResetLink } from '../../../src/server/factors/sms/phone-reset.js';
import { breakupMembers } from '../../../src/server/store/repositories/breakups.js';
import { findTenantBySlug } from '../../../src/server/store/repositories/tenants.js';
import { findUserById } from '../../../src/server/store/repositories/users.js';
import type { TenantPolicy } from '../../../src/shared/policy.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/** The three ways a German colleague writes a mobile number, and what is stored for each. */
const typedInGermany: Array<[typed: string, e164: string]> = [
  ['0049 151 98765432', '+4915198765432'],
  ['+49 (0)151 2345 6789', '+4915123456789'],
  ['0151 2345 6789', '+4915123456789'],
];

/**
 * Phone numbers as people type them, read with the tenant's country (policy `country`; the sms
 * preset's is DE), through every place a number is typed: enrollment, the reset link, the break-up's
 * check and run, and support's search. Stored in E.164, whichever way it came.
 */
describe.each(dialects)('phone numbers as typed, on %s', (dialect) => {
  let server: TestServer;
  /** The sms preset: seed 003, German. */
  let german: string;
  /** A tenant stored before countries existed. */
  let legacy: string;
  let admin: SignedInOperator;
  let keys = 0;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    german = await server.addTenant({}, 'sms');
    legacy = await server.addTenant({}, 'sms');
    const stored: Partial<TenantPolicy> = { ...(await findTenantBySlug(server.ctx.store.db, legacy))!.policy };
    delete stored.country;
    await server.ctx.store.db
      .updateTable('tenants')
      .set({ policy: JSON.stringify(stored) })
      .where('slug', '=', legacy)
      .execute();
    admin = await signedInOperator(server, 'tenant_admin', [german]);
  });
  afterAll(() => server.close());

  async function enrollmentToken(tenant: string) {
    const user = await server.addUser(tenant);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(login.body).toMatchObject({ status: 'enrollment_required' });
    return { id: user.id, token: String(login.body.enrollmentToken) };
  }
  const storedPhone = async (id: string) => (await findUserById(server.ctx.store.db, id))!.phone;

  it('a German tenant has the country DE; one stored before countries reads none', async () => {
    expect((await findTenantBySlug(server.ctx.store.db, german))!.policy.country).toBe('DE');
    expect((await findTenantBySlug(server.ctx.store.db, legacy))!.policy.country).toBeUndefined();
  });

  it.each(typedInGermany)('enrolls %j as %s', async (typed, e164) => {
    const { id, token } = await enrollmentToken(german);
    const sent = await server.call('POST', '/v1/enroll/phone', { token, body: { phone: typed } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(server.outbox().at(-1)).toMatchObject({ channel: 'sms', to: e164, template: 'sms_setup_code' });
    const confirmed = await server.call('POST', '/v1/enroll/phone/confirm', { token, body: { code: lastSmsCode(server, e164) } });
    expect(confirmed.status).toBe(200);
    expect(await storedPhone(id)).toBe(e164);
  });

  it.each(typedInGermany)('sets %j as %s through a reset link', async (typed, e164) => {
    const user = await server.addUser(german, undefined, { phone: '+4915100000001' });
    const { link } = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    const token = link.split('/phone-reset/')[1]!;
    const sent = await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: typed } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const done = await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: lastSmsCode(server, e164) } });
    expect(done).toMatchObject({ status: 200, body: { ok: true } });
    expect(await storedPhone(user.id)).toBe(e164);
  });

  it('refuses a national number where the tenant has no country, and a landline or nonsense anywhere', async () => {
    const old = await enrollmentToken(legacy);
    expect((await server.call('POST', '/v1/enroll/phone', { token: old.token, body: { phone: '0151 2345 6789' } })).body.error).toBe(
      'invalid_phone',
    );
    // International forms work there as before.
    expect((await server.call('POST', '/v1/enroll/phone', { token: old.token, body: { phone: '0049 151 98765432' } })).status).toBe(202);
    const { token } = await enrollmentToken(german);
    for (const phone of ['030 1234567', '+49 (0)30 1234567', '0151 2345', 'call me']) {
      const refused = await server.call('POST', '/v1/enroll/phone', { token, body: { phone } });
      expect(refused.body.error, phone).toBe('invalid_phone');
    }
    // A Norwegian mobile without +47 is a German landline number here: refused, not sent to Germany.
    const norwegian = await server.call('POST', '/v1/enroll/phone', { token, body: { phone: '412 34 567' } });
    expect(norwegian.body).toMatchObject({ error: 'invalid_phone', message: expect.stringMatching(/cannot receive text messages/) });
  });

  it("checks and runs a break-up whose people's phones are typed the German way", async () => {
    const shared = await server.addUser(german, `buchhaltung.${++keys}@firma.test`, { name: 'Buchhaltung', phone: '+4915100000002' });
    const members = typedInGermany.map(([phone], i) => ({ name: `Person ${i}`, email: `person-${keys}-${i}@firma.test`, phone }));
    const asAdmin = <T>(path: string, body: unknown) => server.call<T>('POST', path, { token: admin.accessToken, body });
    const check = await asAdmin<{ ok: boolean; members: Array<{ phone: string | null; problems: unknown[] }> }>(
      `/v1/admin/users/${shared.id}/breakups/check`,
      { members },
    );
    expect(check.status, JSON.stringify(check.body)).toBe(200);
    expect(check.body).toMatchObject({ ok: true, members: typedInGermany.map(([, e164]) => ({ phone: e164, problems: [] })) });
    const run = await asAdmin<{ id: string; state: string }>(`/v1/admin/users/${shared.id}/breakups`, {
      idempotencyKey: `typed-phones-${dialect}-${keys}-${Date.now()}`,
      members,
      disableAt: null,
      ticket: 'CHG-12',
      reason: 'Shared mailbox split into personal accounts',
    });
    expect(run.body).toMatchObject({ state: 'completed' });
    const recorded = await breakupMembers(server.ctx.store.db, run.body.id);
    expect(recorded.map((m) => m.phone)).toEqual(typedInGermany.map(([, e164]) => e164));
    const invitations = await server.ctx.store.db
      .selectFrom('invitations')
      .select('proposed_phone')
      .where(
        'user_id',
        'in',
        recorded.map((m) => m.user_id!),
      )
      .execute();
    expect(invitations.map((i) => i.proposed_phone).sort()).toEqual(typedInGermany.map(([, e164]) => e164).sort());
  });

  it("finds a user by a national number when the search is of one tenant, by the tenant's country", async () => {
    const user = await server.addUser(german, `greta.${++keys}@firma.test`, { phone: '+4915211112222' });
    const search = async (q: string, token: string) =>
      (await server.call<{ items: Array<{ id: string }> }>('GET', `/v1/admin/users?q=${encodeURIComponent(q)}`, { token })).body.items.map(
        (u) => u.id,
      );
    for (const q of ['0152 1111 2222', '0049 152 11112222', '+49 (0)152 1111 2222'])
      expect(await search(q, admin.accessToken), q).toEqual([user.id]);
    // An operator of every tenant searching without a tenant: "00" and "+" are read, a national number is not.
    const support = await signedInOperator(server, 'support');
    expect(await search('0049 152 11112222', support.accessToken)).toEqual([user.id]);
    const tenantId = (await findTenantBySlug(server.ctx.store.db, german))!.id;
    const scoped = await server.call<{ items: Array<{ id: string }> }>(
      'GET',
      `/v1/admin/users?q=${encodeURIComponent('0152 1111 2222')}&tenantId=${tenantId}`,
      { token: support.accessToken },
    );
    expect(scoped.body.items.map((u) => u.id)).toEqual([user.id]);
  });
});
