import { z } from 'zod';
import * as api from '../../../shared/api/push.js';
import { okAnswer } from '../../../shared/api/end-user.js';
import { ApiError } from '../../api-error.js';
import { describeChallenge, sendPush } from '../../factors/push/challenge.js';
import { toPushDeviceView } from '../../factors/push/device-view.js';
import { pendingForDevice, revokePushDevice, updateSubscription } from '../../factors/push/devices.js';
import { completePushEnrollment, startPushEnrollment } from '../../factors/push/enrollment.js';
import { respondToPush } from '../../factors/push/response.js';
import { requireFreshSecondFactor } from '../../flows/step-up.js';
import { listPushDevices } from '../../store/repositories/push-devices.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

const noBody = z.strictObject({}).optional();
const deviceErrors = ['invalid_signature', 'forbidden'];

/**
 * Push approval (design/API.md, "Push approval"): the sign-in side, the account's devices, and the
 * device's own signed requests. The two event streams (Server-Sent Events) are in push-event-streams.ts.
 */
export const pushRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    url: '/v1/auth/challenges/:id/push',
    tag: 'sign-in',
    auth: 'none',
    status: 202,
    summary:
      'Send a push to the user\'s devices and get the code to show; again to resend (same code, after pushResendCooldownSeconds, at most pushMaxResends times). Wait on GET /v1/auth/challenges/{id}/events (or poll GET /v1/auth/challenges/{id}), then verify with {method:"push"}.',
    params: api.pushChallengeParams,
    body: noBody,
    response: api.pushSentAnswer,
    errors: ['not_found', 'challenge_expired', 'account_locked', 'method_not_available', 'too_many_attempts', 'conflict'],
    handler: ({ ctx, params, meta }) => sendPush(ctx, params.id, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/auth/challenges/:id',
    tag: 'sign-in',
    auth: 'none',
    summary: "Where a sign-in step stands, and its push's state: the polling fallback of the event stream.",
    params: api.pushChallengeParams,
    response: api.challengeStatusAnswer,
    errors: ['not_found'],
    handler: ({ ctx, params }) => describeChallenge(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/me/push-devices',
    tag: 'self-service',
    auth: 'session',
    summary:
      'Start adding a push device: a single-use link (10 minutes) and its QR code, and the code for its first approval. Needs a fresh second factor.',
    body: noBody,
    response: api.pushEnrollmentAnswer,
    errors: ['unauthorized', 'invalid_token', 'step_up_required', 'method_not_available', 'enrollment_incomplete'],
    handler: async ({ ctx, auth, meta }) => {
      await requireFreshSecondFactor(ctx, auth, meta);
      return startPushEnrollment(ctx, ctx.store.db, {
        user: auth.user,
        tenant: auth.tenant,
        startedBy: { type: 'user', id: auth.user.id },
        ip: meta.ip,
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/me/push-devices',
    tag: 'self-service',
    auth: 'session',
    summary: 'Push devices of this account (revoked ones are not listed).',
    response: z.object({ devices: z.array(api.pushDeviceView) }),
    errors: ['unauthorized', 'invalid_token'],
    handler: async ({ ctx, auth }) => ({ devices: (await listPushDevices(ctx.store.db, auth.user.id)).map(toPushDeviceView) }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/v1/me/push-devices/:id',
    tag: 'self-service',
    auth: 'session',
    summary: 'Remove a push device: it can no longer answer.',
    params: api.pushChallengeParams,
    response: okAnswer,
    errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: async ({ ctx, auth, params, meta }) => {
      const device = await ctx.store.db
        .transaction()
        .execute((trx) => revokePushDevice(trx, auth.user.id, params.id, ctx.clock.now(), { type: 'user', ip: meta.ip }));
      if (!device) throw new ApiError('not_found', 'There is no such push device.');
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/push/enrollments/:id/complete',
    tag: 'push devices',
    auth: 'none',
    status: 201,
    summary: "A device completes its enrollment: the link's secret, its P-256 public key and a proof signed with the private key.",
    params: api.enrollmentParams,
    body: api.completeEnrollmentRequest,
    response: api.completeEnrollmentAnswer,
    errors: ['not_found', 'link_expired', 'invalid_signature', 'conflict'],
    handler: ({ ctx, params, body, meta }) => completePushEnrollment(ctx, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/push/pending',
    tag: 'push devices',
    auth: 'device',
    summary: 'Requests waiting for this device, with the context to show (never the code).',
    response: api.pendingPushAnswer,
    errors: deviceErrors,
    handler: ({ ctx, auth }) => pendingForDevice(ctx, auth),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/push/challenges/:id/respond',
    tag: 'push devices',
    auth: 'device',
    summary:
      'Approve (with the code the person typed), deny, or report fraud; signed over the request, its nonce and the hash of the context shown.',
    params: api.pushChallengeParams,
    body: api.respondRequest,
    response: api.respondAnswer,
    errors: [...deviceErrors, 'not_found', 'conflict', 'invalid_code', 'method_not_available'],
    handler: ({ ctx, auth, params, body, meta }) => respondToPush(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/push/subscription',
    tag: 'push devices',
    auth: 'device',
    summary: "Set (or clear, with null) this device's Web Push subscription.",
    body: api.pushSubscriptionRequest,
    response: okAnswer,
    errors: deviceErrors,
    handler: ({ ctx, auth, body }) => updateSubscription(ctx, auth, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/push/vapid-public-key',
    tag: 'push devices',
    auth: 'none',
    summary: 'The VAPID key a browser subscribes to Web Push with; null when this server sends no Web Push (devices poll).',
    response: z.object({ publicKey: z.string().nullable() }),
    handler: async ({ ctx }) => ({ publicKey: ctx.delivery.push.vapidPublicKey }),
  }),
];
