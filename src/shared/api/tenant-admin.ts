import { z } from 'zod';
import { memberLine, memberLocales, memberProblem } from '../tenant-admin/member-lines.js';
import { ticketAndReason, userSummary } from './admin.js';

/**
 * The tenant admin's part of the admin API (design/API.md, "Operators"): shared accounts, their
 * break-up into personal accounts, and enrollment sheets printed on the operator's machine.
 * Tenant admins act within their tenant, support within the tenants assigned to them (all, when
 * none are), auditors see none of it.
 */

const id = z.string().min(1).max(64);
const isoTime = z.iso.datetime();

// --- Shared accounts ----------------------------------------------------------------------------

/** Why an account looks shared, with the evidence an admin can check. */
export const sharedReason = z.discriminatedUnion('kind', [
  /** The mailbox's local part is a role word (accounts@, faktura@, rechnung@): `word` is the one found. */
  z.object({ kind: z.literal('mailbox_name'), word: z.string() }),
  /** Successful sign-ins from this many distinct IP addresses in the last `days` days; `sample` a few of them. */
  z.object({ kind: z.literal('many_ips'), distinct: z.number().int(), days: z.number().int(), sample: z.array(z.string()) }),
  /** Sign-ins from this many distinct browsers (by their user agent) in the last `days` days; `sample` their names. */
  z.object({ kind: z.literal('many_devices'), distinct: z.number().int(), days: z.number().int(), sample: z.array(z.string()) }),
  /** An operator marked it shared. */
  z.object({ kind: z.literal('flagged'), by: z.string(), at: z.string(), note: z.string() }),
]);
export type SharedReason = z.infer<typeof sharedReason>;

export const breakupMemberState = z.enum(['pending', 'created', 'failed']);

export const breakupMemberView = z.object({
  position: z.number().int(),
  name: z.string(),
  email: z.string(),
  /** The number the person will be asked to confirm when they enrol, masked. */
  phoneHint: z.string().nullable(),
  locale: z.enum(memberLocales),
  state: breakupMemberState,
  /** The personal account, once created. */
  userId: z.string().nullable(),
  /** Why the last try failed (in English, for the operator), while `failed`. */
  error: z.string().nullable(),
});
export type BreakupMemberView = z.infer<typeof breakupMemberView>;

export const breakupView = z.object({
  id: z.string(),
  tenantId: z.string(),
  sharedUserId: z.string(),
  sharedEmail: z.string(),
  /** `in_progress` until every person's account exists; running it again (same idempotency key) finishes the rest. */
  state: z.enum(['in_progress', 'completed']),
  /** When the shared account is (or was) disabled: its sessions and remembered devices end then. Null: at once, once complete. */
  disableAt: z.string().nullable(),
  /** Set once the shared account is disabled. */
  sharedDisabledAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  ticket: z.string(),
  members: z.array(breakupMemberView),
});
export type BreakupView = z.infer<typeof breakupView>;

export const sharedAccountView = z.object({
  user: userSummary,
  reasons: z.array(sharedReason),
  /** Successful sign-ins in the last week (the many-IP and many-device evidence counts within them). */
  signInsThisWeek: z.number().int(),
  /** The newest break-up of this account, if one was started. */
  breakup: breakupView.nullable(),
});
export type SharedAccountView = z.infer<typeof sharedAccountView>;

export const sharedAccountsQuery = z.object({ tenantId: id.optional() });
export const sharedAccountsAnswer = z.object({
  items: z.array(sharedAccountView),
  /** Accounts the signs point at but an operator said are not shared (not listed). */
  dismissed: z.number().int(),
});

/** `shared: true` flags the account; `false` says it is not shared (clears a flag and hides what the signs say). */
export const sharedFlagRequest = ticketAndReason.extend({ shared: z.boolean() });

// --- Break-up -----------------------------------------------------------------------------------

export const breakupLimits = { maxMembers: 200 } as const;

/** Before anything is created: each line checked as the server sees it (emails in use, the tenant's SMS countries). */
export const breakupCheckRequest = z.strictObject({
  members: z.array(memberLine).min(1).max(breakupLimits.maxMembers),
});

export const checkedMemberView = z.object({
  name: z.string(),
  email: z.string(),
  /** E.164 when it reads. */
  phone: z.string().nullable(),
  locale: z.enum(memberLocales),
  problems: z.array(memberProblem),
});
export type CheckedMemberView = z.infer<typeof checkedMemberView>;

export const breakupCheckAnswer = z.object({
  ok: z.boolean(),
  members: z.array(checkedMemberView),
});
export type BreakupCheckAnswer = z.infer<typeof breakupCheckAnswer>;

export const breakupRequest = ticketAndReason.extend({
  /** One per break-up, made by the console: sending it again finishes the same break-up and creates no duplicate. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, '16-64 letters, digits, - or _'),
  members: z.array(memberLine).min(1).max(breakupLimits.maxMembers),
  /** When to disable the shared account; null or left out: at once, once every person's account exists. */
  disableAt: isoTime.nullable().optional(),
});

export const breakupParams = z.object({ id });

// --- Enrollment sheets ----------------------------------------------------------------------------

export const sheetCandidatesQuery = z.object({
  tenantId: id,
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A user without an authenticator app, who may be sent a sheet. */
export const sheetCandidate = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  locale: z.string(),
  /** Has another second factor (a phone): the sheet adds the app. */
  mfaEnrolled: z.boolean(),
  /** A sheet printed earlier that still works; a new one replaces it. */
  liveSheet: z.object({ id: z.string(), expiresAt: z.string() }).nullable(),
});
export type SheetCandidate = z.infer<typeof sheetCandidate>;
export const sheetCandidatesAnswer = z.object({ items: z.array(sheetCandidate), nextCursor: z.string().nullable() });

export const sheetsLimits = { maxUsers: 500 } as const;
export const createSheetsRequest = ticketAndReason.extend({
  userIds: z.array(id).min(1).max(sheetsLimits.maxUsers),
});

/**
 * What one printed page carries. The only secret is the app's key (in the URI and as the manual
 * key): the console draws the QR code from it on the operator's machine, prints, and forgets it.
 */
export const enrollmentSheet = z.object({
  sheetId: z.string(),
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  tenantName: z.string(),
  /** What the authenticator app shows above the code. */
  issuer: z.string(),
  accountLabel: z.string(),
  otpauthUri: z.string(),
  /** The base32 key in groups of four, for typing by hand. */
  manualKey: z.string(),
  expiresAt: z.string(),
  locale: z.enum(memberLocales),
});
export type EnrollmentSheet = z.infer<typeof enrollmentSheet>;
export const createSheetsAnswer = z.object({ batchId: z.string(), sheets: z.array(enrollmentSheet), auditEventId: z.string() });
export type CreateSheetsAnswer = z.infer<typeof createSheetsAnswer>;

export const sheetState = z.enum(['live', 'used', 'expired', 'voided', 'replaced']);
export const sheetView = z.object({
  id: z.string(),
  batchId: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  state: sheetState,
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  voidedAt: z.string().nullable(),
});
export type SheetView = z.infer<typeof sheetView>;
export const sheetsQuery = z.object({
  tenantId: id.optional(),
  state: sheetState.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export const sheetsAnswer = z.object({ items: z.array(sheetView), nextCursor: z.string().nullable() });
export const sheetParams = z.object({ id });
