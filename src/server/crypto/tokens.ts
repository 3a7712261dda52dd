import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** An opaque bearer secret (session, device, enrollment, link): 32 random bytes, base64url. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newId(): string {
  return randomUUID();
}

/**
 * SHA-256 for high-entropy secrets we only need to recognise again (tokens, recovery codes of >= 112
 * bits). A fast hash is right here: nobody can brute-force 2^112 (OWASP ASVS 5.0 6.5.2).
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
