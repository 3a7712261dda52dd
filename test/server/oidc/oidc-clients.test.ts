import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * A tenant's portals through the admin API: the tenant admin registers and removes them, support
 * and auditors only see the list, another tenant's answer as if absent, and a secret is shown once.
 */
describe.each(dialects)('OpenID clients in the admin API on %s', (dialect) => {
  let server: TestServer;
  const ids: Record<'A' | 'B', string> = { A: '', B: '' };
  let admin: SignedInOperator;
  let support: SignedInOperator;
  let auditor: SignedInOperator;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    for (const key of ['A', 'B'] as const) {
      const slug = await server.addTenant({}, 'app');
      ids[key] = (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
      if (key === 'A') {
        admin = await signedInOperator(server, 'tenant_admin', [slug]);
        server.clock.advance(30_000);
      }
    }
    support = await signedInOperator(server, 'support');
    server.clock.advance(30_000);
    auditor = await signedInOperator(server, 'auditor');
  });
  afterAll(() => server.close());

  const portal = {
    name: 'Intranet',
    redirectUris: ['https://intranet.example/callback'],
    postLogoutRedirectUris: ['https://intranet.example/'],
  };
  const clients = (tenantId: string, who: SignedInOperator) =>
    server.call('GET', `/v1/admin/tenants/${tenantId}/oidc-clients`, { token: who.accessToken });

  it('the tenant admin registers a portal, sees it listed without its secret, and removes it', async () => {
    const made = await server.call<{ clientId: string; clientSecret: string; public: boolean }>(
      'POST',
      `/v1/admin/tenants/${ids.A}/oidc-clients`,
      {
        token: admin.accessToken,
        body: portal,
      },
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(made.body.public).toBe(false);

    const listed = await clients(ids.A, support);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.clientSecret);
    expect(listed.body).toMatchObject({ clients: [{ clientId: made.body.clientId, name: 'Intranet', redirectUris: portal.redirectUris }] });
    expect((await clients(ids.A, auditor)).status).toBe(200);

    // The provider knows it (its authorization endpoint answers with a redirect to the pages).
    const auth = await fetch(
      `${server.baseUrl}/oidc/auth?client_id=${made.body.clientId}&redirect_uri=${encodeURIComponent(portal.redirectUris[0]!)}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    expect(auth.status).toBe(303);

    const removed = await server.call('DELETE', `/v1/admin/tenants/${ids.A}/oidc-clients/${made.body.clientId}`, {
      token: admin.accessToken,
    });
    expect(removed).toMatchObject({ status: 200, body: { ok: true } });
    expect((await clients(ids.A, admin)).body).toEqual({ clients: [] });
    const after = await fetch(
      `${server.baseUrl}/oidc/auth?client_id=${made.body.clientId}&redirect_uri=${encodeURIComponent(portal.redirectUris[0]!)}&response_type=code&scope=openid`,
      { redirect: 'manual' },
    );
    expect(after.status).toBe(400);

    const audit = await server.ctx.store.db.selectFrom('audit_events').select('action').where('tenant_id', '=', ids.A).execute();
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['oidc_client.registered', 'oidc_client.removed']));
  });

  it('a public client has no secret', async () => {
    const made = await server.call('POST', `/v1/admin/tenants/${ids.A}/oidc-clients`, {
      token: admin.accessToken,
      body: { ...portal, public: true },
    });
    expect(made).toMatchObject({ status: 201, body: { public: true, clientSecret: null } });
  });

  it('support and auditors may not register; another tenant answers as if absent', async () => {
    for (const who of [support, auditor]) {
      const refused = await server.call('POST', `/v1/admin/tenants/${ids.A}/oidc-clients`, { token: who.accessToken, body: portal });
      expect(refused.status).toBe(403);
    }
    expect((await server.call('POST', `/v1/admin/tenants/${ids.B}/oidc-clients`, { token: admin.accessToken, body: portal })).status).toBe(
      404,
    );
    expect((await clients(ids.B, admin)).status).toBe(404);
    expect((await server.call('DELETE', `/v1/admin/tenants/${ids.B}/oidc-clients/mfa_x`, { token: admin.accessToken })).status).toBe(404);
  });

  it('refuses redirect URIs that are not absolute https (plain http only on this machine), saying which', async () => {
    for (const redirectUris of [
      ['intranet.example/callback'],
      ['http://intranet.example/callback'],
      ['https://intranet.example/cb#x'],
      [],
    ]) {
      const refused = await server.call<{ error: string; message: string }>('POST', `/v1/admin/tenants/${ids.A}/oidc-clients`, {
        token: admin.accessToken,
        body: { ...portal, redirectUris },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_request' });
      expect(refused.body.message).toMatch(/redirectUris/);
    }
    const local = await server.call('POST', `/v1/admin/tenants/${ids.A}/oidc-clients`, {
      token: admin.accessToken,
      body: { ...portal, redirectUris: ['http://127.0.0.1:3000/callback'] },
    });
    expect(local.status).toBe(201);
    // Nothing refused was stored: the public client and this one are all there is.
    const left = (await clients(ids.A, admin)).body as { clients: Array<{ public: boolean; redirectUris: string[] }> };
    expect(left.clients.map((c) => (c.public ? 'public' : c.redirectUris[0])).sort()).toEqual(['http://127.0.0.1:3000/callback', 'public']);
  });
});
