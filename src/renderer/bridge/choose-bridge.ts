import type { ConsoleBridge } from '../../shared/console-api';
import { createHttpBridge, takeBridgeSecret } from './http-bridge';

declare global {
  interface Window {
    /** Set by the preload script in Electron; absent in a plain browser. */
    readonly mfaDesk?: ConsoleBridge;
  }
}

/** Electron's preload bridge when present, else the browser host's HTTP bridge; null when neither is available. */
export async function chooseBridge(): Promise<ConsoleBridge | null> {
  if (window.mfaDesk) return window.mfaDesk;
  const secret = await takeBridgeSecret(window.location, window.sessionStorage, window.history);
  return secret ? createHttpBridge(secret) : null;
}
