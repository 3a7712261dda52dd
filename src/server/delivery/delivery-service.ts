import { recordAudit } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/database.js';
import {
  claimMessage,
  dueMessageIds,
  markMessageFailed,
  markMessageHanded,
  markMessageSent,
  markMessageUnknown,
  type MessageRow,
} from '../store/repositories/messages.js';
import type { MessageProvider } from './message-provider.js';
import { noPushWaker, type PushWaker } from './push-waker.js';

/** Attempts per message before it is marked failed; waits grow 2, 4, 8, 16 s. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** Why a message was given up (its last_error, and the log line an operator looks for). */
export const OUTCOME_UNKNOWN = 'outcome unknown after the worker stopped mid-send; not re-sent to avoid a duplicate';

/**
 * Sends what the outbox table holds, after the transaction that recorded it has committed: the flow
 * calls `dispatch(ids)` right after commit, and a sweeper retries whatever failed or was left behind
 * (a crash between commit and send). A message is claimed by one conditional update, so no two live
 * workers, in one process or many, send it twice; and the hand-off to the provider is recorded right
 * before the call, so a worker that picks up a lapsed claim knows whether the dead one got that far,
 * and then asks the provider (`redelivery`) instead of sending a second SMS with the same code.
 */
/** Messages handed to providers at once by one dispatch. */
const SENDS_AT_ONCE = 5;

export class DeliveryService {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly providers: { sms: MessageProvider; email: MessageProvider },
    private readonly log: (message: string) => void = () => {},
    /** Wake-ups for push devices (push-waker.ts): not messages, so not in the outbox table. */
    readonly push: PushWaker = noPushWaker,
  ) {}

  /**
   * Delivers these messages, at most `SENDS_AT_ONCE` at a time: a break-up's 200 invitations must not
   * open 200 SMTP connections at once (mail relays refuse past a few dozen, and a refusal costs a
   * retry), while one sign-in code still goes out at once.
   */
  async dispatch(ids: string[]): Promise<void> {
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await this.#deliver(id);
    };
    await Promise.all(Array.from({ length: Math.min(SENDS_AT_ONCE, queue.length) }, worker));
  }

  async #deliver(id: string): Promise<void> {
    const message = await claimMessage(this.store.db, id, this.clock.now());
    if (!message) return;
    const provider = this.providers[message.channel];
    if (message.handed_at !== null && !(await this.#mayResend(message, provider))) return;
    if (!(await markMessageHanded(this.store.db, message, this.clock.now()))) return;
    try {
      await provider.send({
        id: message.id,
        channel: message.channel,
        to: message.recipient,
        template: message.template,
        locale: message.locale,
        subject: message.subject,
        text: message.text,
        createdAt: message.created_at,
      });
      await markMessageSent(this.store.db, message, this.clock.now());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = Number(message.attempts);
      const retryAt = attempts >= MAX_DELIVERY_ATTEMPTS ? null : this.clock.now() + 1000 * 2 ** attempts;
      this.log(`delivery of ${message.channel} message ${message.id} via ${provider.name} failed (attempt ${attempts}): ${reason}`);
      await markMessageFailed(this.store.db, message, reason.slice(0, 500), retryAt);
    }
  }

  /**
   * For a claim that lapsed after its worker handed the message over (it was killed, or stalled past
   * the lease), when the provider may or may not have taken it: true to send it again, false when it
   * is settled here (recorded as sent or as unknown) or left for the next claim.
   */
  async #mayResend(message: MessageRow, provider: MessageProvider): Promise<boolean> {
    const label = `${message.channel} message ${message.id} via ${provider.name}`;
    if (provider.redelivery === 'idempotent') {
      this.log(`${label}: its worker stopped mid-send; sending it again, the provider drops a repeat`);
      return true;
    }
    if (provider.redelivery === 'check' && provider.alreadyDelivered) {
      let delivered: boolean;
      try {
        delivered = await provider.alreadyDelivered(message.id);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (Number(message.attempts) >= MAX_DELIVERY_ATTEMPTS) {
          this.log(`${label}: ${OUTCOME_UNKNOWN} (could not check: ${reason})`);
          await this.#giveUp(message, `${OUTCOME_UNKNOWN} (could not check: ${reason})`.slice(0, 500));
        } else {
          // Nothing recorded: the claim lapses like a dead worker's, and the next one checks again.
          this.log(
            `${label}: could not check whether its stopped worker delivered it (attempt ${message.attempts}), asking again after the lease: ${reason}`,
          );
        }
        return false;
      }
      if (!delivered) return true;
      this.log(`${label}: its worker stopped after delivering it; recorded as sent, not sent again`);
      await markMessageSent(this.store.db, message, this.clock.now());
      return false;
    }
    this.log(`${label}: ${OUTCOME_UNKNOWN}`);
    await this.#giveUp(message, OUTCOME_UNKNOWN);
    return false;
  }

  /**
   * Ends a message as `unknown`, with an audit event on the user it was for: support sees it in the
   * user's recent events (a reset link or a notice that may not have arrived) and can send again.
   */
  async #giveUp(message: MessageRow, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.store.db.transaction().execute(async (trx) => {
      if (!(await markMessageUnknown(trx, message, reason))) return;
      await recordAudit(trx, now, {
        action: 'message.outcome_unknown',
        tenantId: message.tenant_id,
        userId: message.user_id,
        actorType: 'system',
        details: { messageId: message.id, channel: message.channel, template: message.template, reason },
      });
    });
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
