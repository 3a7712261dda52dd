/**
 * The names of every ConsoleApi operation, `domain:verb`, without their schemas: the sandboxed
 * preload script needs only the names (it stays tiny and zod-free), while main and the renderer
 * take the schemas from ../console-api.ts, which is checked against this list.
 */
export const consoleChannels = [
  'session:status',
  'session:connect',
  'session:signIn',
  'session:signOut',
  'users:search',
  'users:get',
  'users:unlock',
  'users:sendPhoneResetLink',
  'users:regenerateRecoveryCodes',
  'users:resetAuthenticator',
  'users:revokeDevices',
  'users:endSessions',
  'users:enrollPushDevice',
  'users:revokePushDevice',
  'users:setSharedFlag',
  'users:resendInvitation',
  'sharedAccounts:list',
  'breakups:check',
  'breakups:run',
  'breakups:get',
  'breakups:finish',
  'sheets:candidates',
  'sheets:create',
  'sheets:list',
  'sheets:void',
  'sheets:renderPdf',
  'tenants:list',
  'operators:list',
  'lockouts:list',
  'alarms:list',
  'pushAlerts:list',
  'audit:list',
  'links:openExternal',
  'preferences:update',
] as const;

export type ConsoleChannel = (typeof consoleChannels)[number];

export function isConsoleChannel(value: unknown): value is ConsoleChannel {
  return typeof value === 'string' && (consoleChannels as readonly string[]).includes(value);
}

/** `users:search` -> `users` */
export type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
/** `users:search` -> `search` */
export type VerbOf<C extends string> = C extends `${string}:${infer V}` ? V : never;

/** Error codes a bridge answer can carry; the renderer turns each into a sentence in the operator's language. */
export const consoleErrorCodes = [
  /** The network is down (no route, DNS fails for every name). */
  'offline',
  /** The server did not answer: refused, timed out, or its name does not resolve. */
  'server_unreachable',
  /** The URL answers, but not as an MFA Desk server. */
  'not_mfa_desk_server',
  'invalid_server_url',
  'not_connected',
  'not_signed_in',
  'invalid_credentials',
  'too_many_attempts',
  /** The refresh token was revoked or expired: sign in again. */
  'session_expired',
  'forbidden',
  'locked',
  'not_found',
  'conflict',
  /** The user's tenant does not offer that method (push approval, say). */
  'method_not_available',
  /** The user has not finished their first two-factor setup (a push device comes after the app or a phone). */
  'enrollment_incomplete',
  'invalid_input',
  'keychain_unavailable',
  'link_not_allowed',
  'server_error',
  'unexpected_answer',
  /** The renderer lost its main process (the browser host stopped). */
  'console_unavailable',
  'internal',
] as const;
export type ConsoleErrorCode = (typeof consoleErrorCodes)[number];

/** What crosses the bridge when an operation fails: a code to translate, and an English line for logs. */
export interface ConsoleErrorBody {
  code: ConsoleErrorCode;
  message: string;
  /** Server-side field problems (invalid_input) or the server's own code, for detail views. */
  detail?: string;
}

/**
 * Every bridge answer is an envelope, never a thrown error: Electron's IPC and contextBridge both
 * strip an Error down to its message, and the renderer must switch on a stable code.
 */
export type BridgeResult<T> = { ok: true; value: T } | { ok: false; error: ConsoleErrorBody };
