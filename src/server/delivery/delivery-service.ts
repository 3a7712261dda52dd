import type { Clock } from '../clock.js';
import type { Store } from '../store/database.js';
import { claimMessage, dueMessageIds, markMessageFailed, markMessageSent } from '../store/repositories/messages.js';
import type { MessageProvider } from './message-provider.js';

/** Attempts per message before it is marked failed; waits grow 2, 4, 8, 16 s. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/**
 * Sends what the outbox table holds, after the transaction that recorded it has committed: the flow
 * calls `dispatch(ids)` right after commit, and a sweeper retries whatever failed or was left behind
 * (a crash between commit and send). A message is claimed by one conditional update before it is
 * handed to a provider, so no two workers, in one process or many, send it twice.
 */
export class DeliveryService {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly providers: { sms: MessageProvider; email: MessageProvider },
    private readonly log: (message: string) => void = () => {},
  ) {}

  async dispatch(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.#deliver(id)));
  }

  async #deliver(id: string): Promise<void> {
    const message = await claimMessage(this.store.db, id, this.clock.now());
    if (!message) return;
    const provider = this.providers[message.channel];
    try {
      await provider.send({ id: message.id, channel: message.channel, to: message.recipient, template: message.template, locale: message.locale, subject: message.subject, text: message.text, createdAt: message.created_at });
      await markMessageSent(this.store.db, message, this.clock.now());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = Number(message.attempts);
      const retryAt = attempts >= MAX_DELIVERY_ATTEMPTS ? null : this.clock.now() + 1000 * 2 ** attempts;
      this.log(`delivery of ${message.channel} message ${message.id} via ${provider.name} failed (attempt ${attempts}): ${reason}`);
      await markMessageFailed(this.store.db, message, reason.slice(0, 500), retryAt);
    }
  }

  /** Sends every due message once; returns when done. */
  sweep(): Promise<void> {
    this.#sweeping ??= (async () => {
      try {
        for (;;) {
          const ids = await dueMessageIds(this.store.db, this.clock.now(), 50);
          if (ids.length === 0) return;
          await this.dispatch(ids);
          if (ids.length < 50) return;
        }
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  start(intervalMs = 2000): void {
    this.#timer ??= setInterval(() => void this.sweep().catch((error: unknown) => this.log(`sweep failed: ${String(error)}`)), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
    await Promise.all([this.providers.sms.close?.(), this.providers.email.close?.()]);
  }
}
