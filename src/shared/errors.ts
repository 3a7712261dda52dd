/**
 * Stable error codes of the HTTP API. Clients (the console, integrators, tests) switch on `error`,
 * never on `message`; a code, once shipped, keeps its meaning and its status.
 */
export const errorStatus = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_code: 400,
  invalid_phone: 400,
  method_not_available: 400,
  /** A break-up's people have problems (each line's are in `members`): nothing was created. */
  invalid_members: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  /** A push device's request or answer whose signature, time or nonce does not check out. */
  invalid_signature: 401,
  step_up_required: 403,
  forbidden: 403,
  not_found: 404,
  unknown_tenant: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  /** An OpenID sign-in step for a browser that did not start it, or that has ended (the portal must start again). */
  interaction_expired: 410,
  already_enrolled: 409,
  enrollment_incomplete: 409,
  phone_change_via_support: 409,
  challenge_expired: 410,
  link_expired: 410,
  /** The code is from a printed enrollment sheet that has expired (or was replaced by a newer sheet). */
  sheet_expired: 410,
  /** The code is from a printed enrollment sheet an administrator voided. */
  sheet_voided: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  sms_country_not_allowed: 422,
  account_locked: 423,
  too_many_attempts: 429,
  sms_limit_reached: 429,
  headers_too_large: 431,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** The body of every error answer. Extra fields (attemptsLeft, lockedUntil, ...) ride alongside. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}
