import { z } from 'zod';
import {
  actionAnswer,
  adminPushEnrollmentAnswer,
  adminRecoveryCodesAnswer,
  auditAnswer,
  auditQuery,
  lockoutsAnswer,
  operatorRole,
  operatorsAnswer,
  invitationSentAnswer,
  phoneResetLinkAnswer,
  pushAlertsAnswer,
  signInAlarmsAnswer,
  tenantsAnswer,
  ticketAndReason,
  userDetail,
  userSearchAnswer,
  userSearchQuery,
} from './api/admin.js';
import {
  breakupCheckAnswer,
  breakupCheckRequest,
  breakupRequest,
  breakupView,
  createSheetsAnswer,
  createSheetsRequest,
  sharedAccountsAnswer,
  sharedFlagRequest,
  sheetCandidatesAnswer,
  sheetCandidatesQuery,
  sheetsAnswer,
  sheetsQuery,
} from './api/tenant-admin.js';
import { consoleErrorCodes, type BridgeResult, type ConsoleChannel, type DomainOf, type VerbOf } from './console/channels.js';

/**
 * The ConsoleApi: every operation the renderer may ask of the main process, with the zod schema of
 * its argument and of its answer. One contract, two transports: Electron IPC (preload ->
 * ipcMain.handle) and the browser host's loopback HTTP (POST /bridge/<channel>). Both validate the
 * argument with `input` before a handler runs; answers carry only what screens need, never a token.
 */

export const consoleLocales = ['en', 'nb', 'de'] as const;
export const consoleLocale = z.enum(consoleLocales);
export type ConsoleLocale = z.infer<typeof consoleLocale>;

const noInput = z.strictObject({});
const id = z.string().min(1).max(64);

/** The signed-in operator as the screens show it: who, with which role, for how many tenants. */
export const signedInOperator = z.object({
  name: z.string(),
  email: z.string(),
  role: operatorRole,
  /** Empty: every tenant. */
  tenantIds: z.array(z.string()),
});
export type SignedInOperator = z.infer<typeof signedInOperator>;

/** Why the console is showing the sign-in screen, when it is not simply the first start. */
export const sessionNotice = z.enum([...consoleErrorCodes, 'signed_out']);
export type SessionNotice = z.infer<typeof sessionNotice>;

export const sessionState = z.object({
  /** Whether the OS keychain can keep the operator signed in; without it nothing is stored at all. */
  keychain: z.object({ available: z.boolean(), reason: z.string().nullable() }),
  serverUrl: z.string().nullable(),
  lastEmail: z.string().nullable(),
  operator: signedInOperator.nullable(),
  /** True when the refresh token is in the keychain (the next start signs in silently). */
  remembered: z.boolean(),
  notice: sessionNotice.nullable(),
  preferences: z.object({ locale: consoleLocale.nullable() }),
});
export type SessionState = z.infer<typeof sessionState>;

export const signInInput = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  password: z.string().min(1).max(1024),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'six digits'),
});

export const connectInput = z.strictObject({ serverUrl: z.string().trim().min(1).max(2048) });

interface MethodSpec {
  input: z.ZodType;
  output: z.ZodType;
}

export const consoleApi = {
  /** Where the console stands; the first call after launch signs in silently from the keychain. */
  'session:status': { input: noInput, output: sessionState },
  /** Checks that the URL is an MFA Desk server and remembers it. */
  'session:connect': { input: connectInput, output: sessionState },
  'session:signIn': { input: signInInput, output: sessionState },
  /** Revokes the session on the server (best effort) and deletes the keychain entry. */
  'session:signOut': { input: noInput, output: sessionState },
  'users:search': { input: z.strictObject(userSearchQuery.shape), output: userSearchAnswer },
  'users:get': { input: z.strictObject({ id }), output: userDetail },
  'users:unlock': { input: ticketAndReason.extend({ id }), output: actionAnswer },
  /** Emails the user a single-use link to change their phone (24 h). */
  'users:sendPhoneResetLink': { input: ticketAndReason.extend({ id }), output: phoneResetLinkAnswer },
  /**
   * New recovery codes; the old ones stop working. The codes pass through main without being kept:
   * the dialog that shows them is the only holder.
   */
  'users:regenerateRecoveryCodes': { input: ticketAndReason.extend({ id }), output: adminRecoveryCodesAnswer },
  /** Removes the authenticator app; remembered devices, sessions and trusted IPs go with it. */
  'users:resetAuthenticator': { input: ticketAndReason.extend({ id }), output: actionAnswer },
  /** One remembered device (`deviceId`), or all of them and the trusted IPs. */
  'users:revokeDevices': { input: ticketAndReason.extend({ id, deviceId: id.optional() }), output: actionAnswer },
  'users:endSessions': { input: ticketAndReason.extend({ id }), output: actionAnswer },
  /**
   * Starts a push-device enrollment for the user: the link, its QR code (an SVG the server drew) and
   * the test code the person types on the device for its first approval. Like new recovery codes they
   * pass through main without being kept: the dialog that shows them is the only holder.
   */
  'users:enrollPushDevice': { input: ticketAndReason.extend({ id }), output: adminPushEnrollmentAnswer },
  /** Revokes one push device (`deviceId`): it approves nothing any more. */
  'users:revokePushDevice': { input: ticketAndReason.extend({ id, deviceId: id }), output: actionAnswer },
  /** Marks the account shared (`shared: true`) or says it is not (clears the flag, hides what the signs say). */
  'users:setSharedFlag': { input: sharedFlagRequest.extend({ id }), output: actionAnswer },
  /** Accounts that look shared by several people, with why (tenant admins and support; not auditors). */
  /** A new invitation for a person who has not chosen a password yet (the earlier links stop working). */
  'users:resendInvitation': { input: ticketAndReason.extend({ id }), output: invitationSentAnswer },
  'sharedAccounts:list': { input: z.strictObject({ tenantId: id.optional() }), output: sharedAccountsAnswer },
  /** The wizard's lines as the server sees them (emails in use, SMS countries): nothing is created. */
  'breakups:check': { input: breakupCheckRequest.extend({ id }), output: breakupCheckAnswer },
  /** Creates the personal accounts (invitations go out) and schedules the shared account's end; again with the same key finishes the rest. */
  'breakups:run': { input: breakupRequest.extend({ id }), output: breakupView },
  'breakups:get': { input: z.strictObject({ id }), output: breakupView },
  /** Makes the people a break-up left in progress still lacks, from what it recorded (any console, any time). */
  'breakups:finish': { input: z.strictObject({ id }), output: breakupView },
  /** Users of a tenant without an authenticator app, to print sheets for. */
  'sheets:candidates': { input: z.strictObject(sheetCandidatesQuery.shape), output: sheetCandidatesAnswer },
  /**
   * Pending enrollments for the users, one sheet each, with the app's key: the console draws the QR
   * codes itself and drops the sheets from memory when the preview closes; main keeps nothing.
   */
  'sheets:create': { input: createSheetsRequest, output: createSheetsAnswer },
  'sheets:list': { input: z.strictObject(sheetsQuery.shape), output: sheetsAnswer },
  'sheets:void': { input: ticketAndReason.extend({ id }), output: actionAnswer },
  /**
   * The print preview's pages as a PDF, made on this machine with no network: Electron's printToPDF,
   * or headless Chromium when the console runs in the browser host. `html` is the sheets' markup
   * (no script runs in it); the answer is the PDF, base64, for the renderer to save.
   */
  'sheets:renderPdf': {
    input: z.strictObject({ html: z.string().min(1).max(20_000_000), paper: z.enum(['a4', 'letter']) }),
    output: z.object({ pdfBase64: z.string(), bytes: z.number().int() }),
  },
  'tenants:list': { input: noInput, output: tenantsAnswer },
  /** Operators whose actions the audit trail may show this operator (its filter). */
  'operators:list': { input: noInput, output: operatorsAnswer },
  'lockouts:list': { input: z.strictObject({ active: z.boolean().default(true), tenantId: id.optional() }), output: lockoutsAnswer },
  /** Credential-stuffing alarms of the last 24 hours (failed sign-ins spread over many accounts). */
  'alarms:list': { input: z.strictObject({ tenantId: id.optional() }), output: signInAlarmsAnswer },
  /** "This wasn't me" reports from push devices (each suspended its device): support calls the user. */
  'pushAlerts:list': { input: z.strictObject({ tenantId: id.optional() }), output: pushAlertsAnswer },
  'audit:list': { input: z.strictObject(auditQuery.shape), output: auditAnswer },
  /** Opens an allow-listed link in the system browser; anything else is refused. */
  'links:openExternal': { input: z.strictObject({ url: z.string().max(2048) }), output: z.object({ opened: z.boolean() }) },
  'preferences:update': { input: z.strictObject({ locale: consoleLocale.nullable() }), output: sessionState },
} satisfies Record<ConsoleChannel, MethodSpec>;

export type ConsoleApiSpec = typeof consoleApi;
/** What a caller passes (before defaults and trimming). */
export type ConsoleInput<C extends ConsoleChannel> = z.input<ConsoleApiSpec[C]['input']>;
/** What a handler receives (after validation). */
export type ConsoleParsedInput<C extends ConsoleChannel> = z.output<ConsoleApiSpec[C]['input']>;
export type ConsoleOutput<C extends ConsoleChannel> = z.output<ConsoleApiSpec[C]['output']>;

/** The handler table main builds once and both transports serve. */
export type ConsoleHandlers = { [C in ConsoleChannel]: (input: ConsoleParsedInput<C>) => Promise<ConsoleOutput<C>> };

/**
 * The bridge as the renderer sees it: `bridge.users.search({q})`, one method per operation,
 * answering an envelope. The preload (`window.mfaDesk`) and the browser host's HTTP bridge both
 * have exactly this type.
 */
export type ConsoleBridge = {
  [D in DomainOf<ConsoleChannel>]: {
    [C in ConsoleChannel as C extends `${D}:${string}` ? VerbOf<C> : never]: (
      input: ConsoleInput<C>,
    ) => Promise<BridgeResult<ConsoleOutput<C>>>;
  };
};

export * from './console/channels.js';
