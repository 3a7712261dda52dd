import type { Clock } from './clock.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { DeliveryService } from './delivery/delivery-service.js';
import type { PasswordHasher } from './passwords/password-hasher.js';
import type { Store } from './store/database.js';

/** What every flow needs, passed explicitly (no globals), so tests build one per database and clock. */
export interface ServerContext {
  store: Store;
  clock: Clock;
  secrets: SecretBox;
  passwords: PasswordHasher;
  delivery: DeliveryService;
  /** Base URL of links sent to users (reset links). */
  publicUrl: string;
}
