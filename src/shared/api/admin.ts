import { z } from 'zod';
import { firstFactorMethods, signInMethods } from '../methods.js';
import { sixDigitCode } from './end-user.js';
import { pushDeviceState, pushDeviceView, pushEnrollmentAnswer } from './push.js';
import { factorView, trustedDeviceView } from './views.js';

/**
 * The admin API the console talks to (design/API.md, "Operators"). The server validates with these
 * schemas; the console's main process parses every answer with them.
 */

export const operatorRoles = ['support', 'tenant_admin', 'auditor'] as const;
export const operatorRole = z.enum(operatorRoles);
export type OperatorRole = z.infer<typeof operatorRole>;

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
const id = z.string().min(1).max(64);

export const operatorView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: operatorRole,
  /** The tenants this operator may see; empty means all (support and auditors without assignments). */
  tenantIds: z.array(z.string()),
});
export type OperatorView = z.infer<typeof operatorView>;

export const adminLoginRequest = z.strictObject({
  email,
  password: z.string().min(1).max(1024),
  /** The operator's authenticator code, as typed ("123 456" too). */
  code: sixDigitCode,
  /** Shown in the operator's session list, e.g. "MFA Desk on sam-laptop". */
  deviceName: z.string().trim().min(1).max(100),
});

export const adminTokens = z.object({
  /** Bearer token for /v1/admin/*, valid `expiresIn` seconds (15 minutes). */
  accessToken: z.string(),
  /** Single use: each refresh answers with a new one; presenting a used one revokes the whole family. */
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  operator: operatorView,
});
export type AdminTokens = z.infer<typeof adminTokens>;

export const refreshRequest = z.strictObject({ refreshToken: z.string().min(16).max(256) });
export const setPasswordRequest = z.strictObject({
  token: z.string().min(16).max(256),
  password: z.string().min(12, 'at least 12 characters').max(1024),
});

/** The lengths a ticket and a reason may have: the server's schema and the console's dialog both use them. */
export const ticketAndReasonLimits = { ticketMax: 64, reasonMin: 3, reasonMax: 500 } as const;

/** Every state-changing admin call says which ticket asked for it and why. */
export const ticketAndReason = z.strictObject({
  ticket: z.string().trim().min(1, 'a ticket number is required').max(ticketAndReasonLimits.ticketMax),
  reason: z.string().trim().min(ticketAndReasonLimits.reasonMin, 'say why, in a few words').max(ticketAndReasonLimits.reasonMax),
});

export const userFilter = z.enum(['locked', 'shared', 'no_mfa', 'disabled']);

export const userSearchQuery = z.object({
  q: z.string().trim().max(100).optional(),
  tenantId: id.optional(),
  filter: userFilter.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const userSummary = z.object({
  id: z.string(),
  tenantId: z.string(),
  tenantSlug: z.string(),
  tenantName: z.string(),
  email: z.string(),
  name: z.string(),
  phoneHint: z.string().nullable(),
  mfaEnrolled: z.boolean(),
  locked: z.boolean(),
  disabled: z.boolean(),
  /** A mailbox several people probably share (accounts@, faktura@, ...): a candidate for break-up. */
  shared: z.boolean(),
});
export type UserSummary = z.infer<typeof userSummary>;

/**
 * How far one search request got. A request reads a bounded number of users (the creation-order walk,
 * or an index's hits), so a rare fragment or filter answers with what that stretch held and a cursor to
 * walk on from: the console says "searched N so far" instead of waiting for a walk of every user.
 */
export const userSearchProgress = z.object({
  /**
   * The users this page covered, from the request's cursor up to `nextCursor` (or the end): every user
   * the walk passed, or only the hits when an index or a filter picked the candidates; a page that
   * PostgreSQL's week-keyed index cut short covered every user of the weeks it went through. Summed
   * over the pages of one search it counts each of them at most once.
   */
  examined: z.number().int().nonnegative(),
  /** False: the request stopped at its bound before filling the page; `nextCursor` walks on from there. */
  complete: z.boolean(),
  /** About how many users the walk goes through in all (a cheap estimate), when that is every user. */
  total: z.number().int().nonnegative().optional(),
});
export type UserSearchProgress = z.infer<typeof userSearchProgress>;

export const userSearchAnswer = z.object({
  items: z.array(userSummary),
  nextCursor: z.string().nullable(),
  /** Added later: older servers leave it out. */
  searched: userSearchProgress.optional(),
});

export const lockoutView = z.object({
  id: z.string(),
  userId: z.string(),
  tenantId: z.string(),
  email: z.string(),
  name: z.string(),
  /**
   * `password_attempts`: not a row of the lockouts table but a run of wrong passwords that used all
   * its tries: sign-in from new places is refused until the user signs in from a recognised one or
   * support unlocks (its `id` is `password:<user id>`, `until` is null).
   */
  reason: z.enum(['failed_codes', 'sms_daily_limit', 'admin', 'password_attempts']),
  /** The reason in words a support agent can read to the user. */
  reasonText: z.string(),
  since: z.string(),
  /** Null: until support unlocks (or, for `password_attempts`, the user signs in from a recognised place). */
  until: z.string().nullable(),
  liftedAt: z.string().nullable(),
  liftedBy: z.string().nullable(),
});
export type LockoutView = z.infer<typeof lockoutView>;

export const lockoutsQuery = z.object({ active: z.enum(['true', 'false']).default('true'), tenantId: id.optional() });
export const lockoutsAnswer = z.object({ items: z.array(lockoutView) });

/** A 15-minute window in which failed sign-ins spread over many accounts of a tenant (credential stuffing). */
export const signInAlarmView = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  /** Wrong passwords that were checked. */
  failedSignIns: z.number().int(),
  /** Tries refused by a throttle without being checked. */
  refusedSignIns: z.number().int(),
  /** Accounts (emails, with or without an account) whose failures began in the window. */
  accounts: z.number().int(),
  raisedAt: z.string(),
});
export type SignInAlarmView = z.infer<typeof signInAlarmView>;
export const signInAlarmsQuery = z.object({ tenantId: id.optional() });
export const signInAlarmsAnswer = z.object({ items: z.array(signInAlarmView) });

export const auditEventView = z.object({
  id: z.string(),
  at: z.string(),
  tenantId: z.string().nullable(),
  userId: z.string().nullable(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEventView = z.infer<typeof auditEventView>;

const signInMethod = z.enum(signInMethods);

/**
 * What the user meets at their next sign-in, decided by the server from the tenant's policy and the
 * user's state (the same rules the sign-in flow applies); the console puts it in the operator's words.
 */
export const nextSignInView = z.object({
  /**
   * Refused before any second factor, and why; null when the password leads on to the steps below.
   * One reason, the one that stands at every place first: `disabled`, then `locked` (after the
   * password, everywhere), then `password_attempts` (new places only: a recognised one still gets in).
   * The steps below are still filled in: they say what follows once the refusal is gone.
   */
  refused: z
    .discriminatedUnion('reason', [
      z.object({ reason: z.literal('disabled') }),
      z.object({
        reason: z.literal('locked'),
        lockoutReason: z.enum(['failed_codes', 'sms_daily_limit', 'admin']),
        /** Null: until support unlocks. */
        until: z.string().nullable(),
        /** What they can do once it ends: request a new SMS code (seed 003), enter codes again, or (an administrator's lock) ask support. */
        afterwards: z.enum(['request_new_code', 'enter_code', 'contact_support']),
      }),
      /** Wrong passwords used every try: sign-in from new places is refused until support unlocks (or a recognised place). */
      z.object({ reason: z.literal('password_attempts'), failedPasswords: z.number().int() }),
    ])
    .nullable(),
  /** Wrong passwords made new places wait (not yet every try used): the next try from one is accepted from this time. */
  passwordWaitUntil: z.string().nullable(),
  /**
   * Not enrolled yet: after the password they are asked to set up one of these (the tenant's order).
   * Null when enrolled, and also when the tenant makes MFA optional: then the password alone signs them in.
   */
  enroll: z.array(z.enum(firstFactorMethods)).nullable(),
  /**
   * From a new IP address (or a device not remembered): the method asked for first, and the others
   * offered, both only among those usable now. Null until they are enrolled.
   */
  newPlace: z
    .object({
      /** Null: no method can be used now (for example no SMS left and no recovery codes): support must help. */
      method: signInMethod.nullable(),
      alternatives: z.array(signInMethod),
      phoneHint: z.string().nullable(),
      /** Login SMS today, when SMS is one of their methods; `resetsAt` is the next midnight in the tenant's zone. */
      sms: z.object({ left: z.number().int(), limit: z.number().int(), resetsAt: z.string() }).nullable(),
    })
    .nullable(),
  /**
   * IP addresses where the password is enough (seed 003: ask again only on a new IP or after a password
   * change); null when the tenant asks at every sign-in. None while wrong passwords since the last
   * completed sign-in say the password may have been guessed: the code is asked there too then.
   */
  trustedIps: z.number().int().nullable(),
  /**
   * Remembered devices on which no code is asked: none while the tenant does not remember devices, and
   * not those whose own wrong passwords say the password may have been guessed there.
   */
  rememberedDevices: z.number().int(),
  /**
   * Not enrolled, on a tenant that does not require two-factor authentication: the password alone
   * signs them in, from anywhere. Added after the first release of this view: older servers leave it out.
   */
  passwordOnly: z.boolean().optional(),
});
export type NextSignInView = z.infer<typeof nextSignInView>;

export const userDetail = z.object({
  user: userSummary.extend({ locale: z.string(), createdAt: z.string() }),
  factors: z.array(factorView),
  recoveryCodesLeft: z.number().int(),
  trustedDevices: z.array(trustedDeviceView),
  activeSessions: z.number().int(),
  activeLockout: lockoutView.nullable(),
  sms: z.object({
    day: z.string(),
    timeZone: z.string(),
    login: z.object({ sent: z.number().int(), limit: z.number().int() }),
    setup: z.object({ sent: z.number().int(), limit: z.number().int() }),
  }),
  /**
   * A run of wrong passwords against the account (the longest over its places), or null. `exhausted`:
   * the place may not try again until the user signs in from a recognised place or support unlocks.
   */
  passwordThrottle: z
    .object({ failedPasswords: z.number().int(), limit: z.number().int(), exhausted: z.boolean(), nextTryAt: z.string().nullable() })
    .nullable()
    .optional(),
  recentEvents: z.array(auditEventView),
  /** Added with the support desk screens: older servers leave it out. */
  nextSignIn: nextSignInView.optional(),
  /** Added with push approval: older servers leave it out. Revoked devices are not listed. */
  pushDevices: z.array(pushDeviceView).optional(),
  /**
   * A person invited by a break-up who has not chosen a password yet: when their newest link
   * expires (support can send a new one). Null otherwise. Added with the break-ups.
   */
  invitation: z.object({ sentAt: z.string(), expiresAt: z.string(), expired: z.boolean() }).nullable().optional(),
  /** Push is locked after wrong codes typed on a device (SMS and the app still work); null when not. */
  pushLock: z.object({ since: z.string(), until: z.string(), wrongCodes: z.number().int() }).nullable().optional(),
});
export type UserDetail = z.infer<typeof userDetail>;

export const userParams = z.object({ id });
export const pushDeviceParams = z.object({ id, deviceId: id });

/** A push device reported "this wasn't me" and was suspended: support calls the user. */
export const pushAlertView = z.object({
  /** The audit event of the report. */
  id: z.string(),
  tenantId: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  /** The sign-in that was reported: where it came from. */
  ip: z.string(),
  browser: z.string(),
  reportedAt: z.string(),
  /** The device is still suspended (not revoked or replaced since). */
  deviceState: pushDeviceState,
});
export type PushAlertView = z.infer<typeof pushAlertView>;
export const pushAlertsQuery = z.object({ tenantId: id.optional() });
export const pushAlertsAnswer = z.object({ items: z.array(pushAlertView) });
/** Support starts a device enrollment for the user: the answer is shown on the console, once. */
export const adminPushEnrollmentAnswer = pushEnrollmentAnswer.extend({ auditEventId: z.string() });
export const actionAnswer = z.object({ ok: z.literal(true), auditEventId: z.string() });
export const invitationSentAnswer = z.object({ sentTo: z.string(), expiresAt: z.string(), auditEventId: z.string() });
export const phoneResetLinkAnswer = z.object({ sentTo: z.string(), expiresAt: z.string(), auditEventId: z.string() });
export const adminRecoveryCodesAnswer = z.object({ recoveryCodes: z.array(z.string()), auditEventId: z.string() });
export const revokeDevicesRequest = ticketAndReason.extend({ deviceId: id.optional() });

export const auditQuery = z.object({
  tenantId: id.optional(),
  userId: id.optional(),
  actorId: id.optional(),
  action: z.string().max(64).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const auditAnswer = z.object({ items: z.array(auditEventView), nextCursor: z.string().nullable() });

/**
 * The tenants the operator may see, by name, for the console's filters. `country` (ISO 3166-1
 * alpha-2, null when the tenant has none): how the console reads a phone typed the national way, as
 * the server does (the break-up wizard). Added with tenant countries: null from a server without them.
 */
export const tenantsAnswer = z.object({
  items: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), country: z.string().nullable().default(null) })),
});

/**
 * Operators whose actions the operator may see in the audit trail (for its filter), by name, disabled
 * ones included (their actions stay in the trail): everyone for an operator of all tenants; for a scoped
 * one (a tenant admin), the operators of all tenants and those sharing at least one of their tenants.
 */
export const operatorsAnswer = z.object({ items: z.array(operatorView.pick({ id: true, email: true, name: true, role: true })) });
