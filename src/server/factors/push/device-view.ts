import type { PushDeviceView } from '../../../shared/api/push.js';
import { iso } from '../../clock.js';
import type { PushDeviceRow } from '../../store/repositories/push-devices.js';

/** A device as its owner and support see it: never its key or push subscription. */
export function toPushDeviceView(row: PushDeviceRow): PushDeviceView {
  return {
    id: row.id,
    name: row.name,
    platform: row.platform,
    state: row.state,
    createdAt: iso(row.created_at),
    activatedAt: row.activated_at === null ? null : iso(row.activated_at),
    lastUsedAt: row.last_used_at === null ? null : iso(row.last_used_at),
    suspendedAt: row.suspended_at === null ? null : iso(row.suspended_at),
    wakeable: row.subscription !== null && row.subscription_stale_at === null,
  };
}
