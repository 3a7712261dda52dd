import type { ConsoleErrorBody, ConsoleErrorCode } from '../../shared/console-api.js';

/**
 * A failure the operator should hear about, with a stable code the renderer translates. `status` is
 * the HTTP status when the server answered, so callers can tell a 401 (refresh and retry) apart.
 */
export class ConsoleError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    readonly options: { status?: number; serverCode?: string; detail?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ConsoleError';
  }

  get status(): number | undefined {
    return this.options.status;
  }

  toBody(): ConsoleErrorBody {
    const detail = this.options.detail ?? this.options.serverCode;
    return { code: this.code, message: this.message, ...(detail ? { detail } : {}) };
  }
}

/** Anything thrown by a handler, as the envelope's error: unknown errors keep their text to main's log. */
export function toErrorBody(error: unknown): ConsoleErrorBody {
  if (error instanceof ConsoleError) return error.toBody();
  return { code: 'internal', message: 'Something went wrong inside the console.' };
}
