import type { Generated } from 'kysely';
import type { EnrolledMethod } from '../../shared/methods.js';

/**
 * Table types. Portable across SQLite and PostgreSQL (and PostgreSQL-compatible distributed engines):
 * ids are application-made text (UUIDs), times are epoch milliseconds in BIGINT columns, and flags are
 * nullable timestamps ("confirmed_at") rather than booleans, so both dialects read them the same way.
 */
export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  /** JSON of TenantPolicy (src/shared/policy.ts). */
  policy: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  /** E.164, verified, or null. */
  phone: string | null;
  locale: string;
  password_hash: string;
  password_changed_at: number;
  /** Set when enrollment completed (recovery codes acknowledged). */
  mfa_enrolled_at: number | null;
  /** The recovery-code batch that currently works; older batches are dead. */
  recovery_batch_id: string | null;
  /** The batch issued at a factor's confirmation, live once enrollment completes (factors/recovery-codes/batches.ts). */
  pending_recovery_batch_id: string | null;
  /** Whose confirmation issued the pending batch: only that factor's completion may make it live. */
  pending_recovery_factor: EnrolledMethod | null;
  /** Wrong second-factor codes in a row, across challenges; reset by a success. */
  failed_code_count: Generated<number>;
  disabled_at: number | null;
  created_at: number;
  /** 1 when the mailbox looks shared by several people (accounts@, faktura@, ...). */
  shared_mailbox: Generated<number>;
  /** Wrong codes typed on push devices in a row; reset by an approval. */
  push_wrong_codes: Generated<number>;
  /** Push is locked for the user (SMS and the app still work) from `push_locked_at` until `push_locked_until`. */
  push_locked_at: Generated<number | null>;
  push_locked_until: Generated<number | null>;
  /** An operator's word: 'shared' (flagged) or 'not_shared' (the signs are ignored); null: the signs decide. */
  shared_verdict: Generated<'shared' | 'not_shared' | null>;
  shared_verdict_at: Generated<number | null>;
  shared_verdict_by: Generated<string | null>;
  shared_verdict_note: Generated<string | null>;
  /** Disabled from this time on (a break-up's date); `disabled_at` is set once it has passed (flows/scheduled-disable.ts). */
  disable_at: Generated<number | null>;
}

export interface TotpFactorsTable {
  id: string;
  user_id: string;
  /** AES-256-GCM ciphertext of the base32 secret, bound to the user id. */
  secret_enc: string;
  /** pending: shown, not confirmed; confirmed: code checked, recovery codes not yet acknowledged; active. */
  status: 'pending' | 'confirmed' | 'active';
  /** Highest RFC 6238 time step accepted; a code at or below it is a replay. */
  last_used_step: number | null;
  created_at: number;
  activated_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  batch_id: string;
  /** SHA-256 of the normalized code: codes carry >= 112 bits of entropy (OWASP ASVS 5.0 6.5.2). */
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  /** enrollment: may only enrol factors; full: a signed-in session. */
  kind: 'enrollment' | 'full';
  created_at: number;
  expires_at: number;
  /** When a second factor was last checked in this session (null when a remembered device skipped it). */
  second_factor_at: number | null;
  revoked_at: number | null;
  ip: string;
  /** RFC 8176 values, space-separated ("pwd otp mfa"): how the session was signed in; null for sessions from before. */
  amr: string | null;
}

export interface SessionScopesTable {
  session_id: string;
  scope: string;
  granted_until: number;
}

export interface ChallengesTable {
  id: string;
  user_id: string;
  purpose: 'login' | 'step_up';
  /** For step_up: the scope ('bank', 'account'); for login: null. */
  scope: string | null;
  session_id: string | null;
  ip: string;
  attempts: Generated<number>;
  max_attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface TrustedDevicesTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number;
  revoked_at: number | null;
}

export interface LockoutsTable {
  id: string;
  user_id: string;
  tenant_id: string;
  reason: 'failed_codes' | 'sms_daily_limit' | 'admin';
  since: number;
  until: number;
  lifted_at: number | null;
  lifted_by: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  tenant_id: string | null;
  user_id: string | null;
  actor_type: 'user' | 'operator' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  ip: string | null;
  /** JSON object; never holds a secret. */
  details: string;
}

export interface SmsCodesTable {
  id: string;
  user_id: string;
  /** setup: enrolling a phone; login: answering a challenge; phone_reset: a support-sent reset link. */
  purpose: 'setup' | 'login' | 'phone_reset';
  challenge_id: string | null;
  reset_link_id: string | null;
  /** The number the code went to (for setup and reset: the number being verified). */
  phone: string;
  /** HMAC-SHA256 of the code under a server key: six digits are too few for a plain hash. */
  code_mac: string;
  attempts: Generated<number>;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface SmsCountersTable {
  user_id: string;
  kind: 'setup' | 'login';
  /** Calendar day in the tenant's time zone, YYYY-MM-DD. */
  day: string;
  count: number;
}

export interface TrustedIpsTable {
  user_id: string;
  ip: string;
  /** Trust holds while it is newer than the user's password_changed_at. */
  trusted_at: number;
}

export interface PhoneResetLinksTable {
  id: string;
  user_id: string;
  tenant_id: string;
  token_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface MessagesTable {
  id: string;
  tenant_id: string | null;
  user_id: string | null;
  channel: 'sms' | 'email';
  recipient: string;
  template: string;
  locale: string;
  /** Email subject; null for SMS. */
  subject: string | null;
  /** The text as sent; blanked once delivered, because it may hold a code or a link. */
  text: string;
  /** `unknown`: its worker stopped after handing it to a provider that cannot tell whether it took it; not sent again. */
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';
  attempts: Generated<number>;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
  /** Set right before a provider is called, cleared when it answers with a failure: set on a lapsed claim, the outcome is unknown. */
  handed_at: number | null;
  last_error: string | null;
}

export interface OperatorsTable {
  id: string;
  email: string;
  name: string;
  role: 'support' | 'tenant_admin' | 'auditor';
  /** Null until the operator sets a password through their one-time link. */
  password_hash: string | null;
  totp_secret_enc: string;
  totp_last_step: number | null;
  disabled_at: number | null;
  created_at: number;
}

export interface OperatorTenantsTable {
  operator_id: string;
  tenant_id: string;
}

export interface OperatorPasswordTokensTable {
  token_hash: string;
  operator_id: string;
  expires_at: number;
  used_at: number | null;
}

export interface OperatorRefreshTokensTable {
  id: string;
  /** All tokens descending from one sign-in; a reused token revokes the family. */
  family_id: string;
  operator_id: string;
  token_hash: string;
  device_name: string;
  ip: string;
  created_at: number;
  expires_at: number;
  /** Set when rotated (used once). */
  used_at: number | null;
  revoked_at: number | null;
}

export interface OperatorAccessTokensTable {
  token_hash: string;
  operator_id: string;
  family_id: string;
  expires_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

/** A run of wrong passwords for one throttle key (policy/password-throttle.ts), until a success resets it. */
export interface PasswordFailuresTable {
  key: string;
  tenant_id: string;
  /** The account, when the email belongs to one (support sees and clears its throttles). */
  user_id: string | null;
  failures: number;
  /** The next try this key may make; later for every failure past the free ones. */
  next_allowed_at: number;
  last_failure_at: number;
}

/** Failed sign-ins of one tenant in one 15-minute window (store/repositories/sign-in-failures.ts). */
export interface SignInFailureWindowsTable {
  tenant_id: string;
  window_start: number;
  failures: Generated<number>;
  refused: Generated<number>;
  accounts: Generated<number>;
  /** Set when the window crossed the tenant's credential-stuffing alarm threshold. */
  alarmed_at: number | null;
}

/** PostgreSQL only (migration 004): the narrow copy of users that search walks. */
export interface UserSearchTable {
  user_id: string;
  tenant_id: string;
  created_at: number;
  search_text: string;
}

export interface PushDevicesTable {
  id: string;
  user_id: string;
  tenant_id: string;
  name: string;
  platform: string;
  /** JSON of the P-256 public JWK. */
  public_jwk: string;
  jkt: string;
  state: 'pending' | 'active' | 'suspended' | 'revoked';
  created_at: number;
  activated_at: number | null;
  last_used_at: number | null;
  suspended_at: number | null;
  revoked_at: number | null;
  /** JSON of a Web Push subscription, or null. */
  subscription: string | null;
  subscription_stale_at: number | null;
}

export interface PushEnrollmentsTable {
  id: string;
  user_id: string;
  tenant_id: string;
  secret_hash: string;
  test_code_enc: string;
  started_by_type: 'user' | 'operator';
  started_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  device_id: string | null;
}

export interface PushChallengesTable {
  id: string;
  user_id: string;
  tenant_id: string;
  kind: 'sign_in' | 'device_test';
  challenge_id: string | null;
  device_id: string | null;
  nonce: string;
  code_enc: string;
  context: string;
  state: 'pending' | 'approved' | 'consumed' | 'denied' | 'fraud' | 'expired' | 'cancelled';
  created_at: number;
  expires_at: number;
  sends: Generated<number>;
  last_sent_at: number;
  answered_at: number | null;
  answered_by: string | null;
}

export interface PushRequestNoncesTable {
  device_id: string;
  nonce: string;
  seen_at: number;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  session_scopes: SessionScopesTable;
  challenges: ChallengesTable;
  trusted_devices: TrustedDevicesTable;
  lockouts: LockoutsTable;
  audit_events: AuditEventsTable;
  sms_codes: SmsCodesTable;
  sms_counters: SmsCountersTable;
  trusted_ips: TrustedIpsTable;
  phone_reset_links: PhoneResetLinksTable;
  messages: MessagesTable;
  operators: OperatorsTable;
  operator_tenants: OperatorTenantsTable;
  operator_password_tokens: OperatorPasswordTokensTable;
  operator_refresh_tokens: OperatorRefreshTokensTable;
  operator_access_tokens: OperatorAccessTokensTable;
  rate_limits: RateLimitsTable;
  password_failures: PasswordFailuresTable;
  sign_in_failure_windows: SignInFailureWindowsTable;
  user_search: UserSearchTable;
  push_devices: PushDevicesTable;
  push_enrollments: PushEnrollmentsTable;
  push_challenges: PushChallengesTable;
  push_request_nonces: PushRequestNoncesTable;
  breakups: BreakupsTable;
  breakup_members: BreakupMembersTable;
  invitations: InvitationsTable;
  enrollment_sheets: EnrollmentSheetsTable;
  oidc_clients: OidcClientsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
}

export interface OidcClientsTable {
  client_id: string;
  tenant_id: string;
  name: string;
  secret_enc: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  created_at: number;
  created_by: string;
}

export interface OidcPayloadsTable {
  key: string;
  model: string;
  payload: string;
  grant_id: string | null;
  account_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcSigningKeysTable {
  kid: string;
  slot: string;
  jwk_enc: string;
  created_at: number;
}

export interface BreakupsTable {
  id: string;
  tenant_id: string;
  shared_user_id: string;
  idempotency_key: string;
  request_hash: string;
  operator_id: string;
  operator_email: string;
  ticket: string;
  reason: string;
  disable_at: number | null;
  created_at: number;
  completed_at: number | null;
}

export interface BreakupMembersTable {
  breakup_id: string;
  position: number;
  name: string;
  email: string;
  phone: string | null;
  locale: string;
  state: 'pending' | 'created' | 'failed';
  user_id: string | null;
  error: string | null;
  updated_at: number;
}

export interface InvitationsTable {
  id: string;
  user_id: string;
  tenant_id: string;
  token_hash: string;
  proposed_phone: string | null;
  breakup_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface EnrollmentSheetsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  batch_id: string;
  secret_enc: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  voided_at: number | null;
  voided_by: string | null;
  replaced_at: number | null;
}
