import { errorStatus, type ErrorCode } from '../shared/errors.js';

/** A refusal the client should see: a stable code, a sentence for humans, and details. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}
