import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE_NAME = 'mfa-desk.key';

/**
 * The key that encrypts TOTP secrets: MFA_DESK_KEY (base64, 32 bytes) when set, else a key file in the
 * data directory, created 0600 on first run. Several instances must share the same key (set the env).
 */
export function loadEncryptionKey(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv) return decodeKey(fromEnv, 'MFA_DESK_KEY');
  const path = join(dataDir, KEY_FILE_NAME);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(path, 0o600);
  }
  return decodeKey(readFileSync(path, 'utf8').trim(), path);
}

function decodeKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`${source} must hold a base64-encoded 32-byte key`);
  return key;
}
