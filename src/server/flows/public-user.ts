import type { PublicUser } from '../../shared/api/end-user.js';
import type { UserRow } from '../store/repositories/users.js';

/** The sanitized view of a user: never the password hash, failure counters or factor secrets. */
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

export function iso(ms: number): string {
  return new Date(Number(ms)).toISOString();
}
