import type { Kysely, Selectable } from 'kysely';
import type { Database, PushChallengesTable } from '../schema.js';

export type PushChallengeRow = Selectable<PushChallengesTable>;
export type PushChallengeState = PushChallengeRow['state'];

export async function insertPushChallenge(db: Kysely<Database>, row: Omit<PushChallengeRow, 'sends'>): Promise<void> {
  await db
    .insertInto('push_challenges')
    .values({ ...row, sends: 1 })
    .execute();
}

export function findPushChallenge(db: Kysely<Database>, id: string): Promise<PushChallengeRow | undefined> {
  return db.selectFrom('push_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The push of a sign-in (or step-up) challenge: the newest, since a cancelled one may precede it. */
export function pushForChallenge(db: Kysely<Database>, challengeId: string): Promise<PushChallengeRow | undefined> {
  return db
    .selectFrom('push_challenges')
    .selectAll()
    .where('challenge_id', '=', challengeId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The one compare-and-set every change of a push goes through: from `from` to `to`, only while it is
 * in `from` (and, leaving `pending`, not yet expired). Of concurrent answers exactly one moves it.
 */
export async function movePushState(
  db: Kysely<Database>,
  id: string,
  from: PushChallengeState,
  to: PushChallengeState,
  now: number,
  answeredBy?: string,
): Promise<boolean> {
  let update = db
    .updateTable('push_challenges')
    .set(answeredBy ? { state: to, answered_at: now, answered_by: answeredBy } : { state: to })
    .where('id', '=', id)
    .where('state', '=', from);
  if (from === 'pending' && to !== 'expired' && to !== 'cancelled') update = update.where('expires_at', '>', now);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Ends the user's pending sign-in pushes (a newer sign-in, push locked): a late approval finds them cancelled. */
export async function cancelPendingPushes(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db
    .updateTable('push_challenges')
    .set({ state: 'cancelled' })
    .where('user_id', '=', userId)
    .where('state', '=', 'pending')
    .where('kind', '=', 'sign_in')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends the pending push of one challenge (the user switched to SMS). */
export async function cancelPushOfChallenge(db: Kysely<Database>, challengeId: string): Promise<number> {
  const result = await db
    .updateTable('push_challenges')
    .set({ state: 'cancelled' })
    .where('challenge_id', '=', challengeId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A resend: counted by one conditional update, so two at once do not both pass the cooldown. */
export async function recordResend(
  db: Kysely<Database>,
  push: PushChallengeRow,
  maxSends: number,
  notBefore: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('push_challenges')
    .set({ sends: push.sends + 1, last_sent_at: now })
    .where('id', '=', push.id)
    .where('state', '=', 'pending')
    .where('sends', '=', push.sends)
    .where('sends', '<', maxSends)
    .where('last_sent_at', '<=', notBefore)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** What a device may answer now: the user's pending sign-in pushes, and its own test approval. */
export function pendingPushesForDevice(
  db: Kysely<Database>,
  device: { id: string; user_id: string; state: string },
  now: number,
): Promise<PushChallengeRow[]> {
  return db
    .selectFrom('push_challenges')
    .selectAll()
    .where('user_id', '=', device.user_id)
    .where('state', '=', 'pending')
    .where('expires_at', '>', now)
    .where((eb) =>
      device.state === 'active'
        ? eb.or([eb('kind', '=', 'sign_in'), eb('device_id', '=', device.id)])
        : eb.and([eb('kind', '=', 'device_test'), eb('device_id', '=', device.id)]),
    )
    .orderBy('created_at', 'desc')
    .execute();
}
