import { hostname } from 'node:os';
import type { ConsoleHandlers } from '../../shared/console-api.js';
import { printPdfWithChromium } from './chromium-pdf.js';
import { createConsoleHandlers } from './console-handlers.js';
import { createKeytarStore, type CredentialStore } from './credential-store.js';
import { acquireInstanceLock } from './instance-lock.js';
import { OperatorSession, type OperatorSessionOptions } from './operator-session.js';
import { createSettingsStore } from './settings-store.js';

export interface ConsoleServicesOptions {
  /** Settings live here (see data-dir.ts); nothing secret is ever written to it. */
  dataDir: string;
  openExternal: (url: string) => Promise<void>;
  /** @default the OS keychain through keytar */
  credentials?: CredentialStore;
  /** A server URL given at launch; replaces the stored one. */
  serverUrl?: string;
  /** @default `MFA Desk on <hostname>` */
  deviceName?: string;
  /** For tests that move the clock past an access token's life. */
  now?: OperatorSessionOptions['now'];
  allowedLinkHosts?: readonly string[];
  /** @default headless Chromium (chromium-pdf.ts); Electron passes its printToPDF */
  renderPdf?: (html: string, paper: 'a4' | 'letter') => Promise<Uint8Array>;
}

export interface ConsoleServices {
  handlers: ConsoleHandlers;
  session: OperatorSession;
  close(): void;
}

/**
 * Main's plain-Node half: settings, keychain, server client and session, behind one handler table.
 * Throws ConsoleAlreadyRunning when another console holds the data directory.
 */
export function createConsoleServices(options: ConsoleServicesOptions): ConsoleServices {
  const releaseLock = acquireInstanceLock(options.dataDir);
  let session: OperatorSession;
  try {
    session = new OperatorSession({
      settings: createSettingsStore(options.dataDir),
      credentials: options.credentials ?? createKeytarStore(),
      deviceName: options.deviceName ?? `MFA Desk on ${hostname()}`.slice(0, 100),
      launchServerUrl: options.serverUrl,
      now: options.now,
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const handlers = createConsoleHandlers({
    session,
    openExternal: options.openExternal,
    allowedLinkHosts: options.allowedLinkHosts,
    // The paper size is the page's own @page rule; Chromium follows it.
    renderPdf: options.renderPdf ?? ((html) => printPdfWithChromium(html)),
  });
  return {
    handlers,
    session,
    close: () => {
      session.close();
      releaseLock();
    },
  };
}
