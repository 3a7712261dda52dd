import QRCode from 'qrcode';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ApiError } from './api-error.js';
import { createContext } from './bootstrap.js';
import { configFromEnv, type ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { seedBulkUsers } from './flows/bulk-seed.js';
import { describeDemo, seedDemo } from './flows/demo-data.js';
import { createOperator } from './flows/operators.js';
import { createPhoneResetLink } from './factors/sms/phone-reset.js';
import { createTenant, createUser, setTenantCountry } from './flows/provisioning.js';
import { findTenantBySlug, type Tenant } from './store/repositories/tenants.js';
import { listOidcClients, registerOidcClient, removeOidcClient } from './oidc/clients.js';
import { findUserByEmail } from './store/repositories/users.js';
import { buildApp } from './http/app.js';
import { startHousekeeping } from './store/housekeeping.js';
import { newVapidKeys } from './delivery/providers/web-push.js';
import { migrateToLatest, openStore } from './store/database.js';

const USAGE = `mfa-desk <command>

  serve [--host 127.0.0.1] [--port 8080]   run the auth server
  start                                    run the server; on an empty database create a demo tenant and user first
  migrate                                  bring the database schema up to date
  tenant create --slug acme --name "Acme AS" [--preset app|sms] [--country NO|DE|...]
                                           --country (ISO 3166-1 alpha-2): how national phone numbers
                                           ("0151 2345 6789") are read; default NO (app), DE (sms)
  tenant update --slug acme --country DE   set the tenant's country (tenants made before it existed
                                           read international numbers only)
  user create --tenant acme --email a@acme.test --name "Ada" --password ... [--locale en|nb|de] [--phone +4791234567]
                                           --phone as typed: +47 ..., 0047 ..., or national in the tenant's country
  user phone-reset-link --tenant acme --email a@acme.test   email the user a link to set a new phone (24 h, single use)
  oidc-client add --tenant acme --name "Intranet" --redirect-uri https://intranet.acme.test/callback
                  [--redirect-uri ...] [--post-logout-uri https://intranet.acme.test/] [--public]
                                           register a portal (OpenID Connect client) of the tenant; prints its
                                           client_id, its secret (once; none with --public) and the issuer
  oidc-client list --tenant acme           the tenant's portals
  oidc-client remove --tenant acme --client-id mfa_...   remove a portal (its sign-ins stop working)
  operator create --email s@desk.test --name "Sam" --role support|tenant_admin|auditor [--tenant acme] [--password ...]
                                           prints the operator's TOTP enrollment (URI and a QR in the terminal)
  seed-demo                                demo tenants, users in every state, one operator per role; prints credentials
  seed-bench --users 1000000 [--tenants 8] fill the database with realistic users, fast (for benchmarks)
  push vapid-keys                          a VAPID key pair for PUSH_PROVIDER=webpush (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)

Configuration comes from the environment: DATABASE_URL, MFA_DESK_DATA_DIR, MFA_DESK_KEY, TRUST_PROXY (see README).
Add --json to tenant/user commands for machine-readable output.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      preset: { type: 'string' },
      country: { type: 'string' },
      tenant: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      locale: { type: 'string' },
      phone: { type: 'string' },
      role: { type: 'string' },
      users: { type: 'string' },
      tenants: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-uri': { type: 'string', multiple: true },
      'client-id': { type: 'string' },
      public: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const config = configFromEnv();
  switch (`${command}${sub ? ` ${sub}` : ''}`) {
    case 'serve':
      return serve({ ...config, host: values.host ?? config.host, port: parsePort(values.port, config.port) }, false);
    case 'start':
      return serve({ ...config, host: values.host ?? config.host, port: parsePort(values.port, config.port) }, true);
    case 'migrate': {
      const store = openStore(config.databaseUrl);
      try {
        const result = await migrateToLatest(store);
        const applied = result.results?.map((r) => r.migrationName) ?? [];
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
      } finally {
        await store.close();
      }
      return;
    }
    case 'tenant create':
      return withContext(config, async (ctx) => {
        const tenant = await createTenant(ctx, {
          slug: required(values.slug, '--slug'),
          name: required(values.name, '--name'),
          preset: values.preset as 'app' | 'sms' | undefined,
          country: values.country,
        });
        print(
          values.json,
          { id: tenant.id, slug: tenant.slug, name: tenant.name, policy: tenant.policy },
          `created tenant ${tenant.slug} (${tenant.id}), country ${tenant.policy.country}`,
        );
      });
    case 'tenant update':
      return withContext(config, async (ctx) => {
        const tenant = await setTenantCountry(ctx, {
          slug: required(values.slug, '--slug'),
          country: required(values.country, '--country'),
        });
        print(
          values.json,
          { id: tenant.id, slug: tenant.slug, name: tenant.name, policy: tenant.policy },
          `tenant ${tenant.slug}: country ${tenant.policy.country}`,
        );
      });
    case 'user create':
      return withContext(config, async (ctx) => {
        const user = await createUser(ctx, {
          tenant: required(values.tenant, '--tenant'),
          email: required(values.email, '--email'),
          name: required(values.name, '--name'),
          password: required(values.password, '--password'),
          locale: values.locale as 'en' | undefined,
          phone: values.phone,
        });
        print(values.json, { id: user.id, tenantId: user.tenant_id, email: user.email }, `created user ${user.email} (${user.id})`);
      });
    case 'user phone-reset-link':
      return withContext(config, async (ctx) => {
        const tenant = await findTenantBySlug(ctx.store.db, required(values.tenant, '--tenant'));
        const user = tenant && (await findUserByEmail(ctx.store.db, tenant.id, required(values.email, '--email')));
        if (!user) throw new ApiError('not_found', `There is no user ${values.email} in tenant ${values.tenant}.`);
        const result = await createPhoneResetLink(ctx, user.id, { type: 'system', id: null, label: 'cli' }, null);
        print(values.json, result, `reset link emailed to ${result.sentTo}, valid until ${result.expiresAt}:\n${result.link}`);
      });
    case 'oidc-client add':
      return withContext(config, async (ctx) => {
        const tenant = await cliTenant(ctx, values.tenant);
        const created = await registerOidcClient(
          ctx,
          tenant.id,
          {
            name: required(values.name, '--name'),
            redirectUris: values['redirect-uri'] ?? [],
            postLogoutRedirectUris: values['post-logout-uri'] ?? [],
            public: values.public,
          },
          { actorType: 'system', actorId: 'cli', label: 'cli' },
        );
        const issuer = `${config.publicUrl}/oidc`;
        print(
          values.json,
          { ...created, issuer },
          [
            `registered ${created.name} for ${tenant.slug}`,
            `  issuer        ${issuer}`,
            `  client_id     ${created.clientId}`,
            created.clientSecret ? `  client_secret ${created.clientSecret}   (shown this once)` : '  public client: no secret; PKCE only',
          ].join('\n'),
        );
      });
    case 'oidc-client list':
      return withContext(config, async (ctx) => {
        const clients = await listOidcClients(ctx, (await cliTenant(ctx, values.tenant)).id);
        print(
          values.json,
          clients,
          clients.length
            ? clients
                .map((c) => `${c.clientId}  ${c.name}  ${c.public ? 'public' : 'confidential'}  ${c.redirectUris.join(' ')}`)
                .join('\n')
            : 'no portals registered',
        );
      });
    case 'oidc-client remove':
      return withContext(config, async (ctx) => {
        const tenant = await cliTenant(ctx, values.tenant);
        const clientId = required(values['client-id'], '--client-id');
        await removeOidcClient(ctx, tenant.id, clientId, { actorType: 'system', actorId: 'cli', label: 'cli' });
        print(values.json, { ok: true, clientId }, `removed ${clientId}`);
      });
    case 'operator create':
      return withContext(config, async (ctx) => {
        const created = await createOperator(ctx, {
          email: required(values.email, '--email'),
          name: required(values.name, '--name'),
          role: required(values.role, '--role') as 'support',
          tenantSlugs: values.tenant ? [values.tenant] : [],
          password: values.password,
        });
        if (values.json) return print(true, created, '');
        console.log(`created ${created.operator.role} ${created.operator.email} (${created.operator.id})`);
        console.log(`\nScan this with the operator's authenticator app, or enter the secret ${created.totpSecret}:`);
        console.log(await QRCode.toString(created.otpauthUri, { type: 'terminal', small: true }));
        console.log(created.otpauthUri);
        if (created.setPasswordToken) {
          console.log(
            `\nOne-time password setup (7 days): POST ${config.publicUrl}/v1/admin/auth/set-password {"token":"${created.setPasswordToken}","password":"..."}`,
          );
        }
      });
    case 'seed-demo':
      return withContext(config, async (ctx) => {
        const demo = await seedDemo(ctx);
        console.log(values.json ? JSON.stringify(demo) : describeDemo(demo));
      });
    case 'seed-bench':
      return withContext(config, async (ctx) => {
        const users = Number(values.users ?? 1_000_000);
        const tenants = Number(values.tenants ?? 8);
        if (!Number.isInteger(users) || users < 1 || users > 50_000_000)
          throw new UsageError(`--users must be a whole number from 1 to 50000000, not "${values.users}"`);
        if (!Number.isInteger(tenants) || tenants < 1 || tenants > 1000)
          throw new UsageError(`--tenants must be 1-1000, not "${values.tenants}"`);
        const started = Date.now();
        const bar = progressBar(users);
        const result = await seedBulkUsers(ctx, { users, tenants, onProgress: bar });
        process.stderr.write('\n');
        print(
          values.json,
          { users, ...result, seconds: (Date.now() - started) / 1000 },
          `seeded ${users} users in ${tenants} tenants in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      });
    case 'push vapid-keys': {
      // No database: a key pair to put in the environment of every instance (one key, so any instance's
      // wake-ups reach subscriptions made against another's).
      const keys = newVapidKeys();
      print(values.json, keys, `VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  }
}

/** A one-line progress bar on stderr (stdout stays clean for --json). */
function progressBar(total: number): (done: number) => void {
  const started = Date.now();
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}% ${done}/${total} users, ${rate}/s `,
    );
  };
}

async function cliTenant(ctx: ServerContext, slug: string | undefined): Promise<Tenant> {
  const tenant = await findTenantBySlug(ctx.store.db, required(slug, '--tenant'));
  if (!tenant) throw new ApiError('not_found', `There is no tenant "${slug}".`);
  return tenant;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not "${value}"`);
  return port;
}

function print(json: boolean | undefined, data: unknown, line: string): void {
  console.log(json ? JSON.stringify(data) : line);
}

async function withContext(config: ServerConfig, work: (ctx: ServerContext) => Promise<void>): Promise<void> {
  const ctx = await createContext(config);
  try {
    await work(ctx);
  } finally {
    await ctx.delivery.stop();
    await ctx.store.close();
  }
}

async function serve(config: ServerConfig, withDemo: boolean): Promise<void> {
  const ctx = await createContext(config);
  if (withDemo) await ensureDemoData(ctx);
  const app = await buildApp(ctx, { trustProxy: config.trustProxy, logger: { level: config.logLevel } });
  const stopHousekeeping = startHousekeeping(ctx, (line) => console.error(line));
  const stop = async () => {
    stopHousekeeping();
    await app.close();
    await ctx.delivery.stop();
    await ctx.store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await app.listen({ host: config.host, port: config.port });
  // Retries messages whose first delivery failed (or whose sender crashed after commit).
  ctx.delivery.start();
  console.log(`MFA Desk auth server on ${address} (database: ${ctx.store.dialect}); API docs at ${address}/docs`);
}

/** First start on an empty database: the demo data, with everything needed to sign in printed. */
async function ensureDemoData(ctx: ServerContext): Promise<void> {
  const any = await ctx.store.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  if (any) return;
  console.log(describeDemo(await seedDemo(ctx)));
  console.log('\n(Printed once, on first start. Run `npx mfa-desk seed-demo` against a fresh database to see it again.)\n');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`mfa-desk: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof z.ZodError) {
    console.error(`mfa-desk: ${error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
    process.exit(2);
  }
  if (error instanceof ApiError) {
    console.error(`mfa-desk: ${error.message}`);
    process.exit(1);
  }
  console.error(`mfa-desk: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
