import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-trail.js';
import type { ServerContext } from '../context.js';
import { revokeUserSessions } from '../store/repositories/sessions.js';
import { revokeTrustedDevices } from '../store/repositories/trusted-devices.js';
import { findUserById, type UserRow } from '../store/repositories/users.js';
import type { Database } from '../store/schema.js';

/**
 * An account disabled on a chosen date (a break-up's shared mailbox). From `disable_at` on it is
 * disabled wherever it is looked at (sign-in, every session use), exactly then and not at the next
 * sweep: the first look after that time makes it so (`disabled_at`, its sessions and remembered
 * devices ended, one audit event), and the hourly housekeeping does the same for accounts nobody
 * touched, so lists show them disabled too.
 */
export function isDisabled(user: Pick<UserRow, 'disabled_at' | 'disable_at'>, now: number): boolean {
  return user.disabled_at !== null || (user.disable_at !== null && user.disable_at <= now);
}

/** The user as of now: disabled for good if its date has passed (idempotent: one change, one event). */
export async function applyDueDisable(db: Kysely<Database>, user: UserRow, now: number): Promise<UserRow> {
  if (user.disabled_at !== null || user.disable_at === null || user.disable_at > now) return user;
  const at = user.disable_at;
  await db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('users')
      .set({ disabled_at: at })
      .where('id', '=', user.id)
      .where('disabled_at', 'is', null)
      .where('disable_at', '<=', now)
      .executeTakeFirst();
    if (changed.numUpdatedRows !== 1n) return;
    const sessions = await revokeUserSessions(trx, user.id, now);
    const devices = await revokeTrustedDevices(trx, user.id, now);
    // Its push devices approve nothing any more either.
    await trx
      .updateTable('push_devices')
      .set({ state: 'revoked', revoked_at: now })
      .where('user_id', '=', user.id)
      .where('state', '!=', 'revoked')
      .execute();
    await recordAudit(trx, now, {
      action: 'user.disabled',
      tenantId: user.tenant_id,
      userId: user.id,
      actorType: 'system',
      details: { scheduledFor: new Date(Number(at)).toISOString(), sessionsEnded: sessions, devicesForgotten: devices },
    });
  });
  return (await findUserById(db, user.id)) ?? { ...user, disabled_at: at };
}

/** The sweep: accounts whose date has passed without anyone signing in. */
export async function applyDueDisables(ctx: Pick<ServerContext, 'store' | 'clock'>): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.store.db
    .selectFrom('users')
    .selectAll()
    .where('disable_at', '<=', now)
    .where('disabled_at', 'is', null)
    .limit(1000)
    .execute();
  for (const user of due) await applyDueDisable(ctx.store.db, user, now);
  return due.length;
}
