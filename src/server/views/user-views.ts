import { sql, type Kysely } from 'kysely';
import type { PublicUser } from '../../shared/api/end-user.js';
import type { FactorView, TrustedDeviceView } from '../../shared/api/views.js';
import { describeFactors } from '../factors/registry.js';
import { countRecoveryCodesLeft } from '../store/repositories/recovery-codes.js';
import { listTrustedDevices } from '../store/repositories/trusted-devices.js';
import type { UserRow } from '../store/repositories/users.js';
import type { LockoutView, UserSummary } from '../../shared/api/admin.js';
import { maskPhone } from '../factors/sms/phone-numbers.js';
import type { LockoutRow } from '../store/repositories/lockouts.js';
import type { Database } from '../store/schema.js';
import { iso } from '../clock.js';

/** The account's own view of the user: never the password hash, failure counters or factor secrets. */
export function toPublicUser(user: UserRow): PublicUser {
  return {
    id: user.id,
    tenantId: user.tenant_id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    mfaEnrolled: user.mfa_enrolled_at !== null,
  };
}

/**
 * The user's second factors as the account (/v1/me) and support (the user detail) both see them:
 * one function, one set of field names (Logto's one sanitized view per record).
 */
export async function describeSecondFactors(
  db: Kysely<Database>,
  user: UserRow,
  now: number,
): Promise<{ factors: FactorView[]; recoveryCodesLeft: number; trustedDevices: TrustedDeviceView[] }> {
  return {
    factors: await describeFactors(db, user),
    recoveryCodesLeft: await countRecoveryCodesLeft(db, user.id, user.recovery_batch_id),
    trustedDevices: (await listTrustedDevices(db, user.id, now)).map(toTrustedDeviceView),
  };
}

/** A remembered device: its label and times, never its token. */
export function toTrustedDeviceView(d: {
  id: string;
  label: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number;
}): TrustedDeviceView {
  return {
    id: d.id,
    label: d.label,
    createdAt: iso(d.created_at),
    lastUsedAt: d.last_used_at === null ? null : iso(d.last_used_at),
    expiresAt: iso(d.expires_at),
  };
}

/** The columns a user row in the console needs, with tenant and "locked now" in the same query. */
export function selectUserSummaries(db: Kysely<Database>, now: number) {
  return db
    .selectFrom('users as u')
    .innerJoin('tenants as t', 't.id', 'u.tenant_id')
    .select([
      'u.id',
      'u.tenant_id',
      'u.email',
      'u.name',
      'u.phone',
      'u.mfa_enrolled_at',
      'u.disabled_at',
      'u.shared_mailbox',
      'u.locale',
      'u.created_at',
      't.slug as tenant_slug',
      't.name as tenant_name',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('lockouts as l')
            .select(sql`1`.as('one'))
            .whereRef('l.user_id', '=', 'u.id')
            .where('l.lifted_at', 'is', null)
            .where('l.until', '>', now),
        )
        .as('locked'),
    );
}

export interface UserSummaryRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  phone: string | null;
  mfa_enrolled_at: number | null;
  disabled_at: number | null;
  shared_mailbox: number;
  locale: string;
  created_at: number;
  tenant_slug: string;
  tenant_name: string;
  locked: unknown;
}

export function toUserSummary(row: UserSummaryRow): UserSummary {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    tenantName: row.tenant_name,
    email: row.email,
    name: row.name,
    phoneHint: row.phone ? maskPhone(row.phone) : null,
    mfaEnrolled: row.mfa_enrolled_at !== null,
    // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
    locked: row.locked === true || Number(row.locked) === 1,
    disabled: row.disabled_at !== null,
    shared: Number(row.shared_mailbox) === 1,
  };
}

const reasonTexts: Record<LockoutRow['reason'], (hours: number) => string> = {
  failed_codes: (h) => `Too many wrong codes in a row. Locked for ${h} hours from the last wrong code.`,
  sms_daily_limit: (h) =>
    `Asked for more sign-in SMS codes than the daily limit allows. Locked for ${h} hours; after that a new code can be requested.`,
  admin: () => 'Locked by an administrator.',
};

/** An exhausted run of wrong passwords, shown among the lockouts: to the caller it is one. */
export function toPasswordRunLockoutView(row: {
  user_id: string;
  tenant_id: string;
  email: string;
  name: string;
  failures: number;
  last_failure_at: number;
}): LockoutView {
  return {
    id: `password:${row.user_id}`,
    userId: row.user_id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    reason: 'password_attempts',
    reasonText: `${row.failures} wrong passwords in a row. Sign-in from new devices and networks is refused until the user signs in from one they used before, or support unlocks.`,
    since: iso(row.last_failure_at),
    until: null,
    liftedAt: null,
    liftedBy: null,
  };
}

export function toLockoutView(row: LockoutRow & { email: string; name: string }): LockoutView {
  const hours = Math.round((Number(row.until) - Number(row.since)) / 3_600_000);
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    reason: row.reason,
    reasonText: reasonTexts[row.reason](hours),
    since: iso(row.since),
    until: iso(row.until),
    liftedAt: row.lifted_at === null ? null : iso(row.lifted_at),
    liftedBy: row.lifted_by,
  };
}
