import { createHmac } from 'node:crypto';
import type { MessageProvider, OutgoingMessage } from '../message-provider.js';

/**
 * SMS through an HTTP gateway: a JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>"
 * (header `X-MFA-Desk-Signature: t=<unix seconds>,v1=<hex>`), with the message id as Idempotency-Key
 * so a gateway can drop the duplicate if a retry follows a lost answer. Non-2xx answers and network
 * errors throw; the delivery service retries with backoff.
 */
export class SmsWebhookProvider implements MessageProvider {
  readonly name = 'webhook';
  // The Idempotency-Key is the message id, the same on every attempt: a gateway drops the repeat.
  readonly redelivery = 'idempotent';

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 5000,
  ) {
    if (!/^https?:\/\//.test(url)) throw new Error('SMS_WEBHOOK_URL must be an http(s) URL');
    if (secret.length < 16) throw new Error('SMS_WEBHOOK_SECRET must be at least 16 characters');
  }

  async send(message: OutgoingMessage): Promise<void> {
    const body = JSON.stringify({ id: message.id, to: message.to, text: message.text, template: message.template, locale: message.locale });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex');
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': message.id,
        'x-mfa-desk-signature': `t=${timestamp},v1=${signature}`,
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
  }
}

/** For gateways (and our tests): checks a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, header: string, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex');
  return expected === match[2] && Math.abs(now / 1000 - Number(match[1])) <= toleranceSeconds;
}
