import type { z } from 'zod';
import type { signInAlarmsAnswer, signInAlarmsQuery } from '../../shared/api/admin.js';
import { DAY, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { FAILURE_WINDOW, listSignInAlarms } from '../store/repositories/sign-in-failures.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';

/** Credential-stuffing alarms of the last 24 hours in the tenants the operator may see, newest first. */
export async function describeSignInAlarms(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof signInAlarmsQuery>,
): Promise<z.infer<typeof signInAlarmsAnswer>> {
  const { db } = ctx.store;
  if (query.tenantId) assertCanSeeTenant(principal, query.tenantId, 'tenant');
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  const alarms = await listSignInAlarms(db, tenantIds, ctx.clock.now() - DAY);
  if (alarms.length === 0) return { items: [] };
  const tenants = await db
    .selectFrom('tenants')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(alarms.map((a) => a.tenantId))])
    .execute();
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return {
    items: alarms.map((a) => ({
      tenantId: a.tenantId,
      tenantName: names.get(a.tenantId) ?? a.tenantId,
      windowStart: iso(a.windowStart),
      windowEnd: iso(a.windowStart + FAILURE_WINDOW),
      failedSignIns: a.failures,
      refusedSignIns: a.refused,
      accounts: a.accounts,
      raisedAt: iso(a.alarmedAt),
    })),
  };
}
