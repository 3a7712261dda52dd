import type { BridgeResult, ConsoleBridge } from '../../shared/console-api';
import { buildBridge } from '../../shared/console/bridge';

/** Where the page keeps the browser host's per-launch secret: scoped to this origin (port included) and this tab. */
const storageKey = 'mfa-desk-bridge';
export const bridgeSecretHeader = 'x-mfa-desk-bridge';

export const launchCodeHeader = 'x-mfa-desk-launch';

/**
 * Trades the launch URL's single-use code (#launch=...) for the browser host's secret, keeps the
 * secret in sessionStorage and removes the code from the address bar (history, bookmarks,
 * screenshots). Reloads find the secret in sessionStorage. `redeem` is the one call to the host.
 */
export async function takeBridgeSecret(
  location: Location,
  storage: Storage,
  history: History,
  redeem: (code: string) => Promise<string | null> = redeemLaunchCode,
): Promise<string | null> {
  const match = /(?:^#|&)launch=([A-Za-z0-9_-]{20,})/.exec(location.hash);
  if (match?.[1]) {
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    const secret = await redeem(match[1]);
    if (secret) storage.setItem(storageKey, secret);
  }
  return storage.getItem(storageKey);
}

async function redeemLaunchCode(code: string): Promise<string | null> {
  try {
    const response = await fetch('/bridge-handshake', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [launchCodeHeader]: code },
      body: '{}',
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok) return null;
    const answer = (await response.json()) as { secret?: unknown };
    return typeof answer.secret === 'string' ? answer.secret : null;
  } catch {
    return null;
  }
}

/** The ConsoleApi over the browser host's loopback HTTP: same type as the preload's window.mfaDesk. */
export function createHttpBridge(secret: string): ConsoleBridge {
  return buildBridge(async (channel, input): Promise<BridgeResult<unknown>> => {
    let response: Response;
    try {
      response = await fetch(`/bridge/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [bridgeSecretHeader]: secret },
        body: JSON.stringify(input),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return { ok: false, error: { code: 'console_unavailable', message: 'the console host does not answer' } };
    }
    if (!response.ok)
      return { ok: false, error: { code: 'console_unavailable', message: `the console host refused the call (${response.status})` } };
    return (await response.json()) as BridgeResult<unknown>;
  }) satisfies ConsoleBridge;
}
