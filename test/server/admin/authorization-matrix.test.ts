import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../../../src/shared/api/admin.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { lockAccount } from '../../../src/server/store/repositories/lockouts.js';
import { enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

type Target = 'own' | 'other';
interface Who {
  label: string;
  role: OperatorRole;
  /** Which tenants the operator is assigned: 'all' (no assignment) or only tenant A. */
  scope: 'all' | 'A';
}

const operators: Who[] = [
  { label: 'support (all tenants)', role: 'support', scope: 'all' },
  { label: 'support (tenant A)', role: 'support', scope: 'A' },
  { label: 'tenant admin (A)', role: 'tenant_admin', scope: 'A' },
  { label: 'auditor (all tenants)', role: 'auditor', scope: 'all' },
  { label: 'auditor (tenant A)', role: 'auditor', scope: 'A' },
];

/** Every admin route that takes a user, with what it needs. */
const userRoutes: Array<{
  method: 'GET' | 'POST';
  path: (userId: string) => string;
  changes: boolean;
  body?: Record<string, unknown>;
  noTicket?: boolean;
}> = [
  { method: 'GET', path: (id) => `/v1/admin/users/${id}`, changes: false },
  { method: 'GET', path: (id) => `/v1/admin/audit?userId=${id}`, changes: false },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/unlock`, changes: true },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/phone-reset-link`, changes: true },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/recovery-codes`, changes: true },
  // Before the app's reset: a push device is added to an account that still has its factor.
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/push-devices`, changes: true },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/totp/reset`, changes: true },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/devices/revoke`, changes: true },
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/sessions/revoke`, changes: true },
  // The tenant admin's tools: auditors see none of them (a sheet is a secret on paper).
  { method: 'POST', path: (id) => `/v1/admin/users/${id}/shared-flag`, changes: true, body: { shared: true } },
  {
    method: 'POST',
    path: (id) => `/v1/admin/users/${id}/breakups/check`,
    changes: true,
    body: { members: [{ name: 'Nina', email: 'nina@firma.test' }] },
    noTicket: true,
  },
];

/**
 * Every admin route x every role x own / other tenant: allowed or denied as the roles say, and no
 * answer ever carries another tenant's data (not in results, counts or error messages).
 */
describe.each(dialects)('the authorization matrix on %s', (dialect) => {
  let server: TestServer;
  const tenants: Record<'A' | 'B', { slug: string; id: string; userId: string; email: string }> = {} as never;
  const signedIn = new Map<string, SignedInOperator>();

  beforeAll(async () => {
    server = await startTestServer(dialect);
    for (const key of ['A', 'B'] as const) {
      // Push allowed, so support may start a push device enrollment for the user.
      const slug = await server.addTenant({ allowedMethods: ['totp', 'push'] });
      const tenant = await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
      const user = await enrollUser(server, slug);
      tenants[key] = { slug, id: tenant.id, userId: user.id, email: user.email };
    }
    for (const who of operators) {
      signedIn.set(who.label, await signedInOperator(server, who.role, who.scope === 'A' ? [tenants.A.slug] : []));
      server.clock.advance(30_000);
    }
  });
  afterAll(() => server.close());

  /** A fresh victim for each operator and tenant: enrolled with an app and locked, so every allowed action has something to do. */
  async function lockedVictim(key: 'A' | 'B'): Promise<{ id: string; email: string }> {
    const user = await enrollUser(server, tenants[key].slug);
    await lockAccount(
      server.ctx.store.db,
      { userId: user.id, tenantId: tenants[key].id, reason: 'failed_codes', hours: 24, ip: null },
      server.clock.now(),
    );
    return user;
  }

  const expected = (who: Who, target: Target, changes: boolean): 200 | 403 | 404 => {
    const visible = who.scope === 'all' || target === 'own';
    if (!visible) return 404;
    if (changes && who.role === 'auditor') return 403;
    return 200;
  };

  for (const who of operators) {
    for (const target of ['own', 'other'] as Target[]) {
      it(`${who.label} on a user of the ${target} tenant`, async () => {
        const op = signedIn.get(who.label)!;
        const victim = await lockedVictim(target === 'own' ? 'A' : 'B');
        const { db } = server.ctx.store;
        const auditBefore = await db
          .selectFrom('audit_events')
          .select('id')
          .where('user_id', '=', victim.id)
          .where('actor_type', '=', 'operator')
          .execute();
        for (const route of userRoutes) {
          const answer = await server.call(route.method, route.path(victim.id), {
            token: op.accessToken,
            body:
              route.method === 'POST' ? { ...(route.noTicket ? {} : { ticket: 'T-1', reason: 'matrix test' }), ...route.body } : undefined,
          });
          const want = expected(who, target, route.changes);
          const label = `${route.method} ${route.path(':id')}`;
          expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBe(want);
          if (who.scope === 'A') {
            // Nothing of tenant B leaks to an operator of A, whatever the answer.
            expect(JSON.stringify(answer.body)).not.toContain(tenants.B.email);
            expect(JSON.stringify(answer.body)).not.toContain(tenants.B.id);
          }
        }
        // A refused change changed nothing: still locked, the app still there, no operator event.
        if (expected(who, target, true) !== 200) {
          const lock = await db.selectFrom('lockouts').select('lifted_at').where('user_id', '=', victim.id).executeTakeFirstOrThrow();
          expect(lock.lifted_at).toBeNull();
          expect(
            await db.selectFrom('totp_factors').select('id').where('user_id', '=', victim.id).where('status', '=', 'active').execute(),
          ).toHaveLength(1);
          const auditAfter = await db
            .selectFrom('audit_events')
            .select('id')
            .where('user_id', '=', victim.id)
            .where('actor_type', '=', 'operator')
            .execute();
          expect(auditAfter).toHaveLength(auditBefore.length);
        }
      });
    }

    it(`${who.label}: search, lockouts and audit show only visible tenants`, async () => {
      const op = signedIn.get(who.label)!;
      const search = await server.call<{ items: Array<{ tenantId: string }> }>('GET', '/v1/admin/users?limit=100', {
        token: op.accessToken,
      });
      expect(search.status).toBe(200);
      const seen = new Set(search.body.items.map((u) => u.tenantId));
      expect(seen.has(tenants.A.id)).toBe(true);
      expect(seen.has(tenants.B.id)).toBe(who.scope === 'all');
      const byEmail = await server.call<{ items: unknown[] }>('GET', `/v1/admin/users?q=${encodeURIComponent(tenants.B.email)}`, {
        token: op.accessToken,
      });
      expect(byEmail.body.items).toHaveLength(who.scope === 'all' ? 1 : 0);
      const otherTenant = await server.call('GET', `/v1/admin/users?tenantId=${tenants.B.id}`, { token: op.accessToken });
      expect(otherTenant.status).toBe(who.scope === 'all' ? 200 : 404);
      const unknownTenant = await server.call('GET', '/v1/admin/users?tenantId=no-such-tenant', { token: op.accessToken });
      expect(unknownTenant.status).toBe(404);
      if (who.scope === 'A') expect(otherTenant.body).toEqual(unknownTenant.body);
      for (const path of ['/v1/admin/lockouts?tenantId=', '/v1/admin/audit?tenantId=']) {
        const other = await server.call('GET', `${path}${tenants.B.id}`, { token: op.accessToken });
        const unknown = await server.call('GET', `${path}no-such-tenant`, { token: op.accessToken });
        expect(other.status, path).toBe(who.scope === 'all' ? 200 : 404);
        if (who.scope === 'A') expect(other.body, path).toEqual(unknown.body);
      }
      for (const path of ['/v1/admin/lockouts?active=false', '/v1/admin/audit?limit=200', '/v1/admin/users?limit=100']) {
        const answer = await server.call('GET', path, { token: op.accessToken });
        expect(answer.status, path).toBe(200);
        if (who.scope === 'A') {
          expect(JSON.stringify(answer.body), path).not.toContain(tenants.B.id);
          expect(JSON.stringify(answer.body), path).not.toContain(tenants.B.email);
        }
      }
    });
  }

  it('refuses every admin route without a valid access token', async () => {
    for (const route of userRoutes) {
      const answer = await server.call(route.method, route.path(tenants.A.userId), {
        body: route.method === 'POST' ? { ...(route.noTicket ? {} : { ticket: 'T', reason: 'none' }), ...route.body } : undefined,
      });
      expect(answer.status).toBe(401);
      const forged = await server.call(route.method, route.path(tenants.A.userId), {
        token: 'x'.repeat(43),
        body: route.method === 'POST' ? { ...(route.noTicket ? {} : { ticket: 'T', reason: 'none' }), ...route.body } : undefined,
      });
      expect(forged.body.error).toBe('invalid_token');
    }
  });

  it('requires a ticket and a reason for every change', async () => {
    const op = signedIn.get('support (all tenants)')!;
    for (const route of userRoutes.filter((r) => r.changes && !r.noTicket)) {
      for (const body of [{}, { ticket: 'T-2' }, { reason: 'because' }, { ticket: '', reason: 'because' }, { ticket: 'T-2', reason: '' }]) {
        const answer = await server.call(route.method, route.path(tenants.A.userId), {
          token: op.accessToken,
          body: { ...route.body, ...body },
        });
        expect(answer.status, `${route.path(':id')} ${JSON.stringify(body)}`).toBe(400);
      }
    }
  });
});
