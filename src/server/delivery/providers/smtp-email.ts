import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { MessageProvider, OutgoingMessage } from '../message-provider.js';

/** Email through an SMTP server (nodemailer), e.g. SMTP_URL=smtps://user:pass@mail.example.com. */
export class SmtpEmailProvider implements MessageProvider {
  readonly name = 'smtp';
  // SMTP has no idempotency: a server cannot be asked whether it accepted a mail, and a second copy is
  // delivered as a second mail (the Message-ID is a header that no receiver is bound to dedupe by).
  readonly redelivery = 'unsafe';
  readonly #transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // Well inside the delivery lease (CLAIM_LEASE_MS, 60 s): a stalled server fails the attempt, which
    // is retried, instead of outliving the claim while another worker sends the message again.
    const options: SMTPTransport.Options = { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
    this.#transport = nodemailer.createTransport(options);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.#transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject ?? '',
      text: message.text,
      messageId: `<${message.id}@mfa-desk>`,
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
