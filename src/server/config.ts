import { resolve, join } from 'node:path';

export interface ServerConfig {
  dataDir: string;
  databaseUrl: string;
  encryptionKey: string | undefined;
  /**
   * Which proxies in front of the server to believe about the client IP: false (none, the socket
   * address is the client), a number of hops (the load balancers in front), or their addresses/CIDRs.
   */
  trustProxy: TrustProxy;
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
    /** none (devices poll) | webpush (needs the VAPID keys). */
    pushProvider: string;
    vapidPublicKey: string | undefined;
    vapidPrivateKey: string | undefined;
    vapidSubject: string;
    /** Tests only: Web Push to a local plain-HTTP push service. */
    webPushAllowLocalEndpoints: boolean;
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
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
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
      pushProvider: env.PUSH_PROVIDER || 'none',
      vapidPublicKey: env.VAPID_PUBLIC_KEY || undefined,
      vapidPrivateKey: env.VAPID_PRIVATE_KEY || undefined,
      vapidSubject: env.VAPID_SUBJECT || 'mailto:no-reply@mfa-desk.invalid',
      webPushAllowLocalEndpoints: env.WEB_PUSH_ALLOW_LOCAL_ENDPOINTS === '1',
    },
  };
}

export type TrustProxy = false | number | string[];

/**
 * TRUST_PROXY: off; `true` (= 1 hop: one load balancer); a hop count; or a comma-separated list of
 * the proxies' addresses or CIDRs. Never "believe the whole header": its left-most entries are
 * whatever the client wrote, so the client IP is taken that many hops from the right, past the
 * proxies we run, and a forged entry cannot pose as an IP the user signed in from before.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(text)) return false;
  if (['true', 'yes', 'on'].includes(text)) return 1;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/;
  const invalid = entries.filter((entry) => !address.test(entry));
  if (entries.length === 0 || invalid.length)
    throw new Error(`TRUST_PROXY must be off, true, a hop count or proxy addresses/CIDRs; not understood: ${invalid.join(', ') || value}`);
  return entries;
}
