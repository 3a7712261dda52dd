import {
  deviceHeaders,
  REQUEST_CLOCK_SKEW_MS,
  requestSigningInput,
  sha256Base64Url,
  verifyBytes,
  type PublicJwk,
} from '../../../shared/push/protocol.js';
import { ApiError } from '../../api-error.js';
import type { ServerContext } from '../../context.js';
import { findPushDevice, rememberRequestNonce, type PushDeviceRow } from '../../store/repositories/push-devices.js';

/** A device request as the HTTP layer hands it over: the exact path and body bytes that were signed. */
export interface DeviceRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

const refuse = (reason: string, message: string) => new ApiError('invalid_signature', message, { reason });

/**
 * Checks a signed device request: the device exists and is not revoked, the time is within a minute
 * of ours, the signature over method, path, body hash, time and nonce is the device's, and the nonce
 * is new (remembered for 5 minutes, past the time window, so a captured request cannot be sent again).
 * Suspended and pending devices may ask what is pending (a pending one sees only its test approval).
 */
export async function authenticateDevice(ctx: ServerContext, request: DeviceRequest): Promise<PushDeviceRow> {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const deviceId = header(deviceHeaders.device);
  const time = Number(header(deviceHeaders.time));
  const nonce = header(deviceHeaders.nonce);
  const signature = header(deviceHeaders.signature);
  if (!deviceId || !nonce || !signature || !Number.isSafeInteger(time)) {
    throw refuse('missing', `A device request needs the ${Object.values(deviceHeaders).join(', ')} headers.`);
  }
  if (deviceId.length > 64 || nonce.length > 64 || signature.length > 128) throw refuse('malformed', 'The device headers are malformed.');
  const now = ctx.clock.now();
  if (Math.abs(time - now) > REQUEST_CLOCK_SKEW_MS) {
    throw refuse('clock_skew', "The device's clock is off by more than a minute. Set it to the right time and try again.");
  }
  const device = await findPushDevice(ctx.store.db, deviceId);
  // An unknown device and a wrong signature answer alike.
  const signed = requestSigningInput({
    method: request.method,
    path: request.url,
    bodyHash: await sha256Base64Url(request.rawBody),
    time,
    nonce,
  });
  if (!device || !(await verifyBytes(JSON.parse(device.public_jwk) as PublicJwk, signed, signature))) {
    throw refuse('bad_signature', 'The request is not signed by a known device.');
  }
  if (device.state === 'revoked')
    throw new ApiError('forbidden', 'This device was removed from the account. Enroll it again.', { deviceState: 'revoked' });
  if (!(await rememberRequestNonce(ctx.store.db, device.id, nonce, now))) {
    throw refuse('replayed', 'This request was already received.');
  }
  return device;
}
