import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPrivatePostgres } from '../../scripts/private-postgres.js';

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
  const env: NodeJS.ProcessEnv = { ...process.env, MFA_DESK_DATA_DIR: dir, MFA_DESK_KEY: readFileSync(keyFile, 'utf8').trim(), LOG_LEVEL: 'warn', DATABASE_URL: '' };
  let stopPostgres = () => {};
  if (db === 'postgres') {
    if (keptDir) {
      const cluster = await startKeptPostgres(join(dir, 'pg'));
      env.DATABASE_URL = cluster.url;
      stopPostgres = cluster.stop;
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

function postgresBin(cmd: string): string {
  if (process.env.PG_BIN_DIR) return join(process.env.PG_BIN_DIR, cmd);
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0]!;
  return join(root, version, 'bin', cmd);
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A PostgreSQL cluster in `dir` that outlives the run: the same settings as scripts/private-postgres.ts
 * (trust auth on loopback, fsync off), created on first use, stopped (not deleted) at the end.
 */
async function startKeptPostgres(dir: string): Promise<{ url: string; stop: () => void }> {
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', postgresBin(cmd), ...args]] : [postgresBin(cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    if (asRoot) {
      chmodSync(dir, 0o777);
      execFileSync('chown', ['postgres', dir]);
    }
    run('initdb', ['-D', data, '-U', 'mfadesk', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  }
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=300', '-c shared_buffers=1GB'].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', settings, '-w', '-t', '120', 'start']);
  return { url: `postgres://mfadesk@127.0.0.1:${port}/postgres`, stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']) };
}
