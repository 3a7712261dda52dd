import { z } from 'zod';
import {
  actionAnswer,
  adminPushEnrollmentAnswer,
  adminRecoveryCodesAnswer,
  adminTokens,
  auditAnswer,
  lockoutsAnswer,
  operatorsAnswer,
  invitationSentAnswer,
  phoneResetLinkAnswer,
  pushAlertsAnswer,
  signInAlarmsAnswer,
  tenantsAnswer,
  userDetail,
  userSearchAnswer,
  type AdminTokens,
} from '../../shared/api/admin.js';
import {
  breakupCheckAnswer,
  breakupView,
  createSheetsAnswer,
  sharedAccountsAnswer,
  sheetCandidatesAnswer,
  sheetsAnswer,
} from '../../shared/api/tenant-admin.js';
import type { ConsoleErrorCode, ConsoleParsedInput } from '../../shared/console-api.js';
import { ConsoleError } from './console-error.js';
import { classifyNetworkError } from './network-errors.js';

/**
 * Typed calls of the admin API (design/API.md "Operators"). Every answer is parsed with the shared
 * zod schema; every failure becomes a ConsoleError with a code a support agent's screen can explain.
 */
export interface ServerClient {
  readonly baseUrl: string;
  /** Resolves when the URL answers as an MFA Desk server. */
  checkServer(): Promise<void>;
  login(input: { email: string; password: string; code: string; deviceName: string }): Promise<AdminTokens>;
  /** Single use on the server: never retried (a retry of a rotated token would revoke the family). */
  refresh(refreshToken: string): Promise<AdminTokens>;
  logout(accessToken: string): Promise<void>;
  searchUsers(accessToken: string, query: ConsoleParsedInput<'users:search'>): Promise<z.infer<typeof userSearchAnswer>>;
  getUser(accessToken: string, id: string): Promise<z.infer<typeof userDetail>>;
  unlockUser(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof actionAnswer>>;
  sendPhoneResetLink(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof phoneResetLinkAnswer>>;
  regenerateRecoveryCodes(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof adminRecoveryCodesAnswer>>;
  resetAuthenticator(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof actionAnswer>>;
  revokeDevices(accessToken: string, id: string, body: TicketAndReason & { deviceId?: string }): Promise<z.infer<typeof actionAnswer>>;
  endSessions(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof actionAnswer>>;
  enrollPushDevice(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof adminPushEnrollmentAnswer>>;
  revokePushDevice(accessToken: string, id: string, deviceId: string, body: TicketAndReason): Promise<z.infer<typeof actionAnswer>>;
  resendInvitation(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof invitationSentAnswer>>;
  setSharedFlag(accessToken: string, id: string, body: TicketAndReason & { shared: boolean }): Promise<z.infer<typeof actionAnswer>>;
  listSharedAccounts(accessToken: string, query: ConsoleParsedInput<'sharedAccounts:list'>): Promise<z.infer<typeof sharedAccountsAnswer>>;
  checkBreakup(
    accessToken: string,
    id: string,
    body: Omit<ConsoleParsedInput<'breakups:check'>, 'id'>,
  ): Promise<z.infer<typeof breakupCheckAnswer>>;
  runBreakup(accessToken: string, id: string, body: Omit<ConsoleParsedInput<'breakups:run'>, 'id'>): Promise<z.infer<typeof breakupView>>;
  getBreakup(accessToken: string, id: string): Promise<z.infer<typeof breakupView>>;
  finishBreakup(accessToken: string, id: string): Promise<z.infer<typeof breakupView>>;
  listSheetCandidates(accessToken: string, query: ConsoleParsedInput<'sheets:candidates'>): Promise<z.infer<typeof sheetCandidatesAnswer>>;
  createSheets(accessToken: string, body: ConsoleParsedInput<'sheets:create'>): Promise<z.infer<typeof createSheetsAnswer>>;
  listSheets(accessToken: string, query: ConsoleParsedInput<'sheets:list'>): Promise<z.infer<typeof sheetsAnswer>>;
  voidSheet(accessToken: string, id: string, body: TicketAndReason): Promise<z.infer<typeof actionAnswer>>;
  listTenants(accessToken: string): Promise<z.infer<typeof tenantsAnswer>>;
  listOperators(accessToken: string): Promise<z.infer<typeof operatorsAnswer>>;
  listLockouts(accessToken: string, query: ConsoleParsedInput<'lockouts:list'>): Promise<z.infer<typeof lockoutsAnswer>>;
  listAudit(accessToken: string, query: ConsoleParsedInput<'audit:list'>): Promise<z.infer<typeof auditAnswer>>;
  listSignInAlarms(accessToken: string, query: ConsoleParsedInput<'alarms:list'>): Promise<z.infer<typeof signInAlarmsAnswer>>;
  listPushAlerts(accessToken: string, query: ConsoleParsedInput<'pushAlerts:list'>): Promise<z.infer<typeof pushAlertsAnswer>>;
}

type TicketAndReason = { ticket: string; reason: string };

export interface ServerClientOptions {
  /**
   * How long one request may take before the server counts as unreachable.
   * @default 15000
   */
  timeoutMs?: number;
  /**
   * Pauses before the retries of an idempotent GET that failed on the network; POSTs are never retried.
   * @default [250, 1000]
   */
  retryDelaysMs?: readonly number[];
}

/** The server's error codes, as the console's: what a support agent needs to tell apart. */
const serverCodeToConsole: Record<string, ConsoleErrorCode> = {
  invalid_credentials: 'invalid_credentials',
  invalid_token: 'session_expired',
  unauthorized: 'session_expired',
  forbidden: 'forbidden',
  step_up_required: 'forbidden',
  account_locked: 'locked',
  too_many_attempts: 'too_many_attempts',
  not_found: 'not_found',
  unknown_tenant: 'not_found',
  conflict: 'conflict',
  method_not_available: 'method_not_available',
  enrollment_incomplete: 'enrollment_incomplete',
  invalid_request: 'invalid_input',
  invalid_json: 'invalid_input',
  invalid_members: 'invalid_input',
};

function codeForStatus(status: number): ConsoleErrorCode {
  if (status === 401) return 'session_expired';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 423) return 'locked';
  if (status === 429) return 'too_many_attempts';
  if (status >= 400 && status < 500) return 'invalid_input';
  return 'server_error';
}

const healthAnswer = z.object({ ok: z.unknown() });
const okAnswer = z.object({ ok: z.literal(true) });

type Query = Record<string, string | number | boolean | undefined>;

export function createServerClient(baseUrl: string, options: ServerClientOptions = {}): ServerClient {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retryDelays = options.retryDelaysMs ?? [250, 1000];

  async function send(method: 'GET' | 'POST', path: string, init: { query?: Query; body?: unknown; token?: string }): Promise<Response> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [key, value] of Object.entries(init.query ?? {}))
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const attempts = method === 'GET' ? retryDelays.length + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(timeoutMs),
          // The admin API never redirects; following one could send the Bearer token elsewhere.
          redirect: 'error',
        });
      } catch (error) {
        const failure = classifyNetworkError(error);
        if (!failure) throw error;
        // Only a GET may be repeated: a POST may have reached the server before the connection broke.
        if (attempt >= attempts)
          throw new ConsoleError(failure.code, `${method} ${path}: ${failure.cause}`, { detail: failure.cause, cause: error });
        await new Promise((resolve) => setTimeout(resolve, retryDelays[attempt - 1]));
      }
    }
  }

  async function call<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Query; body?: unknown; token?: string } = {},
  ): Promise<z.infer<S>> {
    const response = await send(method, path, init);
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new ConsoleError('unexpected_answer', `${method} ${path}: ${response.status}, not JSON`, { status: response.status });
    }
    if (!response.ok) {
      const serverCode = body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : undefined;
      const serverMessage = body && typeof body === 'object' && 'message' in body && typeof body.message === 'string' ? body.message : '';
      const code = (serverCode ? serverCodeToConsole[serverCode] : undefined) ?? codeForStatus(response.status);
      throw new ConsoleError(code, `${method} ${path}: ${response.status} ${serverCode ?? ''} ${serverMessage}`.trim(), {
        status: response.status,
        serverCode,
        detail: code === 'invalid_input' ? serverMessage : serverCode,
      });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new ConsoleError('unexpected_answer', `${method} ${path}: the answer does not match the admin API contract`, {
        status: response.status,
      });
    return parsed.data;
  }

  const encode = encodeURIComponent;
  return {
    baseUrl,
    async checkServer() {
      let health: { ok?: unknown };
      try {
        health = await call(healthAnswer, 'GET', '/healthz');
      } catch (error) {
        if (error instanceof ConsoleError && (error.code === 'offline' || error.code === 'server_unreachable')) throw error;
        throw new ConsoleError('not_mfa_desk_server', `${baseUrl} does not answer as an MFA Desk server`, { cause: error });
      }
      if (health.ok !== true) throw new ConsoleError('not_mfa_desk_server', `${baseUrl} does not answer as an MFA Desk server`);
    },
    login: (input) => call(adminTokens, 'POST', '/v1/admin/auth/login', { body: input }),
    refresh: (refreshToken) => call(adminTokens, 'POST', '/v1/admin/auth/refresh', { body: { refreshToken } }),
    async logout(accessToken) {
      await call(okAnswer, 'POST', '/v1/admin/auth/logout', { token: accessToken });
    },
    searchUsers: (token, query) => call(userSearchAnswer, 'GET', '/v1/admin/users', { token, query }),
    getUser: (token, id) => call(userDetail, 'GET', `/v1/admin/users/${encode(id)}`, { token }),
    unlockUser: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/unlock`, { token, body }),
    sendPhoneResetLink: (token, id, body) =>
      call(phoneResetLinkAnswer, 'POST', `/v1/admin/users/${encode(id)}/phone-reset-link`, { token, body }),
    regenerateRecoveryCodes: (token, id, body) =>
      call(adminRecoveryCodesAnswer, 'POST', `/v1/admin/users/${encode(id)}/recovery-codes`, { token, body }),
    resetAuthenticator: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/totp/reset`, { token, body }),
    revokeDevices: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/devices/revoke`, { token, body }),
    endSessions: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/sessions/revoke`, { token, body }),
    enrollPushDevice: (token, id, body) =>
      call(adminPushEnrollmentAnswer, 'POST', `/v1/admin/users/${encode(id)}/push-devices`, { token, body }),
    revokePushDevice: (token, id, deviceId, body) =>
      call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/push-devices/${encode(deviceId)}/revoke`, { token, body }),
    resendInvitation: (token, id, body) => call(invitationSentAnswer, 'POST', `/v1/admin/users/${encode(id)}/invitation`, { token, body }),
    setSharedFlag: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/users/${encode(id)}/shared-flag`, { token, body }),
    listSharedAccounts: (token, query) => call(sharedAccountsAnswer, 'GET', '/v1/admin/shared-accounts', { token, query }),
    checkBreakup: (token, id, body) => call(breakupCheckAnswer, 'POST', `/v1/admin/users/${encode(id)}/breakups/check`, { token, body }),
    runBreakup: (token, id, body) => call(breakupView, 'POST', `/v1/admin/users/${encode(id)}/breakups`, { token, body }),
    getBreakup: (token, id) => call(breakupView, 'GET', `/v1/admin/breakups/${encode(id)}`, { token }),
    finishBreakup: (token, id) => call(breakupView, 'POST', `/v1/admin/breakups/${encode(id)}/finish`, { token, body: {} }),
    listSheetCandidates: (token, query) => call(sheetCandidatesAnswer, 'GET', '/v1/admin/enrollment-sheets/candidates', { token, query }),
    createSheets: (token, body) => call(createSheetsAnswer, 'POST', '/v1/admin/enrollment-sheets', { token, body }),
    listSheets: (token, query) => call(sheetsAnswer, 'GET', '/v1/admin/enrollment-sheets', { token, query }),
    voidSheet: (token, id, body) => call(actionAnswer, 'POST', `/v1/admin/enrollment-sheets/${encode(id)}/void`, { token, body }),
    listTenants: (token) => call(tenantsAnswer, 'GET', '/v1/admin/tenants', { token }),
    listOperators: (token) => call(operatorsAnswer, 'GET', '/v1/admin/operators', { token }),
    listLockouts: (token, query) =>
      call(lockoutsAnswer, 'GET', '/v1/admin/lockouts', { token, query: { active: String(query.active), tenantId: query.tenantId } }),
    listAudit: (token, query) => call(auditAnswer, 'GET', '/v1/admin/audit', { token, query }),
    listSignInAlarms: (token, query) => call(signInAlarmsAnswer, 'GET', '/v1/admin/sign-in-alarms', { token, query }),
    listPushAlerts: (token, query) => call(pushAlertsAnswer, 'GET', '/v1/admin/push-alerts', { token, query }),
  };
}
