import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { ChallengesTable, Database } from '../schema.js';

export type ChallengeRow = Selectable<ChallengesTable>;

export interface NewChallenge {
  userId: string;
  purpose: ChallengeRow['purpose'];
  scope: string | null;
  sessionId: string | null;
  ip: string;
  maxAttempts: number;
  expiresAt: number;
}

export async function insertChallenge(db: Kysely<Database>, input: NewChallenge, now: number): Promise<ChallengeRow> {
  const row = {
    id: newId(),
    user_id: input.userId,
    purpose: input.purpose,
    scope: input.scope,
    session_id: input.sessionId,
    ip: input.ip,
    max_attempts: input.maxAttempts,
    created_at: now,
    expires_at: input.expiresAt,
    consumed_at: null,
  };
  await db.insertInto('challenges').values(row).execute();
  return { ...row, attempts: 0 };
}

export function findChallenge(db: Kysely<Database>, id: string): Promise<ChallengeRow | undefined> {
  return db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Takes one attempt from an open challenge, atomically. Returns the challenge as it is after this
 * attempt, or null when it is unknown, consumed, expired or out of attempts.
 */
export async function takeChallengeAttempt(db: Kysely<Database>, id: string, now: number): Promise<ChallengeRow | null> {
  const row = await db
    .updateTable('challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** Marks the challenge answered; false if another request got there first. */
export async function consumeChallenge(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('challenges')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Ends a user's open challenges now: their attempts, SMS and answers are refused as expired. */
export async function expireOpenChallenges(db: Kysely<Database>, userId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('challenges')
    .set({ expires_at: now })
    .where('user_id', '=', userId)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
