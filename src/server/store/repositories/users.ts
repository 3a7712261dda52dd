import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import { looksLikeSharedMailbox } from '../../policy/shared-mailboxes.js';
import type { Database, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  tenantId: string;
  email: string;
  name: string;
  passwordHash: string;
  locale: string;
  phone?: string | null;
  /** Set for imported users whose factor (a verified phone) is already in place. */
  mfaEnrolledAt?: number | null;
}

export async function insertUser(db: Kysely<Database>, input: NewUser, now: number): Promise<UserRow> {
  const row = {
    id: newId(),
    tenant_id: input.tenantId,
    email: input.email.toLowerCase(),
    name: input.name,
    phone: input.phone ?? null,
    locale: input.locale,
    password_hash: input.passwordHash,
    password_changed_at: now,
    mfa_enrolled_at: input.mfaEnrolledAt ?? null,
    recovery_batch_id: null,
    pending_recovery_batch_id: null,
    pending_recovery_factor: null,
    disabled_at: null,
    created_at: now,
    shared_mailbox: looksLikeSharedMailbox(input.email) ? 1 : 0,
  };
  await db.insertInto('users').values(row).execute();
  return {
    ...row,
    failed_code_count: 0,
    push_wrong_codes: 0,
    push_locked_at: null,
    push_locked_until: null,
    shared_verdict: null,
    shared_verdict_at: null,
    shared_verdict_by: null,
    shared_verdict_note: null,
    disable_at: null,
  };
}

export function findUserByEmail(db: Kysely<Database>, tenantId: string, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Counts one more wrong code, atomically; returns the new count. */
export async function incrementFailedCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({ failed_code_count: eb('failed_code_count', '+', 1) }))
    .where('id', '=', userId)
    .returning('failed_code_count')
    .executeTakeFirstOrThrow();
  return Number(row.failed_code_count);
}

export async function resetFailedCodes(db: Kysely<Database>, userId: string): Promise<void> {
  await db.updateTable('users').set({ failed_code_count: 0 }).where('id', '=', userId).where('failed_code_count', '>', 0).execute();
}
