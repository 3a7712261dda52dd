import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorsAnswer, tenantsAnswer, type OperatorRole } from '../../../src/shared/api/admin.js';
import { createOperator } from '../../../src/server/flows/operators.js';
import { createTenant } from '../../../src/server/flows/provisioning.js';
import { findTenantById } from '../../../src/server/store/repositories/tenants.js';
import type { TenantPolicy } from '../../../src/shared/policy.js';
import { dialects } from '../../support/databases.js';
import { operatorCode } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

interface Operator {
  id: string;
  email: string;
  name: string;
  role: OperatorRole;
  token: string;
}

/**
 * The console's filter lists: `GET /v1/admin/tenants` and `GET /v1/admin/operators`, scoped like the
 * data they filter, and in one order on both databases.
 */
describe.each(dialects)('filter lists on %s', (dialect) => {
  let server: TestServer;
  const tenants: Record<'A' | 'B' | 'C', { id: string; slug: string; name: string; country: string | null }> = {} as never;
  const ops: Record<string, Operator> = {};

  beforeAll(async () => {
    server = await startTestServer(dialect);
    // Names whose byte order differs from their alphabetical one: SQLite compares bytes.
    // Each with its country (the console reads national phone numbers by it): the preset's, one
    // given, and none (a tenant stored before countries existed).
    for (const [key, name, country] of [
      ['A', 'Zeta Bank', undefined],
      ['B', 'acme', 'de'],
      ['C', 'Ørsta Regnskap', undefined],
    ] as const) {
      const tenant = await createTenant(server.ctx, { slug: `t-${key.toLowerCase()}`, name, preset: 'app', country });
      tenants[key] = { id: tenant.id, slug: tenant.slug, name, country: tenant.policy.country ?? null };
    }
    const legacy: Partial<TenantPolicy> = { ...(await findTenantById(server.ctx.store.db, tenants.C.id))!.policy };
    delete legacy.country;
    await server.ctx.store.db
      .updateTable('tenants')
      .set({ policy: JSON.stringify(legacy) })
      .where('id', '=', tenants.C.id)
      .execute();
    tenants.C.country = null;
    expect([tenants.A.country, tenants.B.country]).toEqual(['NO', 'DE']);
    const add = async (key: string, name: string, role: OperatorRole, tenantSlugs: string[]) => {
      const email = `${key}@desk.test`;
      const password = 'operator password 2026';
      const created = await createOperator(server.ctx, { email, name, role, tenantSlugs, password });
      const login = await server.call('POST', '/v1/admin/auth/login', {
        body: { email, password, code: operatorCode(created.totpSecret, server), deviceName: 'test' },
      });
      expect(login.status).toBe(200);
      ops[key] = { id: created.operator.id, email, name, role, token: String(login.body.accessToken) };
    };
    await add('support-all', 'Sam Support', 'support', []);
    await add('auditor-all', 'Åse Auditor', 'auditor', []);
    await add('admin-a', 'Tina Admin', 'tenant_admin', ['t-a']);
    await add('admin-b', 'bob admin', 'tenant_admin', ['t-b']);
    await add('support-b', 'Sven Support', 'support', ['t-b']);
    await add('auditor-a', 'Alma Auditor', 'auditor', ['t-a']);
    await add('support-ab', 'Kim Support', 'support', ['t-a', 't-b']);
    await add('support-gone', 'Gunnar Gone', 'support', []);
    // A disabled operator's actions stay in the trail, so the filter still offers them.
    await server.ctx.store.db
      .updateTable('operators')
      .set({ disabled_at: server.clock.now() })
      .where('id', '=', ops['support-gone']!.id)
      .execute();
  });
  afterAll(() => server.close());

  const get = (path: string, who: string) => server.call('GET', path, { token: ops[who]!.token });
  const tenantsSeenBy = async (who: string) => {
    const answer = await get('/v1/admin/tenants', who);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return tenantsAnswer.parse(answer.body).items;
  };
  const operatorsSeenBy = async (who: string) => {
    const answer = await get('/v1/admin/operators', who);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return operatorsAnswer.parse(answer.body).items.map((o) => o.name);
  };

  it('lists every tenant, by name, to operators of all tenants, auditors included', async () => {
    const all = [tenants.B, tenants.C, tenants.A];
    expect(await tenantsSeenBy('support-all')).toEqual(all);
    expect(await tenantsSeenBy('auditor-all')).toEqual(all);
  });

  it('lists only their own tenants to scoped operators', async () => {
    expect(await tenantsSeenBy('admin-a')).toEqual([tenants.A]);
    expect(await tenantsSeenBy('auditor-a')).toEqual([tenants.A]);
    expect(await tenantsSeenBy('support-ab')).toEqual([tenants.B, tenants.A]);
  });

  it('lists every operator, by name, to operators of all tenants', async () => {
    const everyone = [
      'Alma Auditor',
      'Åse Auditor',
      'bob admin',
      'Gunnar Gone',
      'Kim Support',
      'Sam Support',
      'Sven Support',
      'Tina Admin',
    ];
    expect(await operatorsSeenBy('support-all')).toEqual(everyone);
    expect(await operatorsSeenBy('auditor-all')).toEqual(everyone);
    const answer = operatorsAnswer.parse((await get('/v1/admin/operators', 'support-all')).body);
    expect(answer.items.find((o) => o.name === 'Tina Admin')).toEqual({
      id: ops['admin-a']!.id,
      email: 'admin-a@desk.test',
      name: 'Tina Admin',
      role: 'tenant_admin',
    });
  });

  it('lists to a scoped operator those of all tenants and those sharing one of theirs, never those of other tenants only', async () => {
    const seenFromA = ['Alma Auditor', 'Åse Auditor', 'Gunnar Gone', 'Kim Support', 'Sam Support', 'Tina Admin'];
    expect(await operatorsSeenBy('admin-a')).toEqual(seenFromA);
    expect(await operatorsSeenBy('auditor-a')).toEqual(seenFromA);
    expect(await operatorsSeenBy('support-b')).toEqual([
      'Åse Auditor',
      'bob admin',
      'Gunnar Gone',
      'Kim Support',
      'Sam Support',
      'Sven Support',
    ]);
    const body = JSON.stringify((await get('/v1/admin/operators', 'admin-a')).body);
    expect(body).not.toContain('admin-b@desk.test');
    expect(body).not.toContain(ops['support-b']!.id);
  });

  it('the listed operators are the ones the audit trail can be filtered by', async () => {
    // Tenant admin A filters by an operator of all tenants who acted in A.
    const unlockTarget = await server.addUser(tenants.A.slug);
    const acted = await server.call('POST', `/v1/admin/users/${unlockTarget.id}/sessions/revoke`, {
      token: ops['support-all']!.token,
      body: { ticket: 'T-1', reason: 'filter test' },
    });
    expect(acted.status).toBe(200);
    const trail = await get(`/v1/admin/audit?actorId=${ops['support-all']!.id}`, 'admin-a');
    expect(trail.status).toBe(200);
    expect((trail.body.items as Array<{ action: string }>).map((e) => e.action)).toContain('admin.sessions_revoked');
  });

  it('refuses without a token, and refuses filters these lists do not take', async () => {
    for (const path of ['/v1/admin/tenants', '/v1/admin/operators']) {
      expect((await server.call('GET', path)).body.error, path).toBe('unauthorized');
      expect((await server.call('GET', path, { token: 'x'.repeat(43) })).body.error, path).toBe('invalid_token');
      const filtered = await get(`${path}?tenantId=${tenants.A.id}`, 'support-all');
      expect(filtered, path).toMatchObject({
        status: 400,
        body: { error: 'invalid_request', message: expect.stringContaining('tenantId') },
      });
    }
  });

  it('documents both in /openapi.json', async () => {
    const doc = await server.call<{ paths: Record<string, Record<string, { summary: string; responses: Record<string, unknown> }>> }>(
      'GET',
      '/openapi.json',
    );
    for (const path of ['/v1/admin/tenants', '/v1/admin/operators']) {
      expect(doc.body.paths[path]?.get, path).toMatchObject({
        summary: expect.any(String),
        responses: { '200': expect.anything(), '401': expect.anything() },
      });
    }
  });
});
