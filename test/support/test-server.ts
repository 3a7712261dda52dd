import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { generateSync } from 'otplib';
import type { TenantPolicy } from '../../src/shared/policy.js';
import { createContext } from '../../src/server/bootstrap.js';
import { ManualClock } from '../../src/server/clock.js';
import { configFromEnv, type TrustProxy } from '../../src/server/config.js';
import type { ServerContext } from '../../src/server/context.js';
import { createTenant, createUser } from '../../src/server/flows/provisioning.js';
import { buildApp } from '../../src/server/http/app.js';
import type { Dialect } from '../../src/server/store/database.js';
import { freshDatabase } from './databases.js';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface TestServer {
  dialect: Dialect;
  baseUrl: string;
  ctx: ServerContext;
  clock: ManualClock;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<ApiAnswer<T>>;
  addTenant(policy?: Partial<TenantPolicy>, preset?: 'app' | 'sms'): Promise<string>;
  addUser(
    tenant: string,
    email?: string,
    extra?: { phone?: string; locale?: 'en' | 'nb' | 'de'; name?: string },
  ): Promise<{ email: string; password: string; id: string }>;
  /** Messages written to the outbox file so far (SMS and email, as users would read them). */
  outbox(): OutboxLine[];
  /**
   * The server as if stopped: the listener closes and every open connection is cut, so a call
   * fails the way it does when nothing listens; the context and database stay. `listenAgain()`
   * opens the same address again.
   */
  stopListening(): Promise<void>;
  listenAgain(): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxLine {
  at: string;
  channel: 'sms' | 'email';
  to: string;
  template: string;
  locale: string;
  subject?: string;
  text: string;
}

export function readOutbox(path: string): OutboxLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxLine);
}

/** The code in the newest SMS to `phone`. */
export function lastSmsCode(server: TestServer, phone: string): string {
  const sms = server
    .outbox()
    .filter((m) => m.channel === 'sms' && m.to === phone)
    .at(-1);
  const code = sms && /\b(\d{6})\b/.exec(sms.text)?.[1];
  if (!code) throw new Error(`no SMS code was sent to ${phone}`);
  return code;
}

/**
 * A real server (Fastify listening on loopback) on a real, fresh database, with a manual clock the
 * test moves across time steps and days. Calls go over HTTP with fetch.
 */
export async function startTestServer(
  dialect: Dialect,
  options: { trustProxy?: TrustProxy; env?: NodeJS.ProcessEnv; realTime?: boolean } = {},
): Promise<TestServer> {
  const database = await freshDatabase(dialect);
  // A manual clock by default (tests step across 30 s codes, days, lockouts); real time for tests that
  // drive a browser or external tools that read the wall clock.
  const clock = new ManualClock(options.realTime ? Date.now() : Date.UTC(2026, 10, 25, 9, 0, 0));
  if (options.realTime) clock.now = () => Date.now();
  const env = {
    MFA_DESK_DATA_DIR: database.dataDir,
    DATABASE_URL: database.url,
    MFA_DESK_KEY: randomBytes(32).toString('base64'),
    ...options.env,
  };
  const ctx = await createContext(configFromEnv(env), clock);
  const app = await buildApp(ctx, { trustProxy: options.trustProxy });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  // Links the server makes (a push device's enrollment link) must lead back to this server.
  if (!options.env?.MFA_DESK_PUBLIC_URL) ctx.publicUrl = address;
  let tenants = 0;
  return {
    dialect,
    baseUrl: address,
    ctx,
    clock,
    async call(method, path, { body, token, headers } = {}) {
      const response = await fetch(`${address}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
    async addTenant(policy = {}, preset = 'app') {
      const slug = `t${++tenants}-${randomBytes(3).toString('hex')}`;
      const tenant = await createTenant(ctx, { slug, name: `Tenant ${tenants}`, preset });
      if (Object.keys(policy).length) {
        await ctx.store.db
          .updateTable('tenants')
          .set({ policy: JSON.stringify({ ...tenant.policy, ...policy }) })
          .where('id', '=', tenant.id)
          .execute();
      }
      return slug;
    },
    async addUser(tenant, email = `u-${randomBytes(4).toString('hex')}@example.test`, extra = {}) {
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const user = await createUser(ctx, { tenant, email, name: 'Test User', password, ...extra });
      return { email, password, id: user.id };
    },
    outbox: () => readOutbox(configFromEnv(env).outboxPath),
    async stopListening() {
      const closed = new Promise<void>((resolve, reject) => app.server.close((error) => (error ? reject(error) : resolve())));
      app.server.closeAllConnections();
      await closed;
    },
    async listenAgain() {
      const { port } = new URL(address);
      await new Promise<void>((resolve, reject) => {
        app.server.once('error', reject);
        app.server.listen({ host: '127.0.0.1', port: Number(port) }, () => {
          app.server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      await app.close();
      await ctx.delivery.stop();
      await ctx.store.close();
      await database.drop();
    },
  };
}

/** The code an authenticator app shows at the server's current time (offsetSteps for drift). */
export function appCode(secret: string, clock: ManualClock, offsetSteps = 0): string {
  return generateSync({ secret, epoch: Math.floor(clock.now() / 1000) + offsetSteps * 30 });
}

/** Password sign-in, TOTP enrollment, recovery codes acknowledged: an enrolled user and their secrets. */
export async function enrollUser(
  server: TestServer,
  tenant: string,
  extra: Parameters<TestServer['addUser']>[2] = {},
): Promise<{ email: string; password: string; id: string; secret: string; recoveryCodes: string[]; sessionToken: string }> {
  const user = await server.addUser(tenant, undefined, extra);
  const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
  if (login.body.status !== 'enrollment_required') throw new Error(`expected enrollment_required, got ${JSON.stringify(login.body)}`);
  const token = String(login.body.enrollmentToken);
  const started = await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token });
  const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', {
    token,
    body: { code: appCode(started.body.secret, server.clock) },
  });
  const completed = await server.call<{ sessionToken: string }>('POST', '/v1/enroll/complete', {
    token,
    body: { recoveryCodesSaved: true },
  });
  if (completed.status !== 200) throw new Error(`enrollment failed: ${JSON.stringify(completed.body)}`);
  // The enrollment code used this time step; move on so the next sign-in can use a fresh code.
  server.clock.advance(30_000);
  return { ...user, secret: started.body.secret, recoveryCodes: confirmed.body.recoveryCodes, sessionToken: completed.body.sessionToken };
}
