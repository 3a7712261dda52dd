import { resolve, join } from 'node:path';

export interface ServerConfig {
  dataDir: string;
  databaseUrl: string;
  encryptionKey: string | undefined;
  trustProxy: boolean;
  host: string;
  port: number;
  logLevel: string;
}

/** Configuration from the environment (design/API.md, "Running it"). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(env.MFA_DESK_DATA_DIR ?? './data');
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || join(dataDir, 'mfa-desk.db'),
    encryptionKey: env.MFA_DESK_KEY || undefined,
    trustProxy: ['1', 'true', 'yes', 'on'].includes((env.TRUST_PROXY ?? '').toLowerCase()),
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 8080),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
