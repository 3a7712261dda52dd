import type { z } from 'zod';
import type {
  completeEnrollmentAnswer,
  completeEnrollmentRequest,
  pendingPushAnswer,
  respondAnswer,
  respondRequest,
} from '../../shared/api/push.js';
import {
  contextHash,
  enrollmentProofInput,
  exportPublicJwk,
  generateDeviceKey,
  jwkThumbprint,
  responseSigningInput,
  signBytes,
  signDeviceRequest,
  type Decision,
  type PushContext,
} from '../../shared/push/protocol.js';
import { ApiFailure, callJson, readAnswer, send } from '../common/http.js';
import { readEventStream, type ServerEvent } from '../common/sse.js';
import type { StoredAccount } from './store.js';

/**
 * The device's side of the push protocol (src/shared/push/protocol.ts holds every byte that is
 * signed): enrollment, the signed requests, the answer. Only types come from the zod schemas, so
 * zod stays out of the bundle.
 */
export type PendingAnswer = z.infer<typeof pendingPushAnswer>;
export type PendingItem = PendingAnswer['items'][number];
export type RespondAnswer = z.infer<typeof respondAnswer>;
type CompleteAnswer = z.infer<typeof completeEnrollmentAnswer>;
type CompleteRequest = z.infer<typeof completeEnrollmentRequest>;
export type PushSubscriptionJson = NonNullable<CompleteRequest['pushSubscription']>;

export interface Enrollment {
  serverUrl: string;
  enrollmentId: string;
  secret: string;
}

/** Makes the key (non-extractable), proves it to the server, and returns the account to store. */
export async function completeEnrollment(
  enrollment: Enrollment,
  device: { deviceName: string; platform: string; pushSubscription?: PushSubscriptionJson },
): Promise<StoredAccount> {
  const keys = await generateDeviceKey(false);
  const publicKeyJwk = await exportPublicJwk(keys.publicKey);
  const jkt = await jwkThumbprint(publicKeyJwk);
  const iat = Date.now();
  const proof = await signBytes(keys.privateKey, enrollmentProofInput({ enrollmentId: enrollment.enrollmentId, jkt, iat }));
  const body: CompleteRequest = {
    secret: enrollment.secret,
    publicKeyJwk,
    deviceName: device.deviceName,
    platform: device.platform,
    ...(device.pushSubscription ? { pushSubscription: device.pushSubscription } : {}),
    iat,
    proof,
  };
  const answer = await callJson<CompleteAnswer>(
    `${enrollment.serverUrl}/v1/push/enrollments/${encodeURIComponent(enrollment.enrollmentId)}/complete`,
    {
      method: 'POST',
      body,
    },
  );
  return {
    deviceId: answer.deviceId,
    serverUrl: enrollment.serverUrl,
    account: answer.account,
    deviceName: device.deviceName,
    privateKey: keys.privateKey as CryptoKey,
    state: answer.state,
    enrolledAt: new Date().toISOString(),
  };
}

/** A request signed by the device: `path` (with its query) and the exact body bytes are what is signed. */
async function signedFetch(
  account: StoredAccount,
  method: string,
  path: string,
  body: unknown,
  options: { accept?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = await signDeviceRequest(account.deviceId, account.privateKey, { method, path, body: text, time: Date.now() });
  return send(`${account.serverUrl}${path}`, {
    method,
    headers: { accept: options.accept ?? 'application/json', ...(text ? { 'content-type': 'application/json' } : {}), ...signed },
    body: text || undefined,
    signal: options.signal,
  });
}

async function signedCall<T>(account: StoredAccount, method: string, path: string, body?: unknown): Promise<T> {
  return readAnswer<T>(await signedFetch(account, method, path, body));
}

export function fetchPending(account: StoredAccount): Promise<PendingAnswer> {
  return signedCall<PendingAnswer>(account, 'GET', '/v1/push/pending');
}

/** Signs the decision over the context the person was shown, and sends it. */
export async function respond(account: StoredAccount, item: PendingItem, decision: Decision, code: string | null): Promise<RespondAnswer> {
  const hash = await contextHash(item.context as PushContext);
  const signedAt = Date.now();
  const signature = await signBytes(
    account.privateKey,
    responseSigningInput({
      challengeId: item.id,
      deviceId: account.deviceId,
      nonce: item.nonce,
      contextHash: hash,
      decision,
      code,
      signedAt,
    }),
  );
  const body: z.infer<typeof respondRequest> = { decision, code, contextHash: hash, nonce: item.nonce, signedAt, signature };
  return signedCall<RespondAnswer>(account, 'POST', `/v1/push/challenges/${encodeURIComponent(item.id)}/respond`, body);
}

export async function sendSubscription(account: StoredAccount, pushSubscription: PushSubscriptionJson | null): Promise<void> {
  await signedCall(account, 'POST', '/v1/push/subscription', { pushSubscription });
}

export async function fetchVapidKey(serverUrl: string): Promise<string | null> {
  const answer = await callJson<{ publicKey: string | null }>(`${serverUrl}/v1/push/vapid-public-key`, { method: 'GET' });
  return answer.publicKey;
}

/**
 * The device's event stream, read until it ends, fails or `signal` aborts. `onOpen` runs once the
 * server accepted the request. Throws an ApiFailure when the server refuses it.
 */
export async function followEvents(
  account: StoredAccount,
  signal: AbortSignal,
  onOpen: () => void,
  onEvent: (event: ServerEvent) => void,
): Promise<void> {
  const response = await signedFetch(account, 'GET', '/v1/push/events', undefined, { signal, accept: 'text/event-stream' });
  if (!response.ok) await readAnswer(response);
  if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream'))
    throw new ApiFailure(response.status, 'not_an_event_stream', 'The server did not answer with an event stream.');
  onOpen();
  await readEventStream(response.body, onEvent, signal);
}
