import type { z } from 'zod';
import type { auditAnswer, auditQuery } from '../../shared/api/admin.js';
import type { ServerContext } from '../context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';
import { toAuditEventView, visibleUser } from './user-detail.js';

/**
 * The audit trail, newest first, filtered; scoped operators see only their tenants' events (and
 * never system-wide ones). Cursor: the (at, id) of the last event of the previous page.
 */
export async function queryAudit(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof auditQuery>,
): Promise<z.infer<typeof auditAnswer>> {
  if (query.tenantId) assertCanSeeTenant(principal, query.tenantId, 'tenant');
  if (query.userId) await visibleUser(ctx, principal, query.userId);
  let select = ctx.store.db.selectFrom('audit_events').selectAll();
  if (query.tenantId) select = select.where('tenant_id', '=', query.tenantId);
  else if (principal.tenantIds.length) select = select.where('tenant_id', 'in', principal.tenantIds);
  if (query.userId) select = select.where('user_id', '=', query.userId);
  if (query.actorId) select = select.where('actor_id', '=', query.actorId);
  if (query.action) select = select.where('action', '=', query.action);
  if (query.from) select = select.where('at', '>=', Date.parse(query.from));
  if (query.to) select = select.where('at', '<', Date.parse(query.to));
  const after = decodeCursor(ctx.secrets, `audit:${principal.id}`, query.cursor);
  if (after) select = select.where((eb) => eb.or([eb('at', '<', after.key), eb.and([eb('at', '=', after.key), eb('id', '<', after.id)])]));
  const rows = await select
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(toAuditEventView);
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor(ctx.secrets, `audit:${principal.id}`, Number(last.at), last.id) : null };
}
