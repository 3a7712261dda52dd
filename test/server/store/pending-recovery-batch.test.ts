import { randomBytes } from 'node:crypto';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../src/server/bootstrap.js';
import { ManualClock } from '../../../src/server/clock.js';
import { configFromEnv } from '../../../src/server/config.js';
import type { ServerContext } from '../../../src/server/context.js';
import { completeEnrollment } from '../../../src/server/flows/enrollment-completion.js';
import { openStore } from '../../../src/server/store/database.js';
import { allMigrations } from '../../../src/server/store/migrations/index.js';
import { pendingRecoveryBatchSchema } from '../../../src/server/store/migrations/010_pending_recovery_batch.js';
import { findSessionById, insertSession } from '../../../src/server/store/repositories/sessions.js';
import { findTenantById } from '../../../src/server/store/repositories/tenants.js';
import { findUserById } from '../../../src/server/store/repositories/users.js';
import { policyPresets } from '../../../src/shared/policy.js';
import { dialects, freshDatabase, type TestDatabase } from '../../support/databases.js';

/**
 * Migration 010 moves the pending recovery-code batch of a confirmed authenticator app from its
 * factor row to the user, next to the phone's: databases with enrollments half done keep working.
 */
describe.each(dialects)('the pending recovery batch migration on %s', (dialect) => {
  let database: TestDatabase;
  let ctx: ServerContext;
  const now = Date.UTC(2026, 11, 1, 9);
  const ids = { tenant: 't1', app: 'u-app', phone: 'u-phone', both: 'u-both', phoneLast: 'u-phone-last' };

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    const store = openStore(database.url);
    const migrations = allMigrations(store.dialect);
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    const before = await migrator.migrateTo('009_postgres_search_buckets');
    if (before.error) throw before.error;
    // Rows as the code before migration 010 wrote them (columns it no longer knows).
    const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await db
      .insertInto('tenants')
      .values({ id: ids.tenant, slug: 'legacy', name: 'Legacy AS', policy: JSON.stringify(policyPresets.sms), created_at: now })
      .execute();
    const user = (id: string, phone: string | null, pending: string | null) => ({
      id,
      tenant_id: ids.tenant,
      email: `${id}@legacy.test`,
      name: id,
      phone,
      locale: 'en',
      password_hash: 'x',
      password_changed_at: now,
      mfa_enrolled_at: null,
      recovery_batch_id: null,
      pending_recovery_batch_id: pending,
      disabled_at: null,
      created_at: now,
    });
    await db
      .insertInto('users')
      .values([
        user(ids.app, null, null),
        user(ids.phone, '+4791234567', 'b-phone'),
        user(ids.both, '+4791234568', 'b-both-phone'),
        user(ids.phoneLast, '+4791234569', 'b-last-phone'),
      ])
      .execute();
    const factor = (id: string, userId: string, batch: string) => ({
      id,
      user_id: userId,
      secret_enc: 'sealed',
      status: 'confirmed',
      last_used_step: 1,
      recovery_batch_id: batch,
      created_at: now,
      activated_at: null,
    });
    await db
      .insertInto('totp_factors')
      .values([factor('f-app', ids.app, 'b-app'), factor('f-both', ids.both, 'b-both-app'), factor('f-last', ids.phoneLast, 'b-last-app')])
      .execute();
    // When each batch was shown: the codes shown last are the ones that go live.
    const issued: Array<[string, string, number]> = [
      [ids.app, 'b-app', now],
      [ids.phone, 'b-phone', now],
      [ids.both, 'b-both-phone', now - 1000],
      [ids.both, 'b-both-app', now],
      [ids.phoneLast, 'b-last-app', now - 1000],
      [ids.phoneLast, 'b-last-phone', now],
    ];
    await db
      .insertInto('recovery_codes')
      .values(
        issued.map(([userId, batch, at]) => ({
          id: `${batch}-1`,
          user_id: userId,
          batch_id: batch,
          code_hash: `h-${batch}`,
          used_at: null,
          created_at: at,
        })),
      )
      .execute();
    await store.close();
    ctx = await createContext(
      configFromEnv({ MFA_DESK_DATA_DIR: database.dataDir, DATABASE_URL: database.url, MFA_DESK_KEY: randomBytes(32).toString('base64') }),
      new ManualClock(now),
    );
  });
  afterAll(async () => {
    await ctx?.store.close();
    await database?.drop();
  });

  it("moves a confirmed app's batch to the user and marks whose confirmation issued each batch", async () => {
    const rows = await ctx.store.db
      .selectFrom('users')
      .select(['id', 'pending_recovery_batch_id', 'pending_recovery_factor'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: ids.app, pending_recovery_batch_id: 'b-app', pending_recovery_factor: 'totp' },
      // Both confirmed, the app last: its codes were shown last, and go live.
      { id: ids.both, pending_recovery_batch_id: 'b-both-app', pending_recovery_factor: 'totp' },
      { id: ids.phone, pending_recovery_batch_id: 'b-phone', pending_recovery_factor: 'sms' },
      // Both confirmed, the phone last: the phone's codes stay pending (the app is still activated).
      { id: ids.phoneLast, pending_recovery_batch_id: 'b-last-phone', pending_recovery_factor: 'sms' },
    ]);
    // The migration may run again (SQLite runs it outside a transaction): nothing changes.
    await pendingRecoveryBatchSchema(dialect).up(ctx.store.db as unknown as Kysely<unknown>);
    const again = await ctx.store.db
      .selectFrom('users')
      .select(['id', 'pending_recovery_batch_id', 'pending_recovery_factor'])
      .orderBy('id')
      .execute();
    expect(again).toEqual(rows);
  });

  it('lets each half-done enrollment complete with the batch its user was shown', async () => {
    const tenant = (await findTenantById(ctx.store.db, ids.tenant))!;
    for (const [userId, batch, method] of [
      [ids.app, 'b-app', 'totp'],
      [ids.phone, 'b-phone', 'sms'],
      [ids.both, 'b-both-app', 'totp'],
      // The app confirmed too: it is activated, with the codes shown last.
      [ids.phoneLast, 'b-last-phone', 'totp'],
    ] as const) {
      const user = (await findUserById(ctx.store.db, userId))!;
      const { session } = await insertSession(
        ctx.store.db,
        { userId, kind: 'enrollment', ip: '127.0.0.1', expiresAt: now + 60_000, secondFactorAt: null },
        now,
      );
      const answer = await completeEnrollment(
        ctx,
        { session: (await findSessionById(ctx.store.db, session.id))!, user, tenant },
        { ip: '127.0.0.1', userAgent: 'test' },
      );
      expect(answer.sessionToken).toBeTruthy();
      const after = (await findUserById(ctx.store.db, userId))!;
      expect(after).toMatchObject({
        recovery_batch_id: batch,
        pending_recovery_batch_id: null,
        pending_recovery_factor: null,
        mfa_enrolled_at: now,
      });
      const event = await ctx.store.db
        .selectFrom('audit_events')
        .select('details')
        .where('user_id', '=', userId)
        .where('action', '=', 'enrollment.completed')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(event.details)).toMatchObject({ method });
    }
  });
});
