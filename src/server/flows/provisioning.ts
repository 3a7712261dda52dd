import { z } from 'zod';
import { countryCode, policyPresets, type PolicyPreset } from '../../shared/policy.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import type { ServerContext } from '../context.js';
import { findTenantBySlug, insertTenant, type Tenant } from '../store/repositories/tenants.js';
import { assertSmsCountryAllowed, parseMobileNumber } from '../factors/sms/phone-numbers.js';
import { findUserByEmail, insertUser, type UserRow } from '../store/repositories/users.js';

export const newTenantInput = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2-63 characters'),
  name: z.string().trim().min(1).max(200),
  preset: z.enum(['app', 'sms']).default('app'),
  /** The tenant's country, for phone numbers typed the national way; the preset's when left out. */
  country: z.string().trim().toUpperCase().pipe(countryCode).optional(),
});

export const newUserInput = z.object({
  tenant: z.string().min(1),
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(12, 'at least 12 characters').max(1024),
  locale: z.enum(['en', 'nb', 'de']).default('en'),
  /** An already verified mobile number, as an admin import provides it: the user signs in with SMS at once. */
  phone: z.string().trim().min(3).max(32).optional(),
});

/** Used by the CLI (and later the admin API): creates a tenant with a preset policy. */
export async function createTenant(ctx: ServerContext, raw: z.input<typeof newTenantInput>): Promise<Tenant> {
  const input = newTenantInput.parse(raw);
  if (await findTenantBySlug(ctx.store.db, input.slug)) throw new ApiError('conflict', `A tenant "${input.slug}" already exists.`);
  const now = ctx.clock.now();
  return ctx.store.db.transaction().execute(async (trx) => {
    const tenant = await insertTenant(
      trx,
      {
        slug: input.slug,
        name: input.name,
        policy: { ...policyPresets[input.preset as PolicyPreset], ...(input.country ? { country: input.country } : {}) },
      },
      now,
    );
    await recordAudit(trx, now, {
      action: 'tenant.created',
      tenantId: tenant.id,
      actorType: 'system',
      details: { slug: tenant.slug, preset: input.preset, country: tenant.policy.country },
    });
    return tenant;
  });
}

export const tenantCountryInput = z.object({
  slug: z.string().min(1),
  country: z.string().trim().toUpperCase().pipe(countryCode),
});

/**
 * Sets a tenant's country (policy `country`): phone numbers typed the national way are read as that
 * country's from now on. Stored numbers are E.164 and stay as they are. Used by the CLI, for tenants
 * made before countries existed and for a preset's country that is not the tenant's.
 */
export async function setTenantCountry(ctx: ServerContext, raw: z.input<typeof tenantCountryInput>): Promise<Tenant> {
  const input = tenantCountryInput.parse(raw);
  const tenant = await findTenantBySlug(ctx.store.db, input.slug);
  if (!tenant) throw new ApiError('unknown_tenant', `There is no tenant "${input.slug}".`);
  const policy = { ...tenant.policy, country: input.country };
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('tenants')
      .set({ policy: JSON.stringify(policy) })
      .where('id', '=', tenant.id)
      .execute();
    await recordAudit(trx, now, {
      action: 'tenant.policy_changed',
      tenantId: tenant.id,
      actorType: 'system',
      details: { country: { from: tenant.policy.country ?? null, to: input.country } },
    });
  });
  return { ...tenant, policy };
}

export async function createUser(ctx: ServerContext, raw: z.input<typeof newUserInput>): Promise<UserRow> {
  const input = newUserInput.parse(raw);
  const tenant = await findTenantBySlug(ctx.store.db, input.tenant);
  if (!tenant) throw new ApiError('unknown_tenant', `There is no tenant "${input.tenant}".`);
  if (await findUserByEmail(ctx.store.db, tenant.id, input.email))
    throw new ApiError('conflict', `${input.email} already has an account in ${tenant.slug}.`);
  let phone: string | null = null;
  if (input.phone !== undefined) {
    const parsed = parseMobileNumber(input.phone, tenant.policy.country);
    assertSmsCountryAllowed(parsed, tenant.policy.smsAllowedCountryCodes);
    phone = parsed.e164;
  }
  const passwordHash = await ctx.passwords.hash(input.password);
  const now = ctx.clock.now();
  return ctx.store.db.transaction().execute(async (trx) => {
    const user = await insertUser(
      trx,
      {
        tenantId: tenant.id,
        email: input.email,
        name: input.name,
        passwordHash,
        locale: input.locale,
        phone,
        mfaEnrolledAt: phone ? now : null,
      },
      now,
    );
    await recordAudit(trx, now, {
      action: 'user.created',
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'system',
      details: { phoneImported: phone !== null },
    });
    return user;
  });
}
