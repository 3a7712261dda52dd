import type { Kysely, Transaction } from 'kysely';
import { newId } from '../crypto/tokens.js';
import type { AuditEventsTable, Database } from '../store/schema.js';

export interface AuditEvent {
  action: string;
  tenantId?: string | null;
  userId?: string | null;
  actorType: AuditEventsTable['actor_type'];
  actorId?: string | null;
  ip?: string | null;
  /** Never a secret: no codes, tokens, hashes or passwords. */
  details?: Record<string, unknown>;
}

/**
 * Appends one event. Pass the transaction that makes the change, so the event exists exactly when the
 * change does. The table refuses UPDATE and DELETE (a trigger), so the trail is append-only.
 */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, at: number, event: AuditEvent): Promise<string> {
  const id = newId();
  await db
    .insertInto('audit_events')
    .values({
      id,
      at,
      tenant_id: event.tenantId ?? null,
      user_id: event.userId ?? null,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
  return id;
}
