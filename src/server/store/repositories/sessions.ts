import type { Kysely, Selectable } from 'kysely';
import { newId, newOpaqueToken, sha256Hex } from '../../crypto/tokens.js';
import type { Database, SessionsTable } from '../schema.js';
import { expireOpenChallenges } from './challenges.js';

export type SessionRow = Selectable<SessionsTable>;

export interface NewSession {
  userId: string;
  kind: SessionRow['kind'];
  ip: string;
  expiresAt: number;
  secondFactorAt: number | null;
  /** How it was signed in (RFC 8176 values, for the ID token); none for enrollment sessions. */
  amr?: readonly string[];
}

/** Creates a session; the token goes to the client, only its hash is kept. */
export async function insertSession(db: Kysely<Database>, input: NewSession, now: number): Promise<{ token: string; session: SessionRow }> {
  const token = newOpaqueToken();
  const session: SessionRow = {
    id: newId(),
    user_id: input.userId,
    token_hash: sha256Hex(token),
    kind: input.kind,
    created_at: now,
    expires_at: input.expiresAt,
    second_factor_at: input.secondFactorAt,
    revoked_at: null,
    ip: input.ip,
    amr: input.amr?.length ? [...new Set(input.amr)].join(' ') : null,
  };
  await db.insertInto('sessions').values(session).execute();
  return { token, session };
}

export function findLiveSession(db: Kysely<Database>, token: string, now: number): Promise<SessionRow | undefined> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export function findSessionById(db: Kysely<Database>, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Revokes a session once; false if it was already revoked (a concurrent rotation won). */
export async function revokeSession(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Ends a user's sessions (all, or all but `exceptId`), their sessions at the OpenID Provider, and
 * every sign-in step still open for them: a
 * challenge opened with the old password, or before support ended the sessions, must not become a
 * session afterwards.
 */
export async function revokeUserSessions(db: Kysely<Database>, userId: string, now: number, exceptId?: string): Promise<number> {
  await expireOpenChallenges(db, userId, now);
  // The OpenID Provider's sessions, grants, codes and tokens too (oidc/adapter.ts): a portal's next
  // sign-in asks again (seed 003), and what it was given stops working.
  await db.deleteFrom('oidc_payloads').where('account_id', '=', userId).execute();
  let query = db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function grantSessionScope(db: Kysely<Database>, sessionId: string, scope: string, until: number): Promise<void> {
  await db
    .insertInto('session_scopes')
    .values({ session_id: sessionId, scope, granted_until: until })
    .onConflict((oc) => oc.columns(['session_id', 'scope']).doUpdateSet({ granted_until: until }))
    .execute();
}

export async function findScopeGrant(db: Kysely<Database>, sessionId: string, scope: string, now: number): Promise<number | null> {
  const row = await db
    .selectFrom('session_scopes')
    .select('granted_until')
    .where('session_id', '=', sessionId)
    .where('scope', '=', scope)
    .where('granted_until', '>', now)
    .executeTakeFirst();
  return row ? Number(row.granted_until) : null;
}
