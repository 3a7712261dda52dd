/** A message on its way out, as a provider sees it. */
export interface OutgoingMessage {
  id: string;
  channel: 'sms' | 'email';
  to: string;
  template: string;
  locale: string;
  subject: string | null;
  text: string;
  createdAt: number;
}

/**
 * What may be done with a message whose worker stopped after handing it to this provider (a kill -9,
 * a deploy, a stall past the claim lease) and before recording the answer. The provider may or may
 * not have taken it, and a plain resend is a second SMS with the same code:
 * - `idempotent`: a resend is harmless, the far end drops the repeat (the webhook sends the message
 *   id as Idempotency-Key);
 * - `check`: the provider can tell whether it has the message (`alreadyDelivered`), so it is sent
 *   again only if it has not;
 * - `unsafe`: it cannot tell and a repeat reaches the person (SMTP: a second mail is a second mail),
 *   so the message is given up as outcome unknown, with an audit event on its user that support sees, rather than sent twice.
 */
export type Redelivery = 'idempotent' | 'check' | 'unsafe';

/** One interface for every way a message leaves: outbox file, SMS webhook, SMTP. Throw to retry later. */
export interface MessageProvider {
  readonly name: string;
  /** Required, so that a new provider has to answer the question instead of inheriting a duplicate. */
  readonly redelivery: Redelivery;
  send(message: OutgoingMessage): Promise<void>;
  /**
   * For `check` providers, asked only when a handed-over message's worker stopped: true if the
   * message was delivered, false if it was not. Throw when it cannot be told right now. A `check`
   * provider without it is treated as `unsafe`.
   */
  alreadyDelivered?(id: string): Promise<boolean>;
  close?(): Promise<void>;
}
