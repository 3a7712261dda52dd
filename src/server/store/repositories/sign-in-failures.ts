import { sql, type Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-trail.js';
import { DAY, MINUTE } from '../../clock.js';
import type { Database } from '../schema.js';

/**
 * Failed sign-ins per tenant, counted in 15-minute windows. The window row is the aggregate that
 * keeps the evidence under a flood: the first `AUDITED_FAILURES_PER_WINDOW` wrong passwords of a
 * tenant in a window are written to the audit trail one row each, the rest only counted here, so
 * anonymous clients cannot grow the append-only trail without bound. One audit row says when a window
 * switched to counting, and one when it raised the credential-stuffing alarm.
 */
export const FAILURE_WINDOW = 15 * MINUTE;
/** Per tenant and window. Enough to read a single user's typing trouble in full. */
export const AUDITED_FAILURES_PER_WINDOW = 50;

const windowOf = (now: number) => now - (now % FAILURE_WINDOW);

export interface FailedSignIn {
  tenantId: string;
  userId: string | null;
  ip: string;
  reason: 'unknown_user' | 'wrong_password' | 'disabled';
  /** This failure started a new run for its email (its first wrong password in a row). */
  newRun: boolean;
  failuresInRow: number;
  alarmAccounts: number;
}

/** Counts a checked wrong password; audits it while the window's budget lasts; raises the alarm once. */
export async function recordFailedSignIn(db: Kysely<Database>, f: FailedSignIn, now: number): Promise<void> {
  const windowStart = windowOf(now);
  const counted = await db
    .insertInto('sign_in_failure_windows')
    .values({ tenant_id: f.tenantId, window_start: windowStart, failures: 1, refused: 0, accounts: f.newRun ? 1 : 0 })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'window_start']).doUpdateSet({
        failures: sql<number>`sign_in_failure_windows.failures + 1`,
        accounts: sql<number>`sign_in_failure_windows.accounts + ${f.newRun ? 1 : 0}`,
      }),
    )
    .returning(['failures', 'accounts'])
    .executeTakeFirstOrThrow();
  const failures = Number(counted.failures);
  const accounts = Number(counted.accounts);
  const base = { tenantId: f.tenantId, actorType: 'anonymous' as const, ip: f.ip };
  if (failures <= AUDITED_FAILURES_PER_WINDOW) {
    await recordAudit(db, now, {
      ...base,
      action: 'login.failed',
      userId: f.userId,
      details: { reason: f.reason, failuresInRow: f.failuresInRow },
    });
  } else if (failures === AUDITED_FAILURES_PER_WINDOW + 1) {
    await recordAudit(db, now, {
      ...base,
      action: 'login.failures_aggregated',
      details: windowDetails(windowStart, { audited: AUDITED_FAILURES_PER_WINDOW }),
    });
  }
  // One conditional update raises the alarm, so exactly one request writes its audit row (also when
  // the threshold was lowered below a window's count meanwhile).
  if (f.newRun && accounts >= f.alarmAccounts) {
    const raised = await db
      .updateTable('sign_in_failure_windows')
      .set({ alarmed_at: now })
      .where('tenant_id', '=', f.tenantId)
      .where('window_start', '=', windowStart)
      .where('alarmed_at', 'is', null)
      .executeTakeFirst();
    if (raised.numUpdatedRows === 1n)
      await recordAudit(db, now, {
        ...base,
        action: 'alarm.credential_stuffing',
        details: windowDetails(windowStart, { accounts, failures }),
      });
  }
}

/** Counts a try a throttle refused unchecked (429): no audit row, only the window's count. */
export async function recordRefusedSignIn(db: Kysely<Database>, tenantId: string, now: number): Promise<void> {
  await db
    .insertInto('sign_in_failure_windows')
    .values({ tenant_id: tenantId, window_start: windowOf(now), failures: 0, refused: 1, accounts: 0 })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'window_start']).doUpdateSet({ refused: sql<number>`sign_in_failure_windows.refused + 1` }),
    )
    .execute();
}

function windowDetails(windowStart: number, extra: Record<string, number>): Record<string, unknown> {
  return { windowStart: new Date(windowStart).toISOString(), windowEnd: new Date(windowStart + FAILURE_WINDOW).toISOString(), ...extra };
}

export interface SignInAlarm {
  tenantId: string;
  windowStart: number;
  failures: number;
  refused: number;
  accounts: number;
  alarmedAt: number;
}

/** Windows that raised the alarm since `since`, newest first, in the given tenants (empty: all). */
export async function listSignInAlarms(db: Kysely<Database>, tenantIds: string[], since: number): Promise<SignInAlarm[]> {
  let select = db
    .selectFrom('sign_in_failure_windows')
    .selectAll()
    .where('alarmed_at', 'is not', null)
    .where('window_start', '>=', since - FAILURE_WINDOW)
    .orderBy('window_start', 'desc')
    .limit(200);
  if (tenantIds.length) select = select.where('tenant_id', 'in', tenantIds);
  const rows = await select.execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    windowStart: Number(r.window_start),
    failures: Number(r.failures),
    refused: Number(r.refused),
    accounts: Number(r.accounts),
    alarmedAt: Number(r.alarmed_at),
  }));
}

/** Windows are evidence for a quarter, then dropped (the audit rows that point at them stay). */
export async function pruneSignInFailureWindows(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .deleteFrom('sign_in_failure_windows')
    .where('window_start', '<', now - 90 * DAY)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
