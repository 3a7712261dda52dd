import type { Kysely, Selectable } from 'kysely';
import type { Database, EnrollmentSheetsTable } from '../schema.js';

export type SheetRow = Selectable<EnrollmentSheetsTable>;
export type SheetState = 'live' | 'used' | 'expired' | 'voided' | 'replaced';

/** What became of a sheet, in the order that decides: a spent sheet stays spent, a voided one voided. */
export function sheetState(sheet: Pick<SheetRow, 'used_at' | 'voided_at' | 'replaced_at' | 'expires_at'>, now: number): SheetState {
  if (sheet.used_at !== null) return 'used';
  if (sheet.voided_at !== null) return 'voided';
  if (sheet.replaced_at !== null) return 'replaced';
  return sheet.expires_at <= now ? 'expired' : 'live';
}

/** The sheet that still works for this user, if any (a newer sheet replaces the older, so at most one). */
export function findLiveSheet(db: Kysely<Database>, userId: string, now: number): Promise<SheetRow | undefined> {
  return db
    .selectFrom('enrollment_sheets')
    .selectAll()
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('replaced_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** A user's unspent sheets, newest first: a code is checked against them to tell "expired" from "wrong". */
export function unspentSheetsOf(db: Kysely<Database>, userId: string, limit = 5): Promise<SheetRow[]> {
  return db
    .selectFrom('enrollment_sheets')
    .selectAll()
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** A new sheet; the user's older sheets that still worked are replaced by it. */
export async function insertSheet(
  db: Kysely<Database>,
  sheet: Omit<SheetRow, 'used_at' | 'voided_at' | 'voided_by' | 'replaced_at'>,
): Promise<void> {
  await db
    .updateTable('enrollment_sheets')
    .set({ replaced_at: sheet.created_at })
    .where('user_id', '=', sheet.user_id)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('replaced_at', 'is', null)
    .execute();
  await db
    .insertInto('enrollment_sheets')
    .values({ ...sheet, used_at: null, voided_at: null, voided_by: null, replaced_at: null })
    .execute();
}

/** Spends a live sheet: one conditional update, so of two codes typed at once one wins. */
export async function spendSheet(db: Kysely<Database>, sheetId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('enrollment_sheets')
    // The key moves to the user's factor: the sheet keeps no copy.
    .set({ used_at: now, secret_enc: '' })
    .where('id', '=', sheetId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('replaced_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function voidSheet(db: Kysely<Database>, sheetId: string, by: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('enrollment_sheets')
    .set({ voided_at: now, voided_by: by })
    .where('id', '=', sheetId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export function findSheet(db: Kysely<Database>, sheetId: string): Promise<SheetRow | undefined> {
  return db.selectFrom('enrollment_sheets').selectAll().where('id', '=', sheetId).executeTakeFirst();
}

/** Days past expiry a sheet's key is kept, so a code typed from old paper is told "expired" rather than "wrong". */
export const SHEET_KEY_KEPT_DAYS = 30;

/** Wipes the keys of sheets long past use (expired, voided or replaced more than a month ago). */
export async function wipeOldSheetKeys(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .updateTable('enrollment_sheets')
    .set({ secret_enc: '' })
    .where('secret_enc', '!=', '')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', now - SHEET_KEY_KEPT_DAYS * 86_400_000),
        eb('voided_at', '<', now - SHEET_KEY_KEPT_DAYS * 86_400_000),
        eb('replaced_at', '<', now - SHEET_KEY_KEPT_DAYS * 86_400_000),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The user's app is active now (set up from a QR code): their sheets that still worked are replaced. */
export async function retireLiveSheets(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  await db
    .updateTable('enrollment_sheets')
    .set({ replaced_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('replaced_at', 'is', null)
    .execute();
}
