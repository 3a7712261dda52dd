import { availableParallelism } from 'node:os';
import argon2 from 'argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const OWASP_ARGON2ID = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The stored hash of an invited person who has not chosen a password yet: nothing matches it. */
export const NO_PASSWORD_YET = '';

/**
 * Password hashing off the event loop (argon2 runs on libuv's thread pool), with at most
 * `concurrency` hashes at once. The default leaves one core for the event loop, so a flood of
 * password sign-ins queues here instead of starving TOTP checks and every other request.
 */
export class PasswordHasher {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly params: typeof OWASP_ARGON2ID = OWASP_ARGON2ID,
    concurrency = Math.max(1, availableParallelism() - 1),
  ) {
    this.#limit = concurrency;
  }

  hash(password: string): Promise<string> {
    return this.#withSlot(() => argon2.hash(password, this.params));
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.#withSlot(() => argon2.verify(hash, password).catch(() => false));
  }

  /** Spends the same work as a real check, so an unknown user answers as slowly as a wrong password. */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.#dummyHash ??= argon2.hash('mfa-desk-dummy-password', this.params);
    await this.verify(await this.#dummyHash, password);
    return false;
  }

  async #withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}
