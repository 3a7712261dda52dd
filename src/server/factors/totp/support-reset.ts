import type { Kysely } from 'kysely';
import { ApiError } from '../../api-error.js';
import { revokeUserSessions } from '../../store/repositories/sessions.js';
import { revokeTrustedDevices } from '../../store/repositories/trusted-devices.js';
import { forgetTrustedIps } from '../../store/repositories/trusted-ips.js';
import type { UserRow } from '../../store/repositories/users.js';
import type { Database } from '../../store/schema.js';
import { dropPendingRecoveryCodes } from '../recovery-codes/batches.js';

/**
 * Support's reset of the authenticator app (a lost phone): the app's factor rows go, and with them
 * every way in that the old phone might still hold (sessions, remembered devices, trusted IPs).
 * Without another factor the user enrols again at the next sign-in, with new recovery codes. Runs in
 * the support action's transaction (admin/support-actions.ts writes its audit event there).
 */
export async function resetAuthenticatorApp(
  trx: Kysely<Database>,
  user: UserRow,
  now: number,
): Promise<{ devicesForgotten: number; sessionsEnded: number; reEnrollAtNextSignIn: boolean }> {
  const removed = await trx.deleteFrom('totp_factors').where('user_id', '=', user.id).executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw new ApiError('conflict', 'This user has no authenticator app.');
  await dropPendingRecoveryCodes(trx, user.id, 'totp');
  const stillEnrolled = user.phone !== null;
  await trx
    .updateTable('users')
    .set(stillEnrolled ? { failed_code_count: 0 } : { mfa_enrolled_at: null, recovery_batch_id: null, failed_code_count: 0 })
    .where('id', '=', user.id)
    .execute();
  const devicesForgotten = await revokeTrustedDevices(trx, user.id, now);
  const sessionsEnded = await revokeUserSessions(trx, user.id, now);
  await forgetTrustedIps(trx, user.id);
  return { devicesForgotten, sessionsEnded, reEnrollAtNextSignIn: !stillEnrolled };
}
