import { sql } from 'kysely';
import { createContext } from '../../src/server/bootstrap.js';
import { configFromEnv } from '../../src/server/config.js';
import type { ServerContext } from '../../src/server/context.js';
import { seedBulkUsers } from '../../src/server/flows/bulk-seed.js';
import { openBenchDatabase, type BenchDatabase } from './kept-database.js';

/**
 * A database of `users` realistic users (the same code as `mfa-desk seed-bench`), seeded now or, in a
 * kept `dataDir`, by an earlier run; migrated to the current schema and analyzed. The caller closes
 * `ctx` before starting the server process and `database` at the end.
 */
export async function openSeededDatabase(
  db: 'sqlite' | 'postgres',
  users: number,
  dataDir?: string,
): Promise<{ database: BenchDatabase; ctx: ServerContext; seedSeconds: number | null }> {
  const database = await openBenchDatabase(db, dataDir);
  if (database.seeded && database.seeded.users !== users) {
    database.close();
    throw new Error(`${dataDir} holds ${database.seeded.users} users, not ${users}: use another --data-dir`);
  }
  const ctx = await createContext(configFromEnv(database.env));
  let seedSeconds: number | null = null;
  if (!database.seeded) {
    const started = Date.now();
    let lastPrint = 0;
    await seedBulkUsers(ctx, {
      users,
      onProgress: (done) => {
        if (Date.now() - lastPrint > 5000 || done === users) {
          lastPrint = Date.now();
          console.log(`seeded ${done}/${users} (${Math.round(done / ((Date.now() - started) / 1000))}/s)`);
        }
      },
    });
    seedSeconds = (Date.now() - started) / 1000;
  }
  // As autovacuum leaves a table that has been loaded a while ago: statistics, and the visibility
  // map that lets the search walk its index without touching the table. Cheap on a kept database.
  if (ctx.store.dialect === 'postgres') {
    await sql`VACUUM ANALYZE users`.execute(ctx.store.db);
    await sql`VACUUM ANALYZE user_search`.execute(ctx.store.db);
    // A server that has run a while has its search table and indexes in memory: load them now, not
    // during the measured requests (the cluster is started afresh for every run).
    await sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm`.execute(ctx.store.db);
    for (const relation of [
      'user_search',
      'user_search_walk',
      'user_search_trgm',
      'user_search_bucket_trgm',
      'user_search_pkey',
      'users',
      'users_pkey',
    ])
      await sql`SELECT pg_prewarm(${relation}::regclass)`.execute(ctx.store.db);
  } else await sql`ANALYZE`.execute(ctx.store.db);
  database.markSeeded({ users });
  return { database, ctx, seedSeconds };
}
