import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageProvider, OutgoingMessage } from '../message-provider.js';

/**
 * The default provider: one JSON line per message (design/API.md). Development, demos and tests read
 * codes and links from here; each line is one append, so concurrent writers (even several server
 * processes) never interleave within a line.
 */
export class OutboxFileProvider implements MessageProvider {
  readonly name = 'outbox';
  // The file is its own record of what was delivered: after a crash it can say whether the line is there.
  readonly redelivery = 'check';
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

  /**
   * Whether a line for `id` is in the file. Asked only for a message whose worker stopped mid-send,
   * which is rare, so a scan is acceptable; it streams line by line, so memory stays bounded however
   * large the file has grown.
   */
  async alreadyDelivered(id: string): Promise<boolean> {
    let file;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      for await (const line of file.readLines({ encoding: 'utf8', autoClose: false })) {
        // The id test first spares parsing every line; the parse then rules out the id appearing in another field.
        if (!line.includes(id)) continue;
        try {
          if ((JSON.parse(line) as { id?: unknown }).id === id) return true;
        } catch {
          // A line torn by a power cut mid-write is not a delivery a reader could use.
        }
      }
      return false;
    } finally {
      await file.close();
    }
  }
}
