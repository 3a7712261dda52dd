import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserSummary } from '../../../src/shared/api/admin.js';
import { postgresSearchTuning } from '../../../src/server/admin/user-search-postgres.js';
import { seedBulkUsers } from '../../../src/server/flows/bulk-seed.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('user search on %s', (dialect) => {
  let server: TestServer;
  let agent: SignedInOperator;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    // 4,000 realistic users: common fragments ("hansen", "berg") exceed the index-hit cap and take the walking path.
    await seedBulkUsers(server.ctx, { users: 4000, tenants: 2 });
    tenant = await server.addTenant({}, 'sms');
    await server.addUser(tenant, 'zelda.quixote@rare.test', { phone: '+4791122334', name: 'Zelda Quixote' });
    await server.addUser(tenant, 'accounts@rare.test', { phone: '+4791122335' });
    agent = await signedInOperator(server, 'support');
  });
  afterAll(() => server.close());

  const search = async (params: string) => {
    const answer = await server.call<{ items: UserSummary[]; nextCursor: string | null }>('GET', `/v1/admin/users?${params}`, { token: agent.accessToken });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  it('finds a user from any fragment of email, name or phone', async () => {
    for (const q of ['zelda', 'ELDA.Q', 'quix', 'Zelda Quixote', 'rare.test', '911223', '+47 911 22 334', 'zelda.quixote@rare.test']) {
      const { items } = await search(`q=${encodeURIComponent(q)}`);
      expect(items.map((u) => u.email), q).toContain('zelda.quixote@rare.test');
    }
    const exact = await search(`q=${encodeURIComponent('+4791122334')}`);
    expect(exact.items.map((u) => u.email)).toEqual(['zelda.quixote@rare.test']);
  });

  it('pages through a common fragment in a stable order without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: UserSummary[]; nextCursor: string | null } = await search(`q=hansen&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    // Creation order: SQLite's rowid; on PostgreSQL (created_at, id).
    const base = server.ctx.store.db.selectFrom('users').select('id').where('id', 'in', seen);
    const order = await (dialect === 'sqlite' ? base.orderBy(sql`rowid`) : base.orderBy('created_at').orderBy('id')).execute();
    expect(order.map((u) => u.id)).toEqual(seen);
    const direct = await server.ctx.store.db.selectFrom('users').select('id').where((eb) => eb.or([eb('email', 'like', '%hansen%'), eb(eb.fn('lower', ['name']), 'like', '%hansen%')])).execute();
    expect(seen.length).toBe(direct.length);
  });

  it('pages through exactly the matches in creation order, whether the walk or the trigram index finds them', async () => {
    const { db } = server.ctx.store;
    const creationOrder = async (fragment: string) => {
      const base = db.selectFrom('users as u').select('u.id').where(sql<boolean>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${`%${fragment}%`}`);
      return (await (dialect === 'sqlite' ? base.orderBy(sql`u.rowid`) : base.orderBy('u.created_at').orderBy('u.id')).execute()).map((u) => u.id);
    };
    const defaults = { ...postgresSearchTuning };
    try {
      // Every search a walk; a short walk, then walking on; a short walk, then the trigram index.
      for (const [walkRows, maxWalkRows] of [[20_000, 100_000], [50, 100_000], [50, 0]] as const) {
        Object.assign(postgresSearchTuning, { walkRows, maxWalkRows });
        for (const q of ['hansen', 'ola.b', 'ber', 'sæther', '4791', 'zelda', 'k s', 'no-such-fragment']) {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: { items: UserSummary[]; nextCursor: string | null } = await search(`q=${encodeURIComponent(q)}&limit=37${cursor ? `&cursor=${cursor}` : ''}`);
            seen.push(...page.items.map((u) => u.id));
            cursor = page.nextCursor;
          } while (cursor);
          expect(seen, `${q} (walk ${walkRows}, then up to ${maxWalkRows})`).toEqual(await creationOrder(q));
        }
      }
    } finally {
      Object.assign(postgresSearchTuning, defaults);
    }
  });

  it('handles two-letter fragments, filters and nonsense', async () => {
    const two = await search('q=ol&limit=5');
    expect(two.items).toHaveLength(5);
    for (const u of two.items) expect(`${u.email} ${u.name}`.toLowerCase()).toContain('ol');
    const shared = await search(`filter=shared&limit=100`);
    expect(shared.items.length).toBeGreaterThan(0);
    expect(shared.items.every((u) => u.shared)).toBe(true);
    expect(shared.items.map((u) => u.email)).toContain('accounts@rare.test');
    const noMfa = await search('filter=no_mfa&limit=20');
    expect(noMfa.items.every((u) => !u.mfaEnrolled)).toBe(true);
    const disabled = await search('filter=disabled&limit=20');
    expect(disabled.items.length).toBeGreaterThan(0);
    expect(disabled.items.every((u) => u.disabled)).toBe(true);
    for (const q of ['%', '_', '"', "'; drop table users; --", '\\', 'zzzzqqqq']) expect((await search(`q=${encodeURIComponent(q)}`)).items, q).toEqual([]);
  });

  it('finds users by what they are now: a changed phone, name or email is searchable at once, the old one is gone', async () => {
    const user = await server.addUser(tenant, 'before.change@rare.test', { phone: '+4791199881', name: 'Vidar Before' });
    await server.ctx.store.db.updateTable('users').set({ phone: '+4791177662', name: 'Vidar Aftermath', email: 'after.change@rare.test' }).where('id', '=', user.id).execute();
    for (const q of ['9117766', 'aftermath', 'after.change']) expect((await search(`q=${q}`)).items.map((u) => u.id), q).toEqual([user.id]);
    for (const q of ['9119988', 'vidar before', 'before.change']) expect((await search(`q=${encodeURIComponent(q)}`)).items, q).toEqual([]);
  });

  it('refuses bad parameters with clear errors', async () => {
    const floatCursor = Buffer.from(JSON.stringify([1.5, 'x'])).toString('base64url');
    for (const params of ['limit=0', 'limit=1000', 'filter=sleepy', 'cursor=not-a-cursor', `cursor=${floatCursor}`, 'q=ab%00cd', 'tenantId=%00', `q=${'x'.repeat(101)}`]) {
      const answer = await server.call('GET', `/v1/admin/users?${params}`, { token: agent.accessToken });
      expect(answer.status, params).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
    }
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant: 'a\u0000b', email: 'a@b.test', password: 'x' } });
    expect(login).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await server.call('POST', '/v1/auth/challenges/%00/verify', { body: { method: 'totp', code: '123456' } })).status).toBe(400);
  });
});
