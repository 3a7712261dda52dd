import type { Kysely, Selectable } from 'kysely';
import { recordAudit } from '../../audit/audit-trail.js';
import { HOUR } from '../../clock.js';
import { newId } from '../../crypto/tokens.js';
import type { Database, LockoutsTable } from '../schema.js';

export type LockoutRow = Selectable<LockoutsTable>;

export function findActiveLockout(db: Kysely<Database>, userId: string, now: number): Promise<LockoutRow | undefined> {
  return db
    .selectFrom('lockouts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('lifted_at', 'is', null)
    .where('until', '>', now)
    .orderBy('until', 'desc')
    .executeTakeFirst();
}

export interface LockRequest {
  userId: string;
  tenantId: string;
  reason: LockoutRow['reason'];
  hours: number;
  ip: string | null;
  details?: Record<string, unknown>;
}

/** Locks the account (pass the transaction that decided it) and writes the audit event with it. */
export async function lockAccount(db: Kysely<Database>, request: LockRequest, now: number): Promise<LockoutRow> {
  const lockout: LockoutRow = {
    id: newId(),
    user_id: request.userId,
    tenant_id: request.tenantId,
    reason: request.reason,
    since: now,
    until: now + request.hours * HOUR,
    lifted_at: null,
    lifted_by: null,
  };
  await db.insertInto('lockouts').values(lockout).execute();
  await recordAudit(db, now, {
    action: 'lockout.created',
    tenantId: request.tenantId,
    userId: request.userId,
    actorType: 'system',
    ip: request.ip,
    details: { reason: request.reason, until: new Date(lockout.until).toISOString(), ...request.details },
  });
  return lockout;
}
