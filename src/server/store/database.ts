import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationResultSet, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { allMigrations } from './migrations/index.js';
import { withPreparedStatements } from './postgres-statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** PostgreSQL BIGINT (int8) arrives as a string by default; our BIGINTs are epoch milliseconds, safe as numbers. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens the store: PostgreSQL when `url` is a postgres URL, else a SQLite file (created with its folder).
 * SQLite runs in WAL mode with a busy timeout so a CLI command and a running server can share the file.
 */
export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes });
    // Every query the server sends is a short request's (a millisecond or a few): JIT compilation
    // (15 ms) and launching parallel workers (about 10 ms a query on two cores, measured on the
    // week-keyed search of migration 009) never pay for themselves there. Set per connection rather
    // than as a startup `options` parameter, which PgBouncer and some managed proxies refuse (behind
    // PgBouncer in transaction mode a session SET does not stick either: set both on the server). The
    // query is queued before any other on the new connection; should it fail, the connection works
    // as before, only without these two settings.
    pool.on('connect', (client) => {
      client.query('SET jit = off; SET max_parallel_workers_per_gather = 0').catch(() => {});
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
  const sqlite = new SQLite(url);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; our queries are a few hundred distinct SQL strings, so keeping
 * the prepared statements saves SQLite's parse and plan on every request of the hot paths.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => allMigrations(store.dialect) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
