import type { TestProject } from 'vitest/node';
import { startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let postgres: PrivatePostgres | undefined;

/**
 * One private PostgreSQL for the whole run (each test file makes its own databases in it), unless
 * TEST_POSTGRES_URL points at an existing server.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.TEST_POSTGRES_URL) {
    project.provide('postgresUrl', process.env.TEST_POSTGRES_URL);
    return;
  }
  postgres = await startPrivatePostgres();
  project.provide('postgresUrl', postgres.url);
}

export function teardown(): void {
  postgres?.stop();
}
