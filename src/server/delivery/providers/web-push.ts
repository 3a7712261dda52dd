import webpush from 'web-push';
import type { PushSubscriptionJson, PushWaker, WakeOutcome, WakeUpPayload } from '../push-waker.js';

export interface VapidConfig {
  publicKey: string;
  privateKey: string;
  /** A contact for the push services: `mailto:` or `https:` (RFC 8292 section 2.1). */
  subject: string;
}

/**
 * Web Push (RFC 8030), the payload encrypted for the subscription (RFC 8291, aes128gcm) and the
 * request signed with our VAPID key (RFC 8292), by the `web-push` package. `generateRequestDetails`
 * builds the request and `fetch` sends it: web-push's own sender always uses https.request, and this
 * way the same code reaches a push service and the plain-HTTP receiver of the tests.
 */
export class WebPushWaker implements PushWaker {
  readonly name = 'webpush';
  readonly vapidPublicKey: string;

  constructor(
    private readonly vapid: VapidConfig,
    private readonly timeoutMs = 5_000,
  ) {
    this.vapidPublicKey = vapid.publicKey;
  }

  async wake(
    subscription: PushSubscriptionJson,
    payload: WakeUpPayload,
    options: { ttlSeconds: number; topic: string },
  ): Promise<WakeOutcome> {
    const details = webpush.generateRequestDetails(subscription, JSON.stringify(payload), {
      vapidDetails: this.vapid,
      TTL: options.ttlSeconds,
      urgency: 'high',
      // A resend replaces the wake-up still queued for an offline device instead of adding one.
      topic: options.topic,
      contentEncoding: 'aes128gcm',
    });
    try {
      const response = await fetch(details.endpoint, {
        method: details.method,
        headers: details.headers as Record<string, string>,
        body: details.body ? new Uint8Array(details.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) return 'gone';
      return response.ok ? 'sent' : 'failed';
    } catch {
      return 'failed';
    }
  }
}

/** A new VAPID key pair (`mfa-desk push vapid-keys`). */
export function newVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
