import { resolve, join } from 'node:path';

export interface ServerConfig {
  dataDir: string;
  databaseUrl: string;
  encryptionKey: string | undefined;
  trustProxy: boolean;
  host: string;
  port: number;
  logLevel: string;
  /** Where users reach the server (or the portal in front of it): the base of emailed links. */
  publicUrl: string;
  outboxPath: string;
  delivery: {
    smsProvider: string;
    emailProvider: string;
    smsWebhookUrl: string | undefined;
    smsWebhookSecret: string | undefined;
    smtpUrl: string | undefined;
    mailFrom: string;
  };
}

/** Configuration from the environment (design/API.md, "Running it"). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(env.MFA_DESK_DATA_DIR ?? './data');
  const host = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 8080);
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || join(dataDir, 'mfa-desk.db'),
    encryptionKey: env.MFA_DESK_KEY || undefined,
    trustProxy: ['1', 'true', 'yes', 'on'].includes((env.TRUST_PROXY ?? '').toLowerCase()),
    host,
    port,
    logLevel: env.LOG_LEVEL ?? 'info',
    publicUrl: (env.MFA_DESK_PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, ''),
    outboxPath: resolve(env.MFA_DESK_OUTBOX || join(dataDir, 'outbox.jsonl')),
    delivery: {
      smsProvider: env.SMS_PROVIDER || 'outbox',
      emailProvider: env.EMAIL_PROVIDER || 'outbox',
      smsWebhookUrl: env.SMS_WEBHOOK_URL || undefined,
      smsWebhookSecret: env.SMS_WEBHOOK_SECRET || undefined,
      smtpUrl: env.SMTP_URL || undefined,
      mailFrom: env.MAIL_FROM || 'MFA Desk <no-reply@mfa-desk.invalid>',
    },
  };
}
