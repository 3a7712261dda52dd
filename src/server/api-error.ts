import { errorStatus, type ErrorCode } from '../shared/errors.js';

/** A refusal the client should see: a stable code, a sentence for humans, and details. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Sent as the Retry-After header of a 429 (RFC 9110 10.2.3). */
    readonly http: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}
