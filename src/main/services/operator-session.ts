import type { AdminTokens } from '../../shared/api/admin.js';
import type { ConsoleLocale, SessionNotice, SessionState, SignedInOperator } from '../../shared/console-api.js';
import { normalizeServerUrl } from '../../shared/console/server-url.js';
import { ConsoleError } from './console-error.js';
import { keychainAccount, type CredentialStore, type KeychainStatus } from './credential-store.js';
import { createServerClient, type ServerClient } from './server-client.js';
import type { SettingsStore } from './settings-store.js';

export interface OperatorSessionOptions {
  settings: SettingsStore;
  credentials: CredentialStore;
  /** Shown in the operator's session list on the server, e.g. "MFA Desk on sam-laptop". */
  deviceName: string;
  /** A server URL given at launch (`npm start`): it replaces the stored one. */
  launchServerUrl?: string;
  /** @default createServerClient */
  clientFor?: (baseUrl: string) => ServerClient;
  /** @default Date.now */
  now?: () => number;
  /**
   * Share of the access token's life after which it is renewed in the background.
   * @default 0.8
   */
  refreshAt?: number;
  /** Where main's log lines go; never given a token. @default console.warn */
  log?: (line: string) => void;
}

interface ActiveSession {
  serverUrl: string;
  /** The email the operator typed (lowercased): part of the keychain account name. */
  email: string;
  operator: SignedInOperator;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Whether the refresh token is in the keychain (false when there is no keychain). */
  remembered: boolean;
}

/** A token this close to its end is renewed before use rather than sent and refused. */
const expiryMarginMs = 10_000;

/**
 * The operator's session, held in main's memory: the access token never leaves this object, the
 * refresh token leaves it only for the keychain. Renews the access token before it expires, one
 * renewal at a time (the server revokes the whole family when a refresh token is presented twice),
 * and brings the operator back to sign-in with a notice when the server no longer accepts it.
 */
export class OperatorSession {
  private active: ActiveSession | null = null;
  private notice: SessionNotice | null = null;
  private resumeDone = false;
  private staleAccount: string | null = null;
  private resuming: Promise<void> | null = null;
  private refreshing: Promise<ActiveSession> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private keychainAvailable: boolean | undefined;
  private readonly clients = new Map<string, ServerClient>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: OperatorSessionOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.warn(`[console] ${line}`));
    if (options.launchServerUrl) {
      const launch = normalizeServerUrl(options.launchServerUrl);
      const { serverUrl: stored, lastEmail } = options.settings.read();
      if (launch.ok && launch.url !== stored) {
        // The credential kept for the old server must not outlive the switch (sign-out could no longer find it).
        if (stored && lastEmail) this.staleAccount = keychainAccount(stored, lastEmail);
        options.settings.update({ serverUrl: launch.url, lastEmail: null });
      }
    }
  }

  async status(): Promise<SessionState> {
    await this.resumeOnce();
    const settings = this.options.settings.read();
    const keychain = await this.keychainStatus();
    return {
      keychain: keychain.available ? { available: true, reason: null } : { available: false, reason: keychain.reason },
      serverUrl: settings.serverUrl,
      lastEmail: settings.lastEmail,
      operator: this.active?.operator ?? null,
      remembered: this.active?.remembered ?? false,
      notice: this.notice,
      preferences: { locale: settings.locale },
    };
  }

  async connect(rawUrl: string): Promise<SessionState> {
    const normalized = normalizeServerUrl(rawUrl);
    if (!normalized.ok)
      throw new ConsoleError('invalid_server_url', `not a usable server URL (${normalized.problem})`, { detail: normalized.problem });
    await this.client(normalized.url).checkServer();
    if (normalized.url !== this.options.settings.read().serverUrl) {
      // Another server: the session and keychain entry for the old one end here.
      await this.signOut();
      this.options.settings.update({ serverUrl: normalized.url, lastEmail: null });
    }
    this.notice = null;
    this.resumeDone = true;
    return this.status();
  }

  async signIn(input: { email: string; password: string; code: string }): Promise<SessionState> {
    const { serverUrl, lastEmail } = this.options.settings.read();
    if (!serverUrl) throw new ConsoleError('not_connected', 'connect to a server first');
    const tokens = await this.client(serverUrl).login({ ...input, deviceName: this.options.deviceName });
    // One operator per console: whoever was here before is signed out, their keychain entry removed.
    if (this.active) await this.end(null, { revoke: true });
    if (lastEmail && lastEmail !== input.email) await this.forget(keychainAccount(serverUrl, lastEmail));
    this.options.settings.update({ lastEmail: input.email });
    await this.begin(serverUrl, input.email, tokens);
    this.notice = null;
    this.resumeDone = true;
    return this.status();
  }

  async signOut(): Promise<SessionState> {
    const { serverUrl, lastEmail } = this.options.settings.read();
    await this.end('signed_out', { revoke: true });
    // Also when no session is active (the silent sign-in could not reach the server): no token stays behind.
    if (serverUrl && lastEmail) await this.forget(keychainAccount(serverUrl, lastEmail));
    this.resumeDone = true;
    return this.status();
  }

  async setLocale(locale: ConsoleLocale | null): Promise<SessionState> {
    this.options.settings.update({ locale });
    return this.status();
  }

  /** The server the console is pointed at (links to its pages may open outside). */
  connectedServerUrl(): string | null {
    return this.options.settings.read().serverUrl;
  }

  /** Who is signed in and where; null when nobody is. */
  current(): { serverUrl: string; operator: SignedInOperator } | null {
    return this.active && { serverUrl: this.active.serverUrl, operator: this.active.operator };
  }

  /**
   * Runs an admin API call with a valid access token: renewed first when it is about to expire, and
   * renewed once more and retried when the server refuses it (401) anyway.
   */
  async withAccessToken<T>(work: (client: ServerClient, accessToken: string) => Promise<T>): Promise<T> {
    await this.resumeOnce();
    let session = this.active;
    if (!session) throw new ConsoleError('not_signed_in', 'nobody is signed in');
    if (this.now() >= session.expiresAt - expiryMarginMs) session = await this.refresh(session);
    const client = this.client(session.serverUrl);
    try {
      return await work(client, session.accessToken);
    } catch (error) {
      if (!(error instanceof ConsoleError) || error.status !== 401) throw error;
      // Refused before anything happened on the server, so repeating the call (even a POST) is safe.
      const renewed = await this.refresh(session);
      try {
        return await work(client, renewed.accessToken);
      } catch (again) {
        if (again instanceof ConsoleError && again.status === 401) await this.end('session_expired', { revoke: false });
        throw again;
      }
    }
  }

  /** Stops the renewal timer (the services are shutting down); the session stays valid on the server. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private client(baseUrl: string): ServerClient {
    let client = this.clients.get(baseUrl);
    if (!client) this.clients.set(baseUrl, (client = (this.options.clientFor ?? createServerClient)(baseUrl)));
    return client;
  }

  /** Asked of the store each time (it caches, and asks again a while after a failure); logged when it changes. */
  private async keychainStatus(): Promise<KeychainStatus> {
    const status = await this.options.credentials.probe();
    if (status.available !== this.keychainAvailable) {
      if (!status.available) this.log(`no keychain, credentials will not be stored: ${status.reason}`);
      this.keychainAvailable = status.available;
    }
    return status;
  }

  /** The first status call after launch signs in silently with the refresh token from the keychain. */
  private async resumeOnce(): Promise<void> {
    if (this.active || this.resumeDone) return;
    this.resuming ??= this.resume().finally(() => (this.resuming = null));
    await this.resuming;
  }

  private async resume(): Promise<void> {
    if (this.staleAccount) await this.forget(this.staleAccount);
    this.staleAccount = null;
    const { serverUrl, lastEmail } = this.options.settings.read();
    if (!serverUrl || !lastEmail || !(await this.keychainStatus()).available) {
      this.resumeDone = true;
      return;
    }
    const account = keychainAccount(serverUrl, lastEmail);
    let stored: string | null;
    try {
      stored = await this.options.credentials.read(account);
    } catch (error) {
      this.log(`keychain read failed: ${error instanceof Error ? error.message : String(error)}`);
      this.notice = 'keychain_unavailable';
      this.resumeDone = true;
      return;
    }
    if (!stored) {
      this.resumeDone = true;
      return;
    }
    try {
      await this.begin(serverUrl, lastEmail, await this.client(serverUrl).refresh(stored));
      this.notice = null;
      this.resumeDone = true;
    } catch (error) {
      const code = error instanceof ConsoleError ? error.code : 'internal';
      this.notice = code;
      if (code === 'offline' || code === 'server_unreachable') return; // keep the entry; the next status call tries again
      this.resumeDone = true;
      if (code === 'session_expired') await this.forget(account);
      else this.log(`silent sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async begin(serverUrl: string, email: string, tokens: AdminTokens): Promise<void> {
    const { name, role, tenantIds } = tokens.operator;
    const remembered = await this.remember(keychainAccount(serverUrl, email), tokens.refreshToken);
    this.install({
      serverUrl,
      email,
      operator: { name, email: tokens.operator.email, role, tenantIds },
      ...this.tokenFields(tokens),
      remembered,
    });
  }

  private tokenFields(tokens: AdminTokens): Pick<ActiveSession, 'accessToken' | 'refreshToken' | 'expiresAt'> {
    return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: this.now() + tokens.expiresIn * 1000 };
  }

  private install(session: ActiveSession): void {
    this.active = session;
    clearTimeout(this.timer);
    const lifetime = session.expiresAt - this.now();
    const due = Math.max(1_000, Math.floor(lifetime * (this.options.refreshAt ?? 0.8)));
    this.timer = setTimeout(() => {
      this.refresh(session).catch((error: unknown) =>
        this.log(`background renewal failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, due);
    // A pending renewal must not keep a test process or a closing app alive.
    this.timer.unref();
  }

  /**
   * Renews `from`'s tokens, one renewal at a time. A caller holding an older session gets the
   * already renewed one instead of presenting a refresh token that was just used.
   */
  private refresh(from: ActiveSession): Promise<ActiveSession> {
    if (this.active && this.active !== from && this.active.serverUrl === from.serverUrl && this.active.email === from.email)
      return Promise.resolve(this.active);
    this.refreshing ??= (async () => {
      const current = this.active;
      if (!current) throw new ConsoleError('not_signed_in', 'nobody is signed in');
      let tokens: AdminTokens;
      try {
        tokens = await this.client(current.serverUrl).refresh(current.refreshToken);
      } catch (error) {
        if (error instanceof ConsoleError && error.code === 'session_expired') await this.end('session_expired', { revoke: false });
        throw error;
      }
      // Signed out (or in as someone else) while the renewal was on its way: its tokens belong to nobody.
      if (this.active !== current) throw new ConsoleError('not_signed_in', 'the session ended during renewal');
      const remembered =
        current.remembered && (await this.remember(keychainAccount(current.serverUrl, current.email), tokens.refreshToken));
      const next: ActiveSession = { ...current, ...this.tokenFields(tokens), remembered };
      this.install(next);
      return next;
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** Stores the refresh token in the keychain; false (and nothing stored anywhere) without one. */
  private async remember(account: string, refreshToken: string): Promise<boolean> {
    if (!(await this.keychainStatus()).available) return false;
    try {
      await this.options.credentials.write(account, refreshToken);
      return true;
    } catch (error) {
      // The entry now holds a used token: remove it, or the next start would present it and revoke the session.
      this.log(`keychain write failed: ${error instanceof Error ? error.message : String(error)}`);
      await this.forget(account);
      return false;
    }
  }

  private async forget(account: string): Promise<void> {
    if (!(await this.keychainStatus()).available) return;
    try {
      await this.options.credentials.remove(account);
    } catch (error) {
      this.log(`keychain delete failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async end(notice: SessionNotice | null, { revoke }: { revoke: boolean }): Promise<void> {
    const session = this.active;
    this.active = null;
    this.close();
    if (notice) this.notice = notice;
    if (!session) return;
    if (session.remembered) await this.forget(keychainAccount(session.serverUrl, session.email));
    if (revoke) {
      // Best effort: the keychain entry is gone either way; an unreachable server lets the token expire.
      await this.client(session.serverUrl)
        .logout(session.accessToken)
        .catch((error: unknown) => this.log(`sign-out on the server failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
