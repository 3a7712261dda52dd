import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserSummary } from '../../../src/shared/api/admin.js';
import { userSearchBounds } from '../../../src/server/admin/user-search.js';
import { decodeCursor } from '../../../src/server/admin/cursor.js';
import { searchBucketOf } from '../../../src/server/admin/user-search-buckets.js';
import { SEARCH_BUCKET_MS } from '../../../src/server/store/migrations/009_postgres_search_buckets.js';
import { countedTrigrams, trigramCountsCache } from '../../../src/server/admin/user-search-trigrams.js';
import { seedBulkUsers } from '../../../src/server/flows/bulk-seed.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

type Page = { items: UserSummary[]; nextCursor: string | null; searched?: { examined: number; complete: boolean } };

/**
 * What the search keeps beside the users table, so it can decide before reading: PostgreSQL's counts
 * of users per trigram (migration 007), SQLite's narrow search text for short fragments (migration
 * 008). Both must follow every insert, update and delete of a user.
 */
describe.each(dialects)('user search side tables on %s', (dialect) => {
  let server: TestServer;
  let agent: SignedInOperator;
  let tenant: string;
  const savedTtl = trigramCountsCache.ttlMs;
  beforeAll(async () => {
    // Each search reads the counts as they are now: these tests change them between searches.
    trigramCountsCache.ttlMs = 0;
    server = await startTestServer(dialect);
    await seedBulkUsers(server.ctx, { users: 1500, tenants: 2 });
    tenant = await server.addTenant({}, 'sms');
    agent = await signedInOperator(server, 'support');
  });
  afterAll(async () => {
    trigramCountsCache.ttlMs = savedTtl;
    await server.close();
  });

  const search = async (params: string) => {
    const answer = await server.call<Page>('GET', `/v1/admin/users?${params}`, { token: agent.accessToken });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const withBound = async (rowsPerRequest: number, body: () => Promise<void>) => {
    const saved = userSearchBounds.rowsPerRequest;
    userSearchBounds.rowsPerRequest = rowsPerRequest;
    try {
      await body();
    } finally {
      userSearchBounds.rowsPerRequest = saved;
    }
  };

  /** The kept counts next to the same counts taken from scratch, zeros left out. */
  const keptAndRecounted = async () => {
    const { db } = server.ctx.store;
    const kept = await sql<{
      trigram: string;
      users: string;
    }>`SELECT trigram, users FROM user_search_trigrams WHERE users <> 0 ORDER BY trigram`.execute(db);
    const recount = await sql<{ trigram: string; users: string }>`SELECT trigram, users FROM (
        SELECT t AS trigram, count(*) AS users FROM users u, user_search_trigrams_of(lower(u.email) || ' ' || lower(u.name) || ' ' || coalesce(u.phone, '')) t GROUP BY t
      ) c ORDER BY trigram`.execute(db);
    const asMap = (rows: Array<{ trigram: string; users: string }>) => Object.fromEntries(rows.map((r) => [r.trigram, Number(r.users)]));
    return { kept: asMap(kept.rows), recount: asMap(recount.rows) };
  };
  /** The kept users per week and tenant (migration 009) next to the same counts taken from scratch. */
  const weekSizesKeptAndRecounted = async () => {
    const { db } = server.ctx.store;
    const kept = await sql<{
      key: string;
      users: string;
    }>`SELECT bucket || ' ' || tenant_id AS key, users FROM user_search_bucket_sizes WHERE users <> 0`.execute(db);
    const recount = await sql<{
      key: string;
      users: string;
    }>`SELECT user_search_bucket(created_at) || ' ' || tenant_id AS key, count(*) AS users FROM users GROUP BY 1`.execute(db);
    const asMap = (rows: Array<{ key: string; users: string }>) => Object.fromEntries(rows.map((r) => [r.key, Number(r.users)]));
    return { keptSizes: asMap(kept.rows), recountedSizes: asMap(recount.rows) };
  };
  const expectExactWeekSizes = async () => {
    const { keptSizes, recountedSizes } = await weekSizesKeptAndRecounted();
    expect(keptSizes).toEqual(recountedSizes);
  };
  const countOf = async (trigram: string) =>
    Number(
      (await sql<{ users: string }>`SELECT users FROM user_search_trigrams WHERE trigram = ${trigram}`.execute(server.ctx.store.db)).rows[0]
        ?.users ?? 0,
    );

  it.runIf(dialect === 'postgres')(
    'keeps the trigram counts and the users per week exact through inserts (one and many), changes of email, name, phone or tenant, and deletes',
    async () => {
      const { db } = server.ctx.store;
      let { kept, recount } = await keptAndRecounted();
      expect(kept).toEqual(recount);
      await expectExactWeekSizes();
      expect(kept.tes).toBe(1500);
      expect(await countOf('xqz')).toBe(0);

      // One user at a time, as provisioning creates them; two with the same rare trigram count twice.
      const first = await server.addUser(tenant, 'xqzel.one@counts.test', { name: 'Xqzel One', phone: '+4791230001' });
      const second = await server.addUser(tenant, 'xqzel.two@counts.test', { name: 'Xqzel Two' });
      expect(await countOf('xqz')).toBe(2);
      // A user holding a trigram twice ("xqz" in email and name) counts once: counts are of users.
      ({ kept, recount } = await keptAndRecounted());
      expect(kept).toEqual(recount);
      await expectExactWeekSizes();

      // Many in one statement (the bulk seed's inserts).
      await seedBulkUsers(server.ctx, { users: 600, tenants: 1 });
      ({ kept, recount } = await keptAndRecounted());
      expect(kept).toEqual(recount);
      await expectExactWeekSizes();
      // Every email ends in ".test": "tes" is everyone's.
      expect(kept.tes).toBe(2102);

      // Changed email, name, phone: the old text's trigrams go, the new ones come.
      await db
        .updateTable('users')
        .set({ email: 'plain.one@counts.test', name: 'Plain One', phone: '+4791239999' })
        .where('id', '=', first.id)
        .execute();
      expect(await countOf('xqz')).toBe(1);
      expect(await countOf('999')).toBeGreaterThan(0);
      // A new tenant or an unrelated column leaves the counts alone.
      const otherTenant = (await db.selectFrom('tenants').select('id').where('slug', '!=', tenant).executeTakeFirstOrThrow()).id;
      await db.updateTable('users').set({ tenant_id: otherTenant, failed_code_count: 3 }).where('id', '=', second.id).execute();
      ({ kept, recount } = await keptAndRecounted());
      expect(kept).toEqual(recount);
      await expectExactWeekSizes();

      // Deleted users (one, then many in one statement) take their trigrams with them.
      await db.deleteFrom('users').where('id', '=', second.id).execute();
      expect(await countOf('xqz')).toBe(0);
      // Bulk-seeded users have nothing that refers to them.
      const some = await db.selectFrom('users').select('id').where('email', 'like', '%hansen%').limit(40).execute();
      expect(some.length).toBeGreaterThan(1);
      await db
        .deleteFrom('users')
        .where(
          'id',
          'in',
          some.map((u) => u.id),
        )
        .execute();
      ({ kept, recount } = await keptAndRecounted());
      expect(kept).toEqual(recount);
      await expectExactWeekSizes();
      expect(kept.tes).toBe(2102 - 1 - some.length);
    },
  );

  it.runIf(dialect === 'postgres')(
    'answers a fragment whose rarest trigram is rare from the trigram index, complete in one request, even where a bounded walk finds some but not all',
    async () => {
      // 30 users early in creation order and 5 at the very end hold "wyx", which no one else has;
      // their other trigrams ("han", "sen") are everyone's. A walk bounded at 200 users meets the early
      // ones and stops with a cursor; the counts say "wyx" is in 35 users, so the index hands over those.
      const { db } = server.ctx.store;
      const early = await db.selectFrom('users').select('id').orderBy('created_at').orderBy('id').limit(30).execute();
      for (const [i, u] of early.entries())
        await db
          .updateTable('users')
          .set({ name: `Wyxa Hansen ${i}` })
          .where('id', '=', u.id)
          .execute();
      const late: string[] = [];
      for (let i = 0; i < 5; i++) late.push((await server.addUser(tenant, `late${i}@counts.test`, { name: `Wyxa Hansen late ${i}` })).id);
      await withBound(200, async () => {
        const page = await search('q=wyxa%20hansen&limit=100');
        expect(page.items.map((u) => u.id).sort()).toEqual([...early.map((u) => u.id), ...late].sort());
        expect(page).toMatchObject({ nextCursor: null, searched: { complete: true, examined: 35 } });
        // No user has "zqw": nothing to read, the answer is complete at once.
        expect(await search('q=zqwa')).toMatchObject({ items: [], nextCursor: null, searched: { examined: 0, complete: true } });
        // Without a trigram the walk is bounded and goes on by cursor.
        expect((await search('q=wy&limit=100')).searched).toMatchObject({ examined: 200, complete: false });
      });
    },
  );

  it.runIf(dialect === 'postgres')(
    'takes digits from the week-keyed trigram index week by week in creation order, and goes on by cursor to the next week when the bound is spent',
    async () => {
      // Bound 200, candidate cost 5: the plain trigram index may hand over 40 candidates. 45 users
      // each hold one of "582", "829", "291" (too common for it); a few hold "58291", so all three:
      // two early in creation order, the rest created now, in the last week.
      const { db } = server.ctx.store;
      expect(
        await sql<{ week: number }>`SELECT user_search_bucket(${server.clock.now()}) AS week`
          .execute(db)
          .then((r) => Number(r.rows[0]!.week)),
      ).toBe(searchBucketOf(server.clock.now()));
      const added: string[] = [];
      const add = async (label: string, phone: string) =>
        added.push((await server.addUser(tenant, `${label}@digits.test`, { name: 'Digit User', phone })).id);
      for (const [prefix, group] of [
        ['4790582', 'a'],
        ['4790829', 'b'],
        ['4790291', 'c'],
      ] as const)
        for (let i = 10; i < 55; i++) await add(`${group}${i}`, `+${prefix}0${i}`);
      const early = await db
        .selectFrom('users')
        .select('id')
        .where('email', 'not like', '%@digits.test')
        .orderBy('created_at')
        .orderBy('id')
        .limit(2)
        .execute();
      for (const [i, u] of early.entries())
        await db
          .updateTable('users')
          .set({ phone: `+479582917${i}` })
          .where('id', '=', u.id)
          .execute();
      for (let i = 0; i < 3; i++) await add(`both${i}`, `+479582918${i}`);
      const expected = async () =>
        (await db.selectFrom('users').select('id').where('phone', 'like', '%58291%').orderBy('created_at').orderBy('id').execute()).map(
          (u) => u.id,
        );
      /** Every page, following the cursors. */
      const allPages = async (params: string) => {
        const pages: Page[] = [];
        let cursor: string | null = null;
        do {
          const page: Page = await search(`${params}${cursor ? `&cursor=${cursor}` : ''}`);
          pages.push(page);
          cursor = page.nextCursor;
        } while (cursor && pages.length < 200);
        return pages;
      };
      const everyone = Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const weeks = Number(
        (await sql<{ n: string }>`SELECT count(DISTINCT user_search_bucket(created_at)) AS n FROM users`.execute(db)).rows[0]!.n,
      );
      await withBound(200, async () => {
        expect(countedTrigrams('58291').map((t) => t.trigram)).toEqual(['582', '829', '291']);
        for (const t of ['582', '829', '291']) expect(await countOf(t), t).toBeGreaterThan(40);
        // The bound buys a few of the ~150 weeks a request: the early holders come on the first
        // pages, those of this week on the last, and every page cut short says how many users its
        // weeks held and points at the next week.
        const pages = await allPages('q=58291&limit=10');
        expect(pages.flatMap((p) => p.items.map((u) => u.id))).toEqual(await expected());
        expect(pages.length).toBeGreaterThan(3);
        expect(pages.length).toBeLessThan(weeks);
        expect(pages.slice(0, -1).every((p) => p.searched!.complete === false && p.nextCursor !== null)).toBe(true);
        expect(pages.at(-1)!.searched).toMatchObject({ complete: true });
        // Each cut-short page's cursor is the start of a week: the week-keyed index, not a walk.
        for (const p of pages.slice(0, -1)) {
          const at = decodeCursor(server.ctx.secrets, `users:${agent.id}`, p.nextCursor!)!;
          expect(at.id).toBe('');
          expect(at.key % SEARCH_BUCKET_MS).toBe(0);
        }
        const cut = pages.slice(0, -1).reduce((sum, p) => sum + p.searched!.examined, 0);
        expect(cut).toBeGreaterThan(everyone / 2);
        expect(cut).toBeLessThanOrEqual(everyone);
        // One match a page: pages fill mid-week, and a page cut short after one counts exactly the
        // users from its cursor to the next (only those of its first week after the cursor).
        const onePerPage = await allPages('q=58291&limit=1');
        expect(onePerPage.flatMap((p) => p.items.map((u) => u.id))).toEqual(await expected());
        let from: { key: number; id: string } | null = null;
        for (const p of onePerPage) {
          const to = p.nextCursor ? decodeCursor(server.ctx.secrets, `users:${agent.id}`, p.nextCursor) : null;
          if (!p.searched!.complete) {
            const covered = await sql<{ n: string }>`SELECT count(*) AS n FROM users
            WHERE ${from ? sql`(created_at, id) > (${from.key}, ${from.id})` : sql`true`} AND created_at < ${to!.key}`.execute(db);
            expect(p.searched!.examined).toBe(Number(covered.rows[0]!.n));
          }
          from = to;
        }

        // The users per week are read at most every trigramCountsCache.ttlMs; a search that would end
        // at the last week it knows reads them again, so the first user of a new week is found at once.
        trigramCountsCache.ttlMs = 60_000;
        try {
          await search('q=58291&limit=10');
          server.clock.advance(14 * 24 * 60 * 60 * 1000);
          // Two weeks on, the access token has expired: sign in again.
          agent = await signedInOperator(server, 'support');
          await add('next-week', '+4795829190');
          const again = await allPages('q=58291&limit=10');
          expect(again.flatMap((p) => p.items.map((u) => u.id))).toEqual(await expected());
          expect((await expected()).at(-1)).toBe(added.at(-1));
        } finally {
          trigramCountsCache.ttlMs = 0;
        }
      });
      await db.deleteFrom('users').where('id', 'in', added).execute();
      for (const u of early) await db.updateTable('users').set({ phone: null }).where('id', '=', u.id).execute();
    },
  );

  it('finds short fragments by what users are now: inserts, changes and deletes reach the walk at once', async () => {
    const { db } = server.ctx.store;
    await withBound(100_000, async () => {
      const user = await server.addUser(tenant, 'short.fragment@counts.test', { name: 'Jqa Before' });
      expect((await search('q=jq')).items.map((u) => u.id)).toContain(user.id);
      await db.updateTable('users').set({ name: 'Plain After' }).where('id', '=', user.id).execute();
      expect((await search('q=jq')).items.map((u) => u.id)).not.toContain(user.id);
      await db.updateTable('users').set({ email: 'jq.short@counts.test' }).where('id', '=', user.id).execute();
      expect((await search('q=jq')).items.map((u) => u.id)).toContain(user.id);
      await db.deleteFrom('users').where('id', '=', user.id).execute();
      expect((await search('q=jq')).items.map((u) => u.id)).not.toContain(user.id);
    });
  });

  // Last: it deletes every user.
  it.runIf(dialect === 'postgres')(
    'answers with nothing, not an error, when every user was deleted since the counts and weeks were read',
    async () => {
      const { db } = server.ctx.store;
      for (const group of ['582', '829', '291'])
        for (let i = 10; i < 55; i++)
          await server.addUser(tenant, `gone${group}${i}@digits.test`, { name: 'Gone User', phone: `+4790${group}0${i}` });
      trigramCountsCache.ttlMs = 60_000;
      try {
        await withBound(200, async () => {
          // Counts and weeks read now, with those users there: the week-keyed path, page after page,
          // to the cursor of the last page (whose weeks reach the last one known).
          let cursor: string | null = null;
          let last: string | null = null;
          do {
            const page: Page = await search(`q=58291${cursor ? `&cursor=${cursor}` : ''}`);
            last = cursor;
            cursor = page.nextCursor;
          } while (cursor);
          expect(last).not.toBeNull();
          await db.deleteFrom('users').execute();
          const after = await search(`q=58291&cursor=${last}`);
          expect(after).toMatchObject({ items: [], nextCursor: null, searched: { complete: true } });
        });
      } finally {
        trigramCountsCache.ttlMs = 0;
      }
    },
  );
});
