import { normalizeServerUrl } from '../shared/console/server-url.js';

/**
 * Security decisions about URLs, as pure functions (unit-tested in test/main/trusted-url.test.ts).
 * The shell and the browser host only ask these; they never decide on their own.
 */

export interface ExternalLinkRules {
  /** The server the console is connected to: its pages (API docs) may open in the system browser. */
  serverUrl: string | null;
  /**
   * Further https hosts whose pages may be opened, exact names (no wildcards).
   * @default []
   */
  allowedHosts?: readonly string[];
}

/**
 * Whether a link may be handed to the system browser. Only web pages, and only on the connected
 * server or an allow-listed host: a `file:`, `smb:`, `javascript:` or custom-scheme link could run
 * or leak something through the OS handler, so it never leaves the app.
 */
export function isAllowedExternalUrl(raw: string, rules: ExternalLinkRules): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (rules.serverUrl) {
    const server = normalizeServerUrl(rules.serverUrl);
    if (server.ok && url.origin === new URL(server.url).origin) return true;
  }
  return url.protocol === 'https:' && (rules.allowedHosts ?? []).includes(url.hostname.toLowerCase());
}

/** The origins the app's own pages are served from; everything else is "away". */
export interface AppOrigins {
  /** e.g. `app://console` in the packaged app, or the dev server's origin during `npm run dev`. */
  readonly origins: readonly string[];
}

/** The origin of a URL, including for custom standard schemes where URL.origin is "null". */
export function originOf(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (!url.host) return null;
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

/** Whether a frame at this URL is the console itself (IPC sender check, navigation check). */
export function isAppUrl(raw: string | undefined | null, app: AppOrigins): boolean {
  if (!raw) return false;
  const origin = originOf(raw);
  return origin !== null && app.origins.includes(origin);
}

/**
 * What to do when the page tries to go to `raw`: stay (in-app navigation to the same document is
 * the only thing allowed), open it outside after the allow-list check, or refuse.
 */
export function navigationDecision(raw: string, app: AppOrigins, rules: ExternalLinkRules): 'allow' | 'open_external' | 'deny' {
  if (isAppUrl(raw, app)) return 'allow';
  return isAllowedExternalUrl(raw, rules) ? 'open_external' : 'deny';
}

/**
 * A download the console may save: only a file the page made itself (`blob:<app origin>/<uuid>`,
 * the audit CSV). Anything a link or a redirect could start is refused.
 */
export function isAppDownload(raw: string, app: AppOrigins): boolean {
  if (!raw.startsWith('blob:')) return false;
  return isAppUrl(raw.slice('blob:'.length), app);
}
