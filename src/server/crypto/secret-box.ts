import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets the server must read back (TOTP seeds). The ciphertext is bound to a
 * context (the owner's id) as additional data, so a row copied onto another user fails to decrypt.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #macKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.#key = key;
    // A separate key for MACs, derived so one key file still suffices (HKDF, RFC 5869).
    this.#macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'mfa-desk code mac v1', 32));
  }

  /**
   * Keyed hash of a low-entropy secret (a 6-digit SMS code): without the server key, a copy of the
   * database does not let anyone try all million codes offline.
   */
  mac(value: string): string {
    return createHmac('sha256', this.#macKey).update(value).digest('hex');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string, context: string): string {
    const [version, payload] = sealed.split(':');
    if (version !== VERSION || !payload) throw new Error('unknown secret format');
    const raw = Buffer.from(payload, 'base64');
    // The full 16-byte tag only: sealed text can come back from clients (page cursors), and GCM would
    // otherwise accept a truncated tag, which is far easier to forge.
    if (raw.length < 28) throw new Error('sealed text too short');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
