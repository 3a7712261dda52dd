import type { Kysely } from 'kysely';
import type { TenantPolicy } from '../../../shared/policy.js';
import { newId } from '../../crypto/tokens.js';
import { parseStoredPolicy } from '../../policy/tenant-policy.js';
import type { Database } from '../schema.js';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  policy: TenantPolicy;
}

export async function insertTenant(db: Kysely<Database>, input: Omit<Tenant, 'id'>, now: number): Promise<Tenant> {
  const tenant = { id: newId(), ...input };
  await db
    .insertInto('tenants')
    .values({ id: tenant.id, slug: tenant.slug, name: tenant.name, policy: JSON.stringify(tenant.policy), created_at: now })
    .execute();
  return tenant;
}

export async function findTenantBySlug(db: Kysely<Database>, slug: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && { id: row.id, slug: row.slug, name: row.name, policy: parseStoredPolicy(row.policy) };
}

export async function findTenantById(db: Kysely<Database>, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, slug: row.slug, name: row.name, policy: parseStoredPolicy(row.policy) };
}
