import type { BridgeResult, ConsoleBridge } from '../../shared/console-api';
import { buildBridge } from '../../shared/console/bridge';

/** Where the page keeps the browser host's per-launch secret: scoped to this origin (port included) and this tab. */
const storageKey = 'mfa-desk-bridge';
export const bridgeSecretHeader = 'x-mfa-desk-bridge';

/**
 * Takes the secret from the launch URL's fragment (#bridge=...) into sessionStorage and removes it
 * from the address bar, so it is not in the history, a bookmark or a screenshot. Reloads find it in
 * sessionStorage.
 */
export function takeBridgeSecret(location: Location, storage: Storage, history: History): string | null {
  const match = /(?:^#|&)bridge=([A-Za-z0-9_-]{20,})/.exec(location.hash);
  if (match?.[1]) {
    storage.setItem(storageKey, match[1]);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return storage.getItem(storageKey);
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
    if (!response.ok) return { ok: false, error: { code: 'console_unavailable', message: `the console host refused the call (${response.status})` } };
    return (await response.json()) as BridgeResult<unknown>;
  }) satisfies ConsoleBridge;
}
