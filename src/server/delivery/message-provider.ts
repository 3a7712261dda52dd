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

/** One interface for every way a message leaves: outbox file, SMS webhook, SMTP. Throw to retry later. */
export interface MessageProvider {
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
  close?(): Promise<void>;
}
