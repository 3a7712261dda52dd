import { ApiError } from '../api-error.js';

/**
 * Opaque page cursors: the sort key of the last item of the previous page, as base64url JSON
 * [number, id]. Anything else a client sends back is refused with a clear 400.
 */
export function encodeCursor(key: number, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { key: number; id: string } | null {
  if (!cursor) return null;
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof key === 'number' && Number.isSafeInteger(key) && typeof id === 'string' && id.length <= 64 && !id.includes('\u0000')) return { key, id };
  } catch {
    // refused below
  }
  throw new ApiError('invalid_request', 'The cursor is not one this server gave out.');
}
