import { systemClock, type Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { loadEncryptionKey } from './crypto/key-file.js';
import { SecretBox } from './crypto/secret-box.js';
import { DeliveryService } from './delivery/delivery-service.js';
import { providersFromConfig, pushWakerFromConfig } from './delivery/providers-from-config.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { migrateToLatest, openStore } from './store/database.js';
import { assertEveryMethodHasFactor, factors } from './factors/registry.js';

/** Opens the store (migrated to the latest schema) and assembles the context every flow receives. */
export async function createContext(config: ServerConfig, clock: Clock = systemClock): Promise<ServerContext> {
  // Before anything is opened: a method without a factor would be a sign-in path nobody wrote.
  assertEveryMethodHasFactor(factors);
  const providers = providersFromConfig(config);
  const pushWaker = pushWakerFromConfig(config);
  const secrets = new SecretBox(loadEncryptionKey(config.dataDir, config.encryptionKey));
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    store,
    clock,
    secrets,
    passwords: new PasswordHasher(),
    delivery: new DeliveryService(store, clock, providers, (line) => console.error(line), pushWaker),
    publicUrl: config.publicUrl,
  };
}
