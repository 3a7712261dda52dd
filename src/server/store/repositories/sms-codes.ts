import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { Database, SmsCodesTable } from '../schema.js';

export type SmsCodeRow = Selectable<SmsCodesTable>;

/** Where a code belongs: a sign-in challenge, a reset link, or the user's phone setup. */
export interface SmsCodeOwner {
  userId: string;
  purpose: SmsCodeRow['purpose'];
  challengeId?: string | null;
  resetLinkId?: string | null;
}

/** Stores a new code (only its MAC); earlier open codes of the same owner stop working (a resend replaces). */
export async function insertSmsCode(
  db: Kysely<Database>,
  owner: SmsCodeOwner,
  input: { id?: string; phone: string; codeMac: string; expiresAt: number },
  now: number,
): Promise<string> {
  let retire = db
    .updateTable('sms_codes')
    .set({ consumed_at: now })
    .where('user_id', '=', owner.userId)
    .where('purpose', '=', owner.purpose)
    .where('consumed_at', 'is', null);
  if (owner.challengeId) retire = retire.where('challenge_id', '=', owner.challengeId);
  if (owner.resetLinkId) retire = retire.where('reset_link_id', '=', owner.resetLinkId);
  await retire.execute();
  const id = input.id ?? newId();
  await db
    .insertInto('sms_codes')
    .values({
      id,
      user_id: owner.userId,
      purpose: owner.purpose,
      challenge_id: owner.challengeId ?? null,
      reset_link_id: owner.resetLinkId ?? null,
      phone: input.phone,
      code_mac: input.codeMac,
      created_at: now,
      expires_at: input.expiresAt,
      consumed_at: null,
    })
    .execute();
  return id;
}

/** The newest open code of an owner. */
export function findOpenSmsCode(db: Kysely<Database>, owner: SmsCodeOwner, now: number): Promise<SmsCodeRow | undefined> {
  let query = db
    .selectFrom('sms_codes')
    .selectAll()
    .where('user_id', '=', owner.userId)
    .where('purpose', '=', owner.purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now);
  if (owner.challengeId) query = query.where('challenge_id', '=', owner.challengeId);
  if (owner.resetLinkId) query = query.where('reset_link_id', '=', owner.resetLinkId);
  return query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** Takes one try from a code; null when it is used up, expired or out of tries. Returns tries left. */
export async function takeSmsCodeAttempt(db: Kysely<Database>, id: string, maxAttempts: number, now: number): Promise<number | null> {
  const row = await db
    .updateTable('sms_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', maxAttempts)
    .returning('attempts')
    .executeTakeFirst();
  return row ? maxAttempts - Number(row.attempts) : null;
}

export async function consumeSmsCode(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sms_codes')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
