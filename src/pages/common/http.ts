/**
 * JSON calls from the pages. Every failure becomes an `ApiFailure` carrying the server's stable
 * error code (the pages switch on it, never on the English message) and any details it sent
 * (attemptsLeft, lockedUntil, ...); a network failure has status 0 and code `network`.
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Anything thrown, as an ApiFailure (a bug in the page itself reads as `client_error`). */
export function asFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, 'client_error', error instanceof Error ? error.message : String(error));
}

export async function readAnswer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const record = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const code = typeof record.error === 'string' ? record.error : `http_${response.status}`;
    const message = typeof record.message === 'string' ? record.message : response.statusText;
    throw new ApiFailure(response.status, code, message, record);
  }
  if (body === undefined) throw new ApiFailure(response.status, 'invalid_answer', 'The server answered something that is not JSON.');
  return body as T;
}

/** fetch, with a network failure turned into an ApiFailure. */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new ApiFailure(0, 'network', error instanceof Error ? error.message : String(error));
  }
}

export async function callJson<T>(url: string, init: { method: string; body?: unknown; headers?: Record<string, string> }): Promise<T> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const response = await send(url, {
    method: init.method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body,
  });
  return readAnswer<T>(response);
}
