import type { z } from 'zod';
import type { tenantsAnswer } from '../../shared/api/admin.js';
import type { ServerContext } from '../context.js';
import { sortByName } from './name-order.js';
import type { OperatorPrincipal } from './operator-principal.js';

/** The tenants the operator may see (all of them when no tenant is assigned), by name, for the console's filters. */
export async function listVisibleTenants(ctx: ServerContext, principal: OperatorPrincipal): Promise<z.infer<typeof tenantsAnswer>> {
  let select = ctx.store.db.selectFrom('tenants').select(['id', 'slug', 'name']);
  if (principal.tenantIds.length) select = select.where('id', 'in', principal.tenantIds);
  return { items: sortByName(await select.execute(), (t) => t.slug) };
}
