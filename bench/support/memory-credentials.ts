import type { CredentialStore } from '../../src/main/services/credential-store.js';

/** A keychain that lives in memory, for benchmarks on machines without a Secret Service. */
export function memoryCredentials(): CredentialStore {
  const entries = new Map<string, string>();
  return {
    probe: async () => ({ available: true }),
    read: async (account) => entries.get(account) ?? null,
    write: async (account, secret) => void entries.set(account, secret),
    remove: async (account) => entries.delete(account),
  };
}
