import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { Database, MessagesTable } from '../schema.js';

export type MessageRow = Selectable<MessagesTable>;

export interface NewMessage {
  tenantId: string | null;
  userId: string | null;
  channel: MessageRow['channel'];
  recipient: string;
  template: string;
  locale: string;
  subject?: string;
  text: string;
}

/**
 * Records a message to send. Call it in the transaction that decides it (and counts it): if the
 * transaction rolls back, the message never existed; if it commits, delivery will find it.
 */
export async function queueMessage(db: Kysely<Database>, message: NewMessage, now: number): Promise<string> {
  const id = newId();
  await db
    .insertInto('messages')
    .values({
      id,
      tenant_id: message.tenantId,
      user_id: message.userId,
      channel: message.channel,
      recipient: message.recipient,
      template: message.template,
      locale: message.locale,
      subject: message.subject ?? null,
      text: message.text,
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
      sent_at: null,
      handed_at: null,
      last_error: null,
    })
    .execute();
  return id;
}

/**
 * How long a claim holds. A worker that dies after claiming (a crash, a deploy) leaves the message
 * `sending`; once the lease is over the sweeper claims it again, so a counted SMS is never lost. It is
 * far longer than a provider may take (the webhook gives up after 5 s, SMTP after 20 s of silence).
 * Whether the dead worker had already called the provider is in `handed_at` (markMessageHanded).
 */
export const CLAIM_LEASE_MS = 60_000;

/** Takes a due message (or one whose claim lapsed) for sending; exactly one worker, of any instance, gets it. */
export async function claimMessage(db: Kysely<Database>, id: string, now: number): Promise<MessageRow | undefined> {
  return db
    .updateTable('messages')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), next_attempt_at: now + CLAIM_LEASE_MS }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .where('next_attempt_at', '<=', now)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The claim a worker holds: the message id and the attempt number its claim took. The attempt is
 * the fencing token: a worker whose lease ran out (and whose message another worker claimed again)
 * can no longer hand the message over or record an outcome: it does not start a send of a message
 * another worker now holds, and can neither blank one that is being re-sent nor put a delivered one
 * back in the queue.
 */
export type MessageClaim = Pick<MessageRow, 'id' | 'attempts'>;

/**
 * Records that the claim's worker is about to call the provider; call it right before. From here on,
 * a worker that dies leaves a message whose outcome is unknown, and the next claim sees `handed_at`.
 * False when the claim is no longer this worker's (its lease ran out and the message was claimed
 * again, or an outcome was recorded): it must not call the provider then.
 */
export async function markMessageHanded(db: Kysely<Database>, claim: MessageClaim, now: number): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ handed_at: now })
    .where('id', '=', claim.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', claim.attempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markMessageSent(db: Kysely<Database>, claim: MessageClaim, now: number): Promise<void> {
  // The text may hold a code or a link: once delivered, the database keeps only that it was sent.
  await db
    .updateTable('messages')
    .set({ status: 'sent', sent_at: now, text: '', last_error: null })
    .where('id', '=', claim.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', claim.attempts)
    .execute();
}

/**
 * The provider answered with a failure: it did not take the message, so `handed_at` is cleared and
 * the retry is a plain send, not a recovery from an unknown outcome.
 */
export async function markMessageFailed(db: Kysely<Database>, claim: MessageClaim, error: string, retryAt: number | null): Promise<void> {
  await db
    .updateTable('messages')
    .set(
      retryAt === null
        ? { status: 'failed', last_error: error, text: '', handed_at: null }
        : { status: 'pending', last_error: error, next_attempt_at: retryAt, handed_at: null },
    )
    .where('id', '=', claim.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', claim.attempts)
    .execute();
}

/**
 * Gives up a message whose outcome cannot be known (its worker stopped after handing it to a provider
 * that cannot tell): terminal, so no worker sends it again, with the reason for an operator. The text
 * is blanked as for a delivered message: it may hold a code, and nothing will send it any more.
 */
export async function markMessageUnknown(db: Kysely<Database>, claim: MessageClaim, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ status: 'unknown', last_error: reason, text: '' })
    .where('id', '=', claim.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', claim.attempts)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function dueMessageIds(db: Kysely<Database>, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('status', 'in', ['pending', 'sending'])
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
