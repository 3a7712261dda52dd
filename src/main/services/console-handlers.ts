import type { ConsoleHandlers } from '../../shared/console-api.js';
import { isAllowedExternalUrl } from '../trusted-url.js';
import { printOnlyPolicy } from './chromium-pdf.js';
import type { OperatorSession } from './operator-session.js';

export interface ConsoleHandlerDeps {
  session: OperatorSession;
  /** Hands a URL to the system browser (Electron: shell.openExternal; browser host: xdg-open/open/start). */
  openExternal: (url: string) => Promise<void>;
  /** Extra https hosts whose links may open outside (see trusted-url.ts). @default [] */
  allowedLinkHosts?: readonly string[];
  /** Prints the sheets' markup to a PDF on this machine (Electron's printToPDF, or headless Chromium). */
  renderPdf: (html: string, paper: 'a4' | 'letter') => Promise<Uint8Array>;
}

/**
 * The one handler table behind both transports. Arguments arrive already validated against the
 * ConsoleApi schemas (dispatch.ts); answers are parsed with them again on the way out.
 */
export function createConsoleHandlers({ session, openExternal, allowedLinkHosts = [], renderPdf }: ConsoleHandlerDeps): ConsoleHandlers {
  return {
    'session:status': () => session.status(),
    'session:connect': ({ serverUrl }) => session.connect(serverUrl),
    'session:signIn': (input) => session.signIn(input),
    'session:signOut': () => session.signOut(),
    'users:search': (query) => session.withAccessToken((client, token) => client.searchUsers(token, query)),
    'users:get': ({ id }) => session.withAccessToken((client, token) => client.getUser(token, id)),
    'users:unlock': ({ id, ...body }) => session.withAccessToken((client, token) => client.unlockUser(token, id, body)),
    'users:sendPhoneResetLink': ({ id, ...body }) => session.withAccessToken((client, token) => client.sendPhoneResetLink(token, id, body)),
    'users:regenerateRecoveryCodes': ({ id, ...body }) =>
      session.withAccessToken((client, token) => client.regenerateRecoveryCodes(token, id, body)),
    'users:resetAuthenticator': ({ id, ...body }) => session.withAccessToken((client, token) => client.resetAuthenticator(token, id, body)),
    'users:revokeDevices': ({ id, ...body }) => session.withAccessToken((client, token) => client.revokeDevices(token, id, body)),
    'users:endSessions': ({ id, ...body }) => session.withAccessToken((client, token) => client.endSessions(token, id, body)),
    'users:enrollPushDevice': ({ id, ...body }) => session.withAccessToken((client, token) => client.enrollPushDevice(token, id, body)),
    'users:revokePushDevice': ({ id, deviceId, ...body }) =>
      session.withAccessToken((client, token) => client.revokePushDevice(token, id, deviceId, body)),
    'users:resendInvitation': ({ id, ...body }) => session.withAccessToken((client, token) => client.resendInvitation(token, id, body)),
    'users:setSharedFlag': ({ id, ...body }) => session.withAccessToken((client, token) => client.setSharedFlag(token, id, body)),
    'sharedAccounts:list': (query) => session.withAccessToken((client, token) => client.listSharedAccounts(token, query)),
    'breakups:check': ({ id, ...body }) => session.withAccessToken((client, token) => client.checkBreakup(token, id, body)),
    'breakups:run': ({ id, ...body }) => session.withAccessToken((client, token) => client.runBreakup(token, id, body)),
    'breakups:get': ({ id }) => session.withAccessToken((client, token) => client.getBreakup(token, id)),
    'breakups:finish': ({ id }) => session.withAccessToken((client, token) => client.finishBreakup(token, id)),
    'sheets:candidates': (query) => session.withAccessToken((client, token) => client.listSheetCandidates(token, query)),
    'sheets:create': (body) => session.withAccessToken((client, token) => client.createSheets(token, body)),
    'sheets:list': (query) => session.withAccessToken((client, token) => client.listSheets(token, query)),
    'sheets:void': ({ id, ...body }) => session.withAccessToken((client, token) => client.voidSheet(token, id, body)),
    // No server and no network: the sheets were fetched already; the PDF is made here.
    'sheets:renderPdf': async ({ html, paper }) => {
      const pdf = await renderPdf(printOnlyPolicy(html), paper);
      return { pdfBase64: Buffer.from(pdf).toString('base64'), bytes: pdf.byteLength };
    },
    'tenants:list': () => session.withAccessToken((client, token) => client.listTenants(token)),
    'operators:list': () => session.withAccessToken((client, token) => client.listOperators(token)),
    'lockouts:list': (query) => session.withAccessToken((client, token) => client.listLockouts(token, query)),
    'alarms:list': (query) => session.withAccessToken((client, token) => client.listSignInAlarms(token, query)),
    'pushAlerts:list': (query) => session.withAccessToken((client, token) => client.listPushAlerts(token, query)),
    'audit:list': (query) => session.withAccessToken((client, token) => client.listAudit(token, query)),
    'links:openExternal': async ({ url }) => {
      const serverUrl = (await session.status()).serverUrl;
      if (!isAllowedExternalUrl(url, { serverUrl, allowedHosts: allowedLinkHosts })) return { opened: false };
      await openExternal(url);
      return { opened: true };
    },
    'preferences:update': ({ locale }) => session.setLocale(locale),
  };
}
