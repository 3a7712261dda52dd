import { ApiError } from '../api-error.js';
import type { SecretBox } from '../crypto/secret-box.js';

/**
 * Opaque page cursors: the sort key of the last row read, [number, id], sealed (AES-256-GCM) to the
 * list and the operator it was given to. Sealed, because a search cut short at its bound points past
 * the last row it *read*, which may be another tenant's user: a tenant admin must not be able to
 * decode another company's user id and creation time out of it. Bound to the operator, because a
 * cursor is nobody else's business. Anything else a client sends back is refused with a clear 400.
 */
export function encodeCursor(secrets: SecretBox, scope: string, key: number, id: string): string {
  const sealed = secrets.seal(JSON.stringify([key, id]), `cursor:${scope}`);
  return Buffer.from(sealed.slice(sealed.indexOf(':') + 1), 'base64').toString('base64url');
}

export function decodeCursor(secrets: SecretBox, scope: string, cursor: string | undefined): { key: number; id: string } | null {
  if (!cursor) return null;
  try {
    const plain = secrets.open(`v1:${Buffer.from(cursor, 'base64url').toString('base64')}`, `cursor:${scope}`);
    const [key, id] = JSON.parse(plain) as unknown[];
    if (typeof key === 'number' && Number.isSafeInteger(key) && typeof id === 'string' && id.length <= 64 && !id.includes('\u0000'))
      return { key, id };
  } catch {
    // refused below
  }
  throw new ApiError('invalid_request', 'The cursor is not one this server gave out.');
}
