import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEncryptionKey } from '../../../src/server/crypto/key-file.js';
import { SecretBox } from '../../../src/server/crypto/secret-box.js';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(box.seal('same', 'u')).not.toBe(box.seal('same', 'u'));
  });

  it('refuses a secret moved to another user, tampered with, or sealed with another key', () => {
    const sealed = box.seal('secret', 'user-1');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`, 'user-1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'user-1')).toThrow();
  });
});

describe('the key file', () => {
  it('is created 0600 on first run and reused after', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mfa-key-')), 'nested');
    const key = loadEncryptionKey(dir, undefined);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, 'mfa-desk.key')).mode & 0o777).toBe(0o600);
    expect(loadEncryptionKey(dir, undefined).equals(key)).toBe(true);
  });

  it('prefers MFA_DESK_KEY and rejects a key of the wrong length', () => {
    const env = randomBytes(32).toString('base64');
    expect(loadEncryptionKey('/nonexistent', env).toString('base64')).toBe(env);
    expect(() => loadEncryptionKey('/nonexistent', randomBytes(16).toString('base64'))).toThrow(/32-byte/);
  });
});
