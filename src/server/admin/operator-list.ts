import type { z } from 'zod';
import type { operatorsAnswer } from '../../shared/api/admin.js';
import type { ServerContext } from '../context.js';
import { sortByName } from './name-order.js';
import type { OperatorPrincipal } from './operator-principal.js';

/**
 * Operators whose actions this operator may find in the audit trail, for its "operator" filter. An
 * operator of all tenants sees everyone. A scoped one sees the operators without a tenant assignment
 * (they act in every tenant, theirs included) and those sharing one of their tenants; an operator of
 * other tenants only never acts in theirs. Disabled operators stay listed: their past actions stay in
 * the trail.
 */
export async function listVisibleOperators(ctx: ServerContext, principal: OperatorPrincipal): Promise<z.infer<typeof operatorsAnswer>> {
  let select = ctx.store.db.selectFrom('operators as o').select(['o.id', 'o.email', 'o.name', 'o.role']);
  if (principal.tenantIds.length) {
    const { tenantIds } = principal;
    select = select.where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('operator_tenants as ot').select('ot.operator_id').whereRef('ot.operator_id', '=', 'o.id'))),
        eb.exists(
          eb
            .selectFrom('operator_tenants as ot')
            .select('ot.operator_id')
            .whereRef('ot.operator_id', '=', 'o.id')
            .where('ot.tenant_id', 'in', tenantIds),
        ),
      ]),
    );
  }
  return { items: sortByName(await select.execute(), (o) => o.email) };
}
