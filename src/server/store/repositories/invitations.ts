import type { Kysely, Selectable } from 'kysely';
import { newId, newOpaqueToken, sha256Hex } from '../../crypto/tokens.js';
import type { Database, InvitationsTable } from '../schema.js';

export type InvitationRow = Selectable<InvitationsTable>;

/** A new invitation; the token is answered once and only its hash is kept. */
export async function insertInvitation(
  db: Kysely<Database>,
  input: { userId: string; tenantId: string; proposedPhone: string | null; breakupId: string | null; expiresAt: number },
  now: number,
): Promise<{ id: string; token: string }> {
  const id = newId();
  const token = newOpaqueToken();
  await db
    .insertInto('invitations')
    .values({
      id,
      user_id: input.userId,
      tenant_id: input.tenantId,
      token_hash: sha256Hex(token),
      proposed_phone: input.proposedPhone,
      breakup_id: input.breakupId,
      created_at: now,
      expires_at: input.expiresAt,
      used_at: null,
    })
    .execute();
  return { id, token };
}

/** The invitation a token names, while it is unexpired (used or not: the caller decides). */
export function findInvitation(db: Kysely<Database>, token: string, now: number): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Uses the invitation: one conditional update, so a link followed twice at once sets one password. */
export async function useInvitation(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
