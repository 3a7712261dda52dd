import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageProvider, OutgoingMessage } from '../message-provider.js';

/**
 * The default provider: one JSON line per message (design/API.md). Development, demos and tests read
 * codes and links from here; each line is one append, so concurrent writers (even several server
 * processes) never interleave within a line.
 */
export class OutboxFileProvider implements MessageProvider {
  readonly name = 'outbox';
  #ready: Promise<unknown> | undefined;

  constructor(private readonly path: string) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.#ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.#ready;
    const line = {
      at: new Date(message.createdAt).toISOString(),
      id: message.id,
      channel: message.channel,
      to: message.to,
      template: message.template,
      locale: message.locale,
      ...(message.subject ? { subject: message.subject } : {}),
      text: message.text,
    };
    await appendFile(this.path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
