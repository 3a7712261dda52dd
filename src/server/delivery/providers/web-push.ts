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
    /** Tests only (WEB_PUSH_ALLOW_LOCAL_ENDPOINTS=1): a push service on 127.0.0.1 over plain HTTP. */
    private readonly allowLocalEndpoints = false,
  ) {
    this.vapidPublicKey = vapid.publicKey;
  }

  async wake(
    subscription: PushSubscriptionJson,
    payload: WakeUpPayload,
    options: { ttlSeconds: number; topic: string },
  ): Promise<WakeOutcome> {
    // The endpoint comes from a device: never let it point the server into its own network.
    if (!this.mayPost(subscription.endpoint)) return 'failed';
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

  /**
   * Push services are public HTTPS endpoints. A subscription naming http://, a loopback, private or
   * link-local address or an IPv6 literal would make every sign-in post into our own network (SSRF),
   * so it is not sent. A public name resolving to a private address is not caught here: an egress
   * proxy or firewall is the place for that.
   */
  mayPost(endpoint: string): boolean {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return false;
    }
    if (this.allowLocalEndpoints) return true;
    return url.protocol === 'https:' && !privateHost.test(url.hostname);
  }
}

const privateHost =
  /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|0\.0\.0\.0|\[.*\])$/i;

/** A new VAPID key pair (`mfa-desk push vapid-keys`). */
export function newVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
