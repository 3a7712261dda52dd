import { HOUR } from '../clock.js';
import type { ServerContext } from '../context.js';
import { pruneRateLimits } from './repositories/rate-limits.js';
import { pruneRequestNonces } from './repositories/push-devices.js';
import { REQUEST_NONCE_TTL_MS } from '../../shared/push/protocol.js';
import { pruneSignInFailureWindows } from './repositories/sign-in-failures.js';
import { prunePasswordFailures } from './repositories/password-failures.js';
import { applyDueDisables } from '../flows/scheduled-disable.js';
import { wipeOldSheetKeys } from './repositories/enrollment-sheets.js';
import { deleteExpiredOidcPayloads } from '../oidc/adapter.js';

/**
 * Drops counters nobody reads any more, so credential stuffing with a million made-up emails does not
 * leave a million rows behind: rate-limit windows of the past day, short password runs quiet for a
 * month (password-throttle.ts), failure windows older than a quarter.
 */
export async function pruneCounters(ctx: Pick<ServerContext, 'store' | 'clock'>): Promise<{ passwordRuns: number; windows: number }> {
  const now = ctx.clock.now();
  const { db } = ctx.store;
  await pruneRateLimits(db, now, 24 * HOUR);
  // A nonce past the signed requests' time window can never be replayed: the time check refuses it first.
  await pruneRequestNonces(db, now - REQUEST_NONCE_TTL_MS);
  // Not a counter, but hourly too: accounts whose scheduled disable passed unseen are marked disabled.
  await applyDueDisables(ctx);
  await wipeOldSheetKeys(db, now);
  // The OpenID Provider's sessions, interactions and codes that have run out (wall-clock, as oidc-provider's are).
  await deleteExpiredOidcPayloads(db);
  return { passwordRuns: await prunePasswordFailures(db, now), windows: await pruneSignInFailureWindows(db, now) };
}

/** Prunes every hour in the background (each instance; the deletes are idempotent). */
export function startHousekeeping(ctx: Pick<ServerContext, 'store' | 'clock'>, log: (line: string) => void): () => void {
  const timer = setInterval(() => void pruneCounters(ctx).catch((error: unknown) => log(`housekeeping failed: ${String(error)}`)), HOUR);
  timer.unref();
  return () => clearInterval(timer);
}
