/**
 * The operator's refresh token in the OS keychain (libsecret / Keychain / Credential Manager via
 * keytar), and nowhere else. Without a keychain the store says so and stores nothing: there is
 * deliberately no file fallback.
 */

/** The keychain "service" every entry is filed under. */
export const keychainService = 'MFA Desk';

/** One entry per server and operator: `<server URL>#<operator email>`. */
export function keychainAccount(serverUrl: string, email: string): string {
  return `${serverUrl}#${email}`;
}

export type KeychainStatus = { available: true } | { available: false; reason: string };

export interface CredentialStore {
  /** Whether the keychain answers; asked once per launch, before anything is stored. */
  probe(): Promise<KeychainStatus>;
  read(account: string): Promise<string | null>;
  write(account: string, secret: string): Promise<void>;
  /** True when an entry was there. */
  remove(account: string): Promise<boolean>;
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** A locked keyring can wait forever on an unlock prompt nobody sees; give up and say so instead. */
const probeTimeoutMs = 10_000;
/**
 * A keychain that was missing or locked may be there a moment later (the operator typed the keyring
 * password after 10 s): ask again after this long rather than never. One that answered stays known.
 */
const retryUnavailableAfterMs = 60_000;

export function createKeytarStore(): CredentialStore {
  let keytar: Promise<Keytar> | undefined;
  const load = () =>
    (keytar ??= import('keytar').then((module: { default?: Keytar } & Partial<Keytar>) => (module.default ?? module) as Keytar));
  let status: Promise<KeychainStatus> | undefined;
  let failedAt = 0;
  const probe = (): Promise<KeychainStatus> => {
    // One probe at a time: a retry replaces a failed answer once, and every caller shares it.
    if (status && failedAt && Date.now() - failedAt > retryUnavailableAfterMs) {
      status = undefined;
      failedAt = 0;
    }
    if (status) return status;
    const attempt = (async (): Promise<KeychainStatus> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const api = await load();
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the keychain did not answer within 10 s (is it locked?)')), probeTimeoutMs);
          timer.unref();
        });
        // Listing our own service touches the keychain without creating anything.
        await Promise.race([api.findCredentials(keychainService), timeout]);
        return { available: true };
      } catch (error) {
        return { available: false, reason: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    })();
    status = attempt;
    void attempt.then((result) => {
      if (status === attempt && !result.available) failedAt = Date.now();
    });
    return attempt;
  };
  const usable = async () => {
    const known = await probe();
    if (!known.available) throw new Error(`no keychain: ${known.reason}`);
    return load();
  };
  return {
    probe,
    read: async (account) => (await usable()).getPassword(keychainService, account),
    write: async (account, secret) => (await usable()).setPassword(keychainService, account, secret),
    remove: async (account) => (await usable()).deletePassword(keychainService, account),
  };
}
