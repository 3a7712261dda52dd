import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPostgresCluster, startPrivatePostgres } from '../../scripts/private-postgres.js';

/**
 * The database a benchmark runs on: a throw-away one (the default), or one kept in `--data-dir` between
 * runs, so that seeding a million users (5-10 minutes on the 2-core VM) happens once, not per run. A
 * kept directory holds the SQLite file or a PostgreSQL cluster (`pg/`), the encryption key the data
 * was written with, and `seeded.json` once seeding finished (a run killed half-way seeds again).
 */
export interface BenchDatabase {
  /** Environment for createContext and the server process. */
  env: NodeJS.ProcessEnv;
  /** What a previous run seeded here, or null: seed now, then call markSeeded. */
  seeded: { users: number } | null;
  markSeeded(info: { users: number }): void;
  close(): void;
}

export async function openBenchDatabase(db: 'sqlite' | 'postgres', keptDir?: string): Promise<BenchDatabase> {
  const dir = keptDir ? resolve(keptDir) : mkdtempSync(join(tmpdir(), 'mfa-bench-'));
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, 'seeded.json');
  const seeded = keptDir && existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as { users: number; db: string }) : null;
  if (seeded && seeded.db !== db) throw new Error(`${dir} holds a ${seeded.db} database, not ${db}`);
  if (!seeded && keptDir) {
    // Half-seeded or foreign: start from nothing, rather than measure on a database of unknown size.
    for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  const keyFile = join(dir, 'key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MFA_DESK_DATA_DIR: dir,
    MFA_DESK_KEY: readFileSync(keyFile, 'utf8').trim(),
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
  };
  let stopPostgres = () => {};
  if (db === 'postgres') {
    if (keptDir) {
      // Outlives the run (stopped, not deleted); shared_buffers as a server with this much data would have.
      const cluster = await startPostgresCluster(join(dir, 'pg'), { settings: ['-c shared_buffers=1GB'] });
      env.DATABASE_URL = cluster.url;
      stopPostgres = () => cluster.stop();
    } else {
      const cluster = await startPrivatePostgres();
      env.DATABASE_URL = cluster.url;
      stopPostgres = () => cluster.stop();
    }
  }
  return {
    env,
    seeded: seeded && { users: seeded.users },
    markSeeded: (info) => {
      if (keptDir) writeFileSync(marker, `${JSON.stringify({ ...info, db })}\n`);
    },
    close: () => {
      stopPostgres();
      if (!keptDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
