import type { ChildProcess } from 'node:child_process';
import { configFromEnv } from '../../src/server/config.js';
import { openBenchDatabase } from '../support/kept-database.js';
import { startServerProcess, stopProcess } from '../support/server-process.js';
import { seedBenchUsers, type Seeded, type SeedSet } from './seed.js';

export interface RunningMfaDesk<K extends string> {
  url: string;
  seeded: Seeded<K>;
  server: ChildProcess;
  /** Stops the server, waits for it to exit, and removes the throw-away database (and its PostgreSQL cluster). */
  stop(): Promise<void>;
}

/**
 * A throw-away database seeded with `sets`, then `mfa-desk serve` on it as its own process
 * (LOG_LEVEL=warn). The caller stops it, also on failure.
 */
export async function startSeededMfaDesk<K extends string>(
  db: 'sqlite' | 'postgres',
  sets: Record<K, SeedSet>,
): Promise<RunningMfaDesk<K>> {
  const database = await openBenchDatabase(db);
  let server: ChildProcess | undefined;
  const stop = async () => {
    await stopProcess(server);
    database.close();
  };
  try {
    const seeded = await seedBenchUsers(configFromEnv(database.env), sets);
    const started = await startServerProcess(database.env);
    server = started.child;
    return { url: started.url, seeded, server, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
