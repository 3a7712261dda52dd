import nodemailer, { type Transporter } from 'nodemailer';
import type { MessageProvider, OutgoingMessage } from '../message-provider.js';

/** Email through an SMTP server (nodemailer), e.g. SMTP_URL=smtps://user:pass@mail.example.com. */
export class SmtpEmailProvider implements MessageProvider {
  readonly name = 'smtp';
  readonly #transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.#transport = nodemailer.createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.#transport.sendMail({ from: this.from, to: message.to, subject: message.subject ?? '', text: message.text, messageId: `<${message.id}@mfa-desk>` });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
