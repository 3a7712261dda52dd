import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Dialect } from '../../src/server/store/database.js';

/** Every store and HTTP suite runs once per database. */
export const dialects: Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a SQLite file in a temp dir, or a new database in the run's PostgreSQL. */
export async function freshDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mfa-desk-test-'));
  if (dialect === 'sqlite') {
    return { url: join(dataDir, 'test.db'), dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    // No WITH (FORCE): terminating a backend whose client is just closing makes that client emit an
    // unhandled error. Closed pools finish disconnecting within moments, so wait for them instead.
    drop: async () => {
      const client = new pg.Client(adminUrl);
      await client.connect();
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
