import type { ServerContext } from '../../context.js';
import type { PushSubscriptionJson, WakeUpPayload } from '../../delivery/push-waker.js';
import { markSubscriptionStale, type PushDeviceRow } from '../../store/repositories/push-devices.js';
import type { PushChallengeRow } from '../../store/repositories/push-challenges.js';

/**
 * Wakes the user's devices that have a live push subscription. Best effort: a device that is not
 * woken finds the request when it polls or is opened. A push service's 404/410 marks the
 * subscription stale, so it is not tried again. Answers whether any device was woken.
 */
export async function wakeDevices(
  ctx: ServerContext,
  devices: PushDeviceRow[],
  payload: WakeUpPayload,
  push: PushChallengeRow,
): Promise<boolean> {
  const targets = devices.filter((device) => device.subscription !== null && device.subscription_stale_at === null);
  if (targets.length === 0 || ctx.delivery.push.vapidPublicKey === null) return false;
  const ttlSeconds = Math.max(1, Math.ceil((push.expires_at - ctx.clock.now()) / 1000));
  const outcomes = await Promise.all(
    targets.map(async (device) => {
      const subscription = JSON.parse(device.subscription!) as PushSubscriptionJson;
      const outcome = await ctx.delivery.push.wake(subscription, payload, { ttlSeconds, topic: push.id.replace(/-/g, '') });
      if (outcome === 'gone') await markSubscriptionStale(ctx.store.db, device.id, device.subscription!, ctx.clock.now());
      return outcome;
    }),
  );
  return outcomes.includes('sent');
}
