import type { z } from 'zod';
import type { pushAlertsAnswer, pushAlertsQuery } from '../../shared/api/admin.js';
import { DAY, iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';

/** How far back the Lockouts screen lists fraud reports. */
const ALERT_DAYS = 30;

/**
 * "This wasn't me" reports of the last 30 days in the tenants the operator may see, newest first: the
 * `push.fraud_reported` audit events, with the device's state now (still suspended, or revoked since).
 * The audit trail is the record; this reads it, so an alert cannot exist without its event.
 */
export async function describePushAlerts(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof pushAlertsQuery>,
): Promise<z.infer<typeof pushAlertsAnswer>> {
  const { db } = ctx.store;
  if (query.tenantId) assertCanSeeTenant(principal, query.tenantId, 'tenant');
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  let select = db
    .selectFrom('audit_events as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .select(['e.id', 'e.at', 'e.tenant_id', 'e.user_id', 'e.details', 'u.email', 'u.name'])
    .where('e.action', '=', 'push.fraud_reported')
    .where('e.at', '>=', ctx.clock.now() - ALERT_DAYS * DAY)
    .orderBy('e.at', 'desc')
    .limit(200);
  if (tenantIds.length) select = select.where('e.tenant_id', 'in', tenantIds);
  const rows = await select.execute();
  if (rows.length === 0) return { items: [] };
  const details = rows.map(
    (row) => JSON.parse(row.details ?? '{}') as { deviceId?: string; deviceName?: string; ip?: string; browser?: string },
  );
  const deviceIds = [...new Set(details.map((d) => d.deviceId).filter((id): id is string => typeof id === 'string'))];
  const devices = deviceIds.length
    ? await db.selectFrom('push_devices').select(['id', 'state']).where('id', 'in', deviceIds).execute()
    : [];
  const states = new Map(devices.map((d) => [d.id, d.state]));
  return {
    items: rows.map((row, i) => ({
      id: row.id,
      tenantId: row.tenant_id!,
      userId: row.user_id!,
      email: row.email,
      name: row.name,
      deviceId: details[i]!.deviceId ?? '',
      deviceName: details[i]!.deviceName ?? '',
      ip: details[i]!.ip ?? '',
      browser: details[i]!.browser ?? '',
      reportedAt: iso(row.at),
      deviceState: states.get(details[i]!.deviceId ?? '') ?? 'revoked',
    })),
  };
}
