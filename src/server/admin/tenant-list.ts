import type { z } from 'zod';
import type { tenantsAnswer } from '../../shared/api/admin.js';
import type { ServerContext } from '../context.js';
import { parseStoredPolicy } from '../policy/tenant-policy.js';
import { sortByName } from './name-order.js';
import type { OperatorPrincipal } from './operator-principal.js';

/** The tenants the operator may see (all of them when no tenant is assigned), by name, with their country, for the console. */
export async function listVisibleTenants(ctx: ServerContext, principal: OperatorPrincipal): Promise<z.infer<typeof tenantsAnswer>> {
  let select = ctx.store.db.selectFrom('tenants').select(['id', 'slug', 'name', 'policy']);
  if (principal.tenantIds.length) select = select.where('id', 'in', principal.tenantIds);
  const tenants = (await select.execute()).map(({ policy, ...tenant }) => ({
    ...tenant,
    country: parseStoredPolicy(policy).country ?? null,
  }));
  return { items: sortByName(tenants, (t) => t.slug) };
}
