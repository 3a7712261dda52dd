import { z } from 'zod';

/**
 * The push-approval API (design/API.md, "Push approval"): device enrollment, the device's signed
 * requests, and the sign-in side (send, wait, poll). The protocol's bytes are in ../push/protocol.ts.
 */

const b64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

export const publicJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: b64url(43, 43),
  y: b64url(43, 43),
});

export const pushDeviceState = z.enum(['pending', 'active', 'suspended', 'revoked']);
export type PushDeviceState = z.infer<typeof pushDeviceState>;

/** A push device as its owner and support see it: never its key or its push subscription. */
export const pushDeviceView = z.object({
  id: z.string(),
  name: z.string(),
  platform: z.string(),
  state: pushDeviceState,
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  /** Set when "this wasn't me" suspended it. */
  suspendedAt: z.string().nullable(),
  /** Whether the server can wake it (a Web Push subscription that the push service has not dropped). */
  wakeable: z.boolean(),
});
export type PushDeviceView = z.infer<typeof pushDeviceView>;

export const pushDeviceName = z.string().trim().min(1).max(64);

/** Starting an enrollment (the account, or support for a user). */
export const pushEnrollmentAnswer = z.object({
  enrollmentId: z.string(),
  /** `<server>/authenticator/#e=<id>.<secret>`: open it on the phone, or scan `qrSvg`. */
  enrollmentUrl: z.string(),
  qrSvg: z.string(),
  /** The code the person types into the device for its first, test approval, which activates it. */
  testCode: z.string(),
  expiresAt: z.string(),
});

/** A Web Push subscription, as PushManager.subscribe() gives it (toJSON()). */
export const pushSubscriptionSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({ p256dh: b64url(80, 100), auth: b64url(16, 32) }),
});

export const enrollmentParams = z.object({ id: z.string().min(8).max(64) });

export const completeEnrollmentRequest = z.strictObject({
  secret: b64url(16, 128),
  publicKeyJwk: publicJwkSchema,
  deviceName: pushDeviceName,
  platform: z.string().trim().min(1).max(64),
  pushSubscription: pushSubscriptionSchema.optional(),
  /** Epoch milliseconds the proof was signed. */
  iat: z.number().int().positive(),
  /** ES256 (r||s, base64url) over protocol.enrollmentProofInput. */
  proof: b64url(86, 86),
});
export const completeEnrollmentAnswer = z.object({
  deviceId: z.string(),
  state: pushDeviceState,
  /** Whose device it now is, for the app's list. */
  account: z.object({ tenant: z.string(), email: z.string() }),
});

export const pushContextSchema = z.object({
  tenant: z.string(),
  app: z.string(),
  ip: z.string(),
  place: z.string().nullable(),
  browser: z.string(),
  at: z.string(),
  kind: z.enum(['sign_in', 'device_test']),
});

/** What a device is asked: never the code. */
export const pendingPushView = z.object({
  id: z.string(),
  nonce: z.string(),
  context: pushContextSchema,
  expiresAt: z.string(),
});
export const pendingPushAnswer = z.object({ deviceState: pushDeviceState, items: z.array(pendingPushView) });

export const pushChallengeParams = z.object({ id: z.string().min(8).max(64) });

export const respondRequest = z.strictObject({
  decision: z.enum(['approve', 'deny', 'fraud']),
  /** The code the person typed; only with approve. */
  code: z.string().max(16).nullable(),
  contextHash: b64url(43, 43),
  nonce: b64url(16, 64),
  signedAt: z.number().int().positive(),
  signature: b64url(86, 86),
});
export const respondAnswer = z.object({
  /** approved: the waiting sign-in may finish; the others end it. */
  outcome: z.enum(['approved', 'denied', 'fraud_reported']),
  deviceState: pushDeviceState,
});

export const pushSubscriptionRequest = z.strictObject({ pushSubscription: pushSubscriptionSchema.nullable() });

export const pushState = z.enum(['pending', 'approved', 'consumed', 'denied', 'fraud', 'expired', 'cancelled']);
export type PushState = z.infer<typeof pushState>;

/** The sign-in screen's side: the code to show, and how to wait. */
export const pushSentAnswer = z.object({
  code: z.string(),
  expiresAt: z.string(),
  /** Devices woken (or to be polled): their names. */
  devices: z.array(z.string()),
  /** Resends left for this sign-in, and when the next is allowed. */
  resendsLeft: z.number().int(),
  resendAt: z.string(),
  /** Whether a device was woken by a push service; false: it finds the request when opened (polling). */
  woken: z.boolean(),
});

/** Polling: where the challenge stands (`GET /v1/auth/challenges/:id`). */
export const challengeStatusAnswer = z.object({
  /** open: waiting for a code or an approval; done: answered; expired: over. */
  status: z.enum(['open', 'done', 'expired']),
  expiresAt: z.string(),
  /** The push of this challenge, when one was sent. */
  push: z.object({ state: pushState, expiresAt: z.string() }).nullable(),
});
