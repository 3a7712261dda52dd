/**
 * A push is only a wake-up: "a request is waiting, open the app". The server's record is the truth
 * and the device fetches it with a signed request, so a lost or late wake-up costs only the
 * polling's delay, never a sign-in. That is why wake-ups do not go through the messages table and its
 * retries (delivery-service.ts): a wake-up retried after the push expired is worth nothing, and a
 * resend is the person's choice (the sign-in screen's "Resend").
 *
 * Kinds: `none` (the default: devices poll, and the open authenticator listens on its event stream),
 * `webpush` (RFC 8030 with VAPID, RFC 8292, through the `web-push` package; providers/web-push.ts).
 * FCM and APNs fit the same interface: a `wake` that posts the payload to the platform's API with the
 * device's token (the `subscription` a native app would register) and answers `gone` on its
 * "unregistered" error; neither ships, since both need a vendor account and the internet.
 */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What a wake-up carries: which request, for which tenant; never the code or the context. */
export interface WakeUpPayload {
  type: 'pending';
  challengeId: string;
  tenant: string;
}

/** `gone`: the push service dropped the subscription (404/410), so it is marked stale and the device polls. */
export type WakeOutcome = 'sent' | 'gone' | 'failed' | 'not_sent';

export interface PushWaker {
  readonly name: string;
  /** The VAPID public key a browser subscribes with, or null when this server sends no Web Push. */
  readonly vapidPublicKey: string | null;
  wake(subscription: PushSubscriptionJson, payload: WakeUpPayload, options: { ttlSeconds: number; topic: string }): Promise<WakeOutcome>;
}

/** Poll-only: nothing is sent, the device finds the request when it looks (privacyIDEA's "poll only"). */
export const noPushWaker: PushWaker = {
  name: 'none',
  vapidPublicKey: null,
  async wake() {
    return 'not_sent';
  },
};
