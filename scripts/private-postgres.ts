import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away PostgreSQL cluster for one test or benchmark run: initdb into a temp folder, start on a
 * free loopback port, trust auth, fsync off (nothing here must survive a crash). Nobody has to set up
 * a database by hand; the cluster is deleted on stop.
 */
export interface PrivatePostgres {
  /** postgres://... of the `postgres` database; create more with createDatabase. */
  url: string;
  urlFor(database: string): string;
  stop(): void;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql); set PG_BIN_DIR to its bin folder');
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return join(root, version!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPrivatePostgres(options: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-desk-pg-'));
  const cluster = await startPostgresCluster(dir, { ...options, startTimeoutSeconds: 60 });
  return {
    ...cluster,
    stop() {
      try {
        cluster.stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A cluster in `dir/data` (created by initdb on first use, reused after), started on a free loopback
 * port with the settings above plus `settings`; the caller stops it, and deletes `dir` if it wants.
 * Benchmarks keep one between runs (bench/support/kept-database.ts).
 */
export async function startPostgresCluster(
  dir: string,
  options: { maxConnections?: number; settings?: string[]; startTimeoutSeconds?: number } = {},
): Promise<{ url: string; urlFor(database: string): string; stop(mode?: 'fast' | 'immediate'): void }> {
  const bin = postgresBinDir();
  const dataDir = join(dir, 'data');
  // PostgreSQL refuses to run as root: when we are root, run it as the `postgres` system user.
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    if (asRoot) {
      chmodSync(dir, 0o777);
      execFileSync('chown', ['postgres', dir]);
    }
    run('initdb', ['-D', dataDir, '-U', 'mfadesk', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  }
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    `-c max_connections=${options.maxConnections ?? 300}`,
    ...(options.settings ?? []),
  ].join(' ');
  run('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(dir, 'postgres.log'),
    '-o',
    settings,
    '-w',
    '-t',
    String(options.startTimeoutSeconds ?? 120),
    'start',
  ]);
  const urlFor = (database: string) => `postgres://mfadesk@127.0.0.1:${port}/${database}`;
  return { url: urlFor('postgres'), urlFor, stop: (mode = 'fast') => run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']) };
}
