import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { pendingPushAnswer, pushSubscriptionRequest } from '../../../shared/api/push.js';
import type { PushContext } from '../../../shared/push/protocol.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { iso } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { findPushDevice, moveDeviceState, setPushSubscription, type PushDeviceRow } from '../../store/repositories/push-devices.js';
import { pendingPushesForDevice } from '../../store/repositories/push-challenges.js';
import type { Database } from '../../store/schema.js';

/** What a device may answer now, with the context it shows; never the code. A suspended device sees nothing. */
export async function pendingForDevice(ctx: ServerContext, device: PushDeviceRow): Promise<z.infer<typeof pendingPushAnswer>> {
  const now = ctx.clock.now();
  const rows = device.state === 'active' || device.state === 'pending' ? await pendingPushesForDevice(ctx.store.db, device, now) : [];
  return {
    deviceState: device.state,
    items: rows.map((row) => ({
      id: row.id,
      nonce: row.nonce,
      context: JSON.parse(row.context) as PushContext,
      expiresAt: iso(row.expires_at),
    })),
  };
}

/** The device's Web Push subscription (it asked for notification permission later), or null to stop. */
export async function updateSubscription(
  ctx: ServerContext,
  device: PushDeviceRow,
  input: z.infer<typeof pushSubscriptionRequest>,
): Promise<{ ok: true }> {
  if (device.state !== 'active' && device.state !== 'pending')
    throw new ApiError('forbidden', 'This device is suspended.', { deviceState: device.state });
  await setPushSubscription(ctx.store.db, device.id, input.pushSubscription ? JSON.stringify(input.pushSubscription) : null);
  return { ok: true };
}

/**
 * Revokes one of the user's devices (by the user, or support inside `supportAction`): it can no
 * longer sign requests or answer pushes. `db` is the caller's transaction; answers the device, or
 * null when the user has no such device (revoked ones included: revoking twice is a 404).
 */
export async function revokePushDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  now: number,
  actor: { type: 'user'; ip: string } | { type: 'operator' },
): Promise<PushDeviceRow | null> {
  const device = await findPushDevice(db, deviceId);
  if (!device || device.user_id !== userId || device.state === 'revoked') return null;
  if (!(await moveDeviceState(db, device.id, ['pending', 'active', 'suspended'], 'revoked', now))) return null;
  if (actor.type === 'user') {
    await recordAudit(db, now, {
      tenantId: device.tenant_id,
      userId,
      actorType: 'user',
      actorId: userId,
      ip: actor.ip,
      action: 'push.device_revoked',
      details: { deviceId, deviceName: device.name },
    });
  }
  return device;
}
