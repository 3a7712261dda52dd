import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserSummary } from '../../../src/shared/api/admin.js';
import { userSearchBounds } from '../../../src/server/admin/user-search.js';
import { postgresSearchTuning } from '../../../src/server/admin/user-search-postgres.js';
import { seedBulkUsers } from '../../../src/server/flows/bulk-seed.js';
import { lockAccount } from '../../../src/server/store/repositories/lockouts.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

type Page = { items: UserSummary[]; nextCursor: string | null; searched?: { examined: number; complete: boolean; total?: number } };

/**
 * Runs `body` with the search bound lowered, as on a far bigger database, and (PostgreSQL) the trigram
 * index's cost per candidate set: 1 sends every fragment with a trigram to the index, 1e9 none.
 */
async function withBounds(bounds: { rowsPerRequest: number; candidateCost?: number }, body: () => Promise<void>): Promise<void> {
  const saved = { ...userSearchBounds, ...postgresSearchTuning };
  Object.assign(userSearchBounds, { rowsPerRequest: bounds.rowsPerRequest });
  Object.assign(postgresSearchTuning, { candidateCost: bounds.candidateCost ?? saved.candidateCost });
  try {
    await body();
  } finally {
    Object.assign(userSearchBounds, { rowsPerRequest: saved.rowsPerRequest });
    Object.assign(postgresSearchTuning, { candidateCost: saved.candidateCost });
  }
}

describe.each(dialects)('user search on %s', (dialect) => {
  let server: TestServer;
  let agent: SignedInOperator;
  let tenant: string;
  let bulkTenants: string[];
  beforeAll(async () => {
    server = await startTestServer(dialect);
    // 4,000 realistic users created over three years (about 150 weeks): common fragments ("hansen",
    // "berg") are too common for the plain trigram index and take the week-keyed index or the walk.
    ({ tenantSlugs: bulkTenants } = await seedBulkUsers(server.ctx, { users: 4000, tenants: 2 }));
    tenant = await server.addTenant({}, 'sms');
    await server.addUser(tenant, 'zelda.quixote@rare.test', { phone: '+4791122334', name: 'Zelda Quixote' });
    await server.addUser(tenant, 'accounts@rare.test', { phone: '+4791122335' });
    agent = await signedInOperator(server, 'support');
  });
  afterAll(() => server.close());

  const search = async (params: string, token = agent.accessToken) => {
    const answer = await server.call<Page>('GET', `/v1/admin/users?${params}`, { token });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  /** Every page of a search, following its cursors to the end. */
  const allPages = async (params: string, token = agent.accessToken) => {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await search(`${params}${cursor ? `&cursor=${cursor}` : ''}`, token);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 1000);
    expect(cursor, `${params}: still more after 1000 pages`).toBeNull();
    return pages;
  };
  /**
   * The users a search must find, in its order: creation order (SQLite's rowid without a filter;
   * with a filter, and on PostgreSQL, (created_at, id)).
   */
  const matching = async (
    fragment: string,
    options: { filter?: 'locked' | 'disabled' | 'no_mfa' | 'shared'; tenantIds?: string[] } = {},
  ) => {
    const { db } = server.ctx.store;
    let select = db.selectFrom('users as u').select('u.id');
    if (fragment)
      select = select.where(sql<boolean>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${`%${fragment}%`}`);
    if (options.tenantIds) select = select.where('u.tenant_id', 'in', options.tenantIds);
    if (options.filter === 'locked')
      select = select.where(
        'u.id',
        'in',
        db.selectFrom('lockouts').select('user_id').where('lifted_at', 'is', null).where('until', '>', server.clock.now()),
      );
    if (options.filter === 'disabled') select = select.where('u.disabled_at', 'is not', null);
    if (options.filter === 'no_mfa') select = select.where('u.mfa_enrolled_at', 'is', null);
    if (options.filter === 'shared') select = select.where('u.shared_mailbox', '=', 1);
    const ordered = dialect === 'sqlite' && !options.filter ? select.orderBy(sql`u.rowid`) : select.orderBy('u.created_at').orderBy('u.id');
    return (await ordered.execute()).map((u) => u.id);
  };
  const userCount = async () =>
    Number(
      (
        await server.ctx.store.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const tenantIdOf = async (slug: string) =>
    (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;

  it('finds a user from any fragment of email, name or phone', async () => {
    for (const q of ['zelda', 'ELDA.Q', 'quix', 'Zelda Quixote', 'rare.test', '911223', '+47 911 22 334', 'zelda.quixote@rare.test']) {
      const { items } = await search(`q=${encodeURIComponent(q)}`);
      expect(
        items.map((u) => u.email),
        q,
      ).toContain('zelda.quixote@rare.test');
    }
    const exact = await search(`q=${encodeURIComponent('+4791122334')}`);
    expect(exact.items.map((u) => u.email)).toEqual(['zelda.quixote@rare.test']);
  });

  it('pages through a common fragment in a stable order without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: UserSummary[]; nextCursor: string | null } = await search(
        `q=hansen&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
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
    const direct = await server.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb.or([eb('email', 'like', '%hansen%'), eb(eb.fn('lower', ['name']), 'like', '%hansen%')]))
      .execute();
    expect(seen.length).toBe(direct.length);
  });

  it('pages through exactly the matches in creation order, whether the walk or the trigram index finds them', async () => {
    const { db } = server.ctx.store;
    const creationOrder = async (fragment: string) => {
      const base = db
        .selectFrom('users as u')
        .select('u.id')
        .where(sql<boolean>`(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) LIKE ${`%${fragment}%`}`);
      return (await (dialect === 'sqlite' ? base.orderBy(sql`u.rowid`) : base.orderBy('u.created_at').orderBy('u.id')).execute()).map(
        (u) => u.id,
      );
    };
    // PostgreSQL: every fragment with a trigram from the index; every search a walk; and a small bound
    // where the counts choose (the index, the week-keyed index a few weeks a request, or a walk cut short at the bound: pages
    // that say so, and a cursor to walk on).
    for (const [candidateCost, rowsPerRequest] of [
      [1, 100_000],
      [1e9, 100_000],
      [4, 120],
    ] as const) {
      await withBounds({ rowsPerRequest, candidateCost }, async () => {
        for (const q of ['hansen', 'ola.b', 'ber', 'sæther', '4791', 'zelda', 'k s', 'no-such-fragment']) {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: Page = await search(`q=${encodeURIComponent(q)}&limit=37${cursor ? `&cursor=${cursor}` : ''}`);
            seen.push(...page.items.map((u) => u.id));
            expect(page.searched!.examined, q).toBeLessThanOrEqual(rowsPerRequest);
            cursor = page.nextCursor;
          } while (cursor);
          expect(seen, `${q} (candidate cost ${candidateCost}, at most ${rowsPerRequest} a request)`).toEqual(await creationOrder(q));
        }
      });
    }
  });

  it('reads at most the bound per request: a short fragment that matches nothing answers "searched N so far" with a cursor, and the cursors walk every user once', async () => {
    const everyone = await userCount();
    await withBounds({ rowsPerRequest: 50 }, async () => {
      const first = await search('q=zq');
      expect(first.items).toEqual([]);
      expect(first.nextCursor).not.toBeNull();
      expect(first.searched).toMatchObject({ examined: 50, complete: false });
      // An operator who sees every tenant gets an estimate of everyone to say "of about M".
      if (dialect === 'sqlite') expect(first.searched!.total).toBeGreaterThanOrEqual(everyone);
      else if (first.searched!.total !== undefined) expect(first.searched!.total).toBeGreaterThan(0);

      for (const q of ['zq', 'ø', '+q']) {
        const pages = await allPages(`q=${encodeURIComponent(q)}`);
        expect(
          pages.flatMap((p) => p.items),
          q,
        ).toEqual([]);
        for (const page of pages) expect(page.searched!.examined, q).toBeLessThanOrEqual(50);
        expect(
          pages.slice(0, -1).every((p) => p.nextCursor && p.searched!.complete === false),
          q,
        ).toBe(true);
        expect(pages.at(-1)!.searched!.complete, q).toBe(true);
        // Each page covers the users from its cursor to the next: together, everyone exactly once.
        expect(
          pages.reduce((sum, p) => sum + p.searched!.examined, 0),
          q,
        ).toBe(everyone);
        expect(pages.length, q).toBeGreaterThanOrEqual(Math.ceil(everyone / 50));
        expect(pages.length, q).toBeLessThanOrEqual(Math.ceil(everyone / 50) + 1);
      }
    });
  });

  it('follows the cursors of searches cut short at the bound to every match exactly once: fragments, filters, tenants', async () => {
    const { db } = server.ctx.store;
    // A few locked users, to find with the locked filter.
    const toLock = await db
      .selectFrom('users')
      .select(['id', 'tenant_id', 'email'])
      .where('email', 'like', '%sæther%')
      .orderBy('email')
      .limit(5)
      .execute();
    for (const user of toLock)
      await lockAccount(db, { userId: user.id, tenantId: user.tenant_id, reason: 'failed_codes', hours: 2, ip: null }, server.clock.now());
    const bulkTenant = await tenantIdOf(bulkTenants[0]!);
    const cases: Array<[string, string, Parameters<typeof matching>[1]?]> = [
      ['q=æ', 'æ'],
      ['q=q', 'q'],
      ['q=s%C3%A6', 'sæ'],
      ['q=han', 'han'],
      ['q=zelda', 'zelda'],
      ['q=47', '47'],
      [`q=s%C3%A6&tenantId=${bulkTenant}`, 'sæ', { tenantIds: [bulkTenant] }],
      ['filter=disabled', '', { filter: 'disabled' }],
      ['filter=disabled&q=ol', 'ol', { filter: 'disabled' }],
      ['filter=no_mfa&q=%C3%A6', 'æ', { filter: 'no_mfa' }],
      [`filter=no_mfa&q=ber&tenantId=${bulkTenant}`, 'ber', { filter: 'no_mfa', tenantIds: [bulkTenant] }],
      ['filter=shared&q=acc', 'acc', { filter: 'shared' }],
      ['filter=locked', '', { filter: 'locked' }],
      [`filter=locked&q=${encodeURIComponent(toLock[0]!.email.slice(0, 4))}`, toLock[0]!.email.slice(0, 4), { filter: 'locked' }],
    ];
    const followAll = async (list: typeof cases) => {
      for (const [params, fragment, options] of list) {
        const pages = await allPages(`${params}&limit=7`);
        const found = pages.flatMap((p) => p.items.map((u) => u.id));
        expect(found, params).toEqual(await matching(fragment, options));
        expect(new Set(found).size).toBe(found.length);
        for (const page of pages) {
          expect(page.searched!.examined, params).toBeLessThanOrEqual(50);
          expect(page.items.length, params).toBeLessThanOrEqual(7);
          if (!page.searched!.complete) expect(page.nextCursor, params).not.toBeNull();
        }
      }
    };
    await withBounds({ rowsPerRequest: 50 }, () => followAll(cases));
    // With the bound a search's own business, the locked filter on a handful of lockouts is one page.
    const locked = await search('filter=locked&limit=100');
    expect(locked.items.map((u) => u.id).sort()).toEqual(toLock.map((u) => u.id).sort());
    expect(locked).toMatchObject({ nextCursor: null, searched: { examined: toLock.length, complete: true } });

    // More active lockouts than the bound (a wave of attacks): the locked filter walks every user instead, bounded too.
    const more = await db
      .selectFrom('users')
      .select(['id', 'tenant_id'])
      .where('email', 'like', '%moen%')
      .orderBy('email')
      .limit(60)
      .execute();
    for (const user of more)
      await lockAccount(
        db,
        { userId: user.id, tenantId: user.tenant_id, reason: 'sms_daily_limit', hours: 2, ip: null },
        server.clock.now(),
      );
    await withBounds({ rowsPerRequest: 50 }, async () => {
      await followAll(cases.filter(([params]) => params.includes('locked')));
      const cutShort = await search('filter=locked&q=zelda');
      expect(cutShort).toMatchObject({ items: [], searched: { complete: false } });
      expect(cutShort.searched!.examined).toBeGreaterThan(0);
    });
    await db
      .updateTable('lockouts')
      .set({ lifted_at: server.clock.now() })
      .where(
        'user_id',
        'in',
        more.map((u) => u.id),
      )
      .execute();
  });

  it('bounds the search of an operator who sees one tenant, too, and tells them no total of everyone', async () => {
    const small = await signedInOperator(server, 'tenant_admin', [tenant]);
    const bulk = await signedInOperator(server, 'tenant_admin', [bulkTenants[1]!]);
    const smallTenant = await tenantIdOf(tenant);
    const bulkTenant = await tenantIdOf(bulkTenants[1]!);
    await withBounds({ rowsPerRequest: 50 }, async () => {
      // "te" and "test" are in every user's email: common everywhere, but rare in the small tenant.
      for (const [q, fragment] of [
        ['te', 'te'],
        ['test', 'test'],
        ['zelda', 'zelda'],
        ['RARE.TEST', 'rare.test'],
      ] as const) {
        const pages = await allPages(`q=${encodeURIComponent(q)}&limit=5`, small.accessToken);
        expect(
          pages.flatMap((p) => p.items.map((u) => u.id)),
          q,
        ).toEqual(await matching(fragment, { tenantIds: [smallTenant] }));
        for (const page of pages) {
          expect(page.searched!.examined, q).toBeLessThanOrEqual(50);
          expect(page.searched!.total, q).toBeUndefined();
        }
        if (q === 'zelda') expect(pages, 'a rare fragment is one request').toHaveLength(1);
        else if (q !== 'RARE.TEST')
          expect(
            pages.some((p) => !p.searched!.complete),
            q,
          ).toBe(true);
        // Counted are the users this operator may see: here, everyone in the tenant matches.
        if (q === 'te' || q === 'test')
          expect(
            pages.reduce((sum, p) => sum + p.searched!.examined, 0),
            q,
          ).toBe((await matching('', { tenantIds: [smallTenant] })).length);
      }
      // A whole email's worth of fragment that is no one's email: the fragment search, all its pages.
      const emailLike = '0@fjord.test';
      const pages = await allPages(`q=${encodeURIComponent(emailLike)}&limit=5`, bulk.accessToken);
      expect(pages.flatMap((p) => p.items.map((u) => u.id))).toEqual(await matching(emailLike, { tenantIds: [bulkTenant] }));
    });
    await withBounds({ rowsPerRequest: 10 }, async () => {
      const pages = await allPages(`q=${encodeURIComponent('0@fjord.test')}&limit=5`, bulk.accessToken);
      // SQLite streams the trigram hits 10 at a time; PostgreSQL finds the fragment rare and asks its trigram index.
      if (dialect === 'sqlite') expect(pages.length).toBeGreaterThan(1);
      expect(pages.flatMap((p) => p.items.map((u) => u.id))).toEqual(await matching('0@fjord.test', { tenantIds: [bulkTenant] }));
    });
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
    for (const q of ['%', '_', '"', "'; drop table users; --", '\\', 'zzzzqqqq'])
      expect((await search(`q=${encodeURIComponent(q)}`)).items, q).toEqual([]);
  });

  it('finds users by what they are now: a changed phone, name or email is searchable at once, the old one is gone', async () => {
    const user = await server.addUser(tenant, 'before.change@rare.test', { phone: '+4791199881', name: 'Vidar Before' });
    await server.ctx.store.db
      .updateTable('users')
      .set({ phone: '+4791177662', name: 'Vidar Aftermath', email: 'after.change@rare.test' })
      .where('id', '=', user.id)
      .execute();
    for (const q of ['9117766', 'aftermath', 'after.change'])
      expect(
        (await search(`q=${q}`)).items.map((u) => u.id),
        q,
      ).toEqual([user.id]);
    for (const q of ['9119988', 'vidar before', 'before.change']) expect((await search(`q=${encodeURIComponent(q)}`)).items, q).toEqual([]);
  });

  it("cursors are sealed: a tenant admin cannot read another tenant's user out of a cut-short page, and a cursor is its operator's only", async () => {
    const admin = await signedInOperator(server, 'tenant_admin', [tenant]);
    const otherIds = (
      await server.ctx.store.db
        .selectFrom('users')
        .select('id')
        .where(
          'tenant_id',
          '!=',
          (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', tenant).executeTakeFirstOrThrow()).id,
        )
        .execute()
    ).map((r) => r.id);
    await withBounds({ rowsPerRequest: 50 }, async () => {
      const page = await search('q=zq', admin.accessToken);
      expect(page.nextCursor).not.toBeNull();
      const raw = Buffer.from(page.nextCursor!, 'base64url').toString('latin1');
      expect(otherIds.some((id) => raw.includes(id))).toBe(false);
      expect(raw).not.toMatch(/\[\d+,/);
      // The agent's own cursor is refused for the admin, and the other way round.
      const agentPage = await search('q=zq');
      for (const [cursor, token] of [
        [agentPage.nextCursor!, admin.accessToken],
        [page.nextCursor!, agent.accessToken],
      ] as const) {
        const refused = await server.call('GET', `/v1/admin/users?q=zq&cursor=${cursor}`, { token });
        expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      }
    });
  });

  it('refuses bad parameters with clear errors', async () => {
    // Sealed as the server seals cursors, so the check on what is inside is the one refusing it.
    const sealed = server.ctx.secrets.seal(JSON.stringify([1.5, 'x']), `cursor:users:${agent.id}`);
    const floatCursor = Buffer.from(sealed.slice(3), 'base64').toString('base64url');
    for (const params of [
      'limit=0',
      'limit=1000',
      'filter=sleepy',
      'cursor=not-a-cursor',
      `cursor=${floatCursor}`,
      'q=ab%00cd',
      'tenantId=%00',
      `q=${'x'.repeat(101)}`,
    ]) {
      const answer = await server.call('GET', `/v1/admin/users?${params}`, { token: agent.accessToken });
      expect(answer.status, params).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
    }
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant: 'a\u0000b', email: 'a@b.test', password: 'x' } });
    expect(login).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await server.call('POST', '/v1/auth/challenges/%00/verify', { body: { method: 'totp', code: '123456' } })).status).toBe(400);
  });
});
