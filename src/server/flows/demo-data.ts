import type { OperatorRole } from '../../shared/api/admin.js';
import type { ServerContext } from '../context.js';
import { newId } from '../crypto/tokens.js';
import { newTotpSecret } from '../factors/totp/totp-codes.js';
import { calendarDay } from '../policy/calendar-day.js';
import { lockAccount } from '../store/repositories/lockouts.js';
import { findTenantBySlug } from '../store/repositories/tenants.js';
import { createOperator } from './operators.js';
import { createTenant, createUser } from './provisioning.js';
import { issueLiveRecoveryCodes } from '../factors/recovery-codes/batches.js';

export interface DemoUser {
  tenant: string;
  email: string;
  password: string;
  state: string;
  totpSecret?: string;
  recoveryCodes?: string[];
  phone?: string;
}

export interface DemoOperator {
  email: string;
  password: string;
  role: OperatorRole;
  tenant?: string;
  totpSecret: string;
  otpauthUri: string;
}

const PASSWORD = 'demo password 2026';

/**
 * Demo data for trying the product and the console: two tenants (authenticator-app preset and SMS
 * preset) with users in every state support meets, and one operator of each role. Passwords are
 * public on purpose: never run this against a production database.
 */
export async function seedDemo(ctx: ServerContext): Promise<{ users: DemoUser[]; operators: DemoOperator[] }> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  await createTenant(ctx, { slug: 'nordlys', name: 'Nordlys Regnskap AS', preset: 'app' });
  await createTenant(ctx, { slug: 'hansa', name: 'Hansa Logistik GmbH', preset: 'sms' });
  for (const [slug, timeZone] of [
    ['nordlys', 'Europe/Oslo'],
    ['hansa', 'Europe/Berlin'],
  ] as const) {
    const tenant = (await findTenantBySlug(db, slug))!;
    await db
      .updateTable('tenants')
      .set({ policy: JSON.stringify({ ...tenant.policy, timeZone }) })
      .where('id', '=', tenant.id)
      .execute();
  }
  const users: DemoUser[] = [];
  const add = async (
    tenant: string,
    email: string,
    name: string,
    state: string,
    extra: { phone?: string; locale?: 'en' | 'nb' | 'de' } = {},
  ) => {
    const user = await createUser(ctx, { tenant, email, name, password: PASSWORD, ...extra });
    const entry: DemoUser = { tenant, email, password: PASSWORD, state, ...(extra.phone ? { phone: extra.phone } : {}) };
    users.push(entry);
    return { user, entry };
  };
  const enrollApp = async (userId: string, entry: DemoUser) => {
    const secret = newTotpSecret();
    const tenant = (await findTenantBySlug(db, entry.tenant))!;
    const codes = await issueLiveRecoveryCodes(db, userId, tenant.policy.recoveryCodeCount, now);
    await db
      .insertInto('totp_factors')
      .values({
        id: newId(),
        user_id: userId,
        secret_enc: ctx.secrets.seal(secret, userId),
        status: 'active',
        last_used_step: null,
        created_at: now,
        activated_at: now,
      })
      .execute();
    await db.updateTable('users').set({ mfa_enrolled_at: now }).where('id', '=', userId).execute();
    entry.totpSecret = secret;
    entry.recoveryCodes = codes;
  };

  // Nordlys (authenticator app, seed 000)
  const ada = await add('nordlys', 'ada.lovelace@nordlys.test', 'Ada Lovelace', 'enrolled with an authenticator app', { locale: 'nb' });
  await enrollApp(ada.user.id, ada.entry);
  await add('nordlys', 'ny.ansatt@nordlys.test', 'Ny Ansatt', 'pending enrollment (has never signed in)', { locale: 'nb' });
  const locked = await add('nordlys', 'lars.berg@nordlys.test', 'Lars Berg', 'locked: 10 wrong codes in a row', { locale: 'nb' });
  await enrollApp(locked.user.id, locked.entry);
  await lockAccount(
    db,
    {
      userId: locked.user.id,
      tenantId: locked.user.tenant_id,
      reason: 'failed_codes',
      hours: 24,
      ip: '203.0.113.10',
      details: { failures: 10 },
    },
    now,
  );
  const shared = await add('nordlys', 'faktura@nordlys.test', 'Faktura (shared mailbox)', 'shared mailbox used by several people', {
    locale: 'nb',
  });
  await enrollApp(shared.user.id, shared.entry);
  const gone = await add('nordlys', 'tidligere.ansatt@nordlys.test', 'Tidligere Ansatt', 'disabled', { locale: 'nb' });
  await db.updateTable('users').set({ disabled_at: now }).where('id', '=', gone.user.id).execute();

  // Hansa (SMS, seed 003)
  await add('hansa', 'greta.schmidt@hansa.test', 'Greta Schmidt', 'enrolled with SMS', { phone: '+4915112345601', locale: 'de' });
  const smsLocked = await add('hansa', 'jonas.weber@hansa.test', 'Jonas Weber', 'locked: more than 20 sign-in SMS today', {
    phone: '+4915112345602',
    locale: 'de',
  });
  const hansa = (await findTenantBySlug(db, 'hansa'))!;
  await db
    .insertInto('sms_counters')
    .values({ user_id: smsLocked.user.id, kind: 'login', day: calendarDay(now, 'Europe/Berlin'), count: 21 })
    .execute();
  await lockAccount(
    db,
    { userId: smsLocked.user.id, tenantId: hansa.id, reason: 'sms_daily_limit', hours: 24, ip: '198.51.100.20', details: { smsToday: 20 } },
    now,
  );
  await add('hansa', 'buchhaltung@hansa.test', 'Buchhaltung (shared mailbox)', 'shared mailbox, one phone for everyone', {
    phone: '+4915112345603',
    locale: 'de',
  });
  await add('hansa', 'neu@hansa.test', 'Neu Mitarbeiter', 'pending enrollment (no phone yet)', { locale: 'de' });

  const operators: DemoOperator[] = [];
  for (const [email, name, role, tenant] of [
    ['support@desk.test', 'Sam Support', 'support', undefined],
    ['admin@nordlys.test', 'Nina Admin', 'tenant_admin', 'nordlys'],
    ['auditor@desk.test', 'Aud Itor', 'auditor', undefined],
  ] as const) {
    const created = await createOperator(ctx, { email, name, role, tenantSlugs: tenant ? [tenant] : [], password: PASSWORD });
    operators.push({
      email,
      password: PASSWORD,
      role,
      ...(tenant ? { tenant } : {}),
      totpSecret: created.totpSecret,
      otpauthUri: created.otpauthUri,
    });
  }
  return { users, operators };
}

/** What `seed-demo` prints: enough to sign in as anyone. */
export function describeDemo(demo: { users: DemoUser[]; operators: DemoOperator[] }): string {
  const lines = [
    'Demo data (password for everyone: "' + PASSWORD + '"):',
    '',
    'Operators (console; code = TOTP of the secret, e.g. `oathtool --totp -b SECRET`):',
  ];
  for (const op of demo.operators)
    lines.push(
      `  ${op.role.padEnd(12)} ${op.email.padEnd(24)} ${op.tenant ? `tenant ${op.tenant}`.padEnd(16) : 'all tenants'.padEnd(16)} TOTP secret ${op.totpSecret}`,
    );
  lines.push('', 'Users (sign in with tenant + email + password):');
  for (const user of demo.users) {
    lines.push(
      `  ${user.tenant.padEnd(8)} ${user.email.padEnd(30)} ${user.state}${user.totpSecret ? ` (TOTP secret ${user.totpSecret})` : ''}${user.phone ? ` (phone ${user.phone})` : ''}`,
    );
  }
  return lines.join('\n');
}
