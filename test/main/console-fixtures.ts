import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import { createOperator } from '../../src/server/flows/operators.js';
import { keychainAccount, keychainService } from '../../src/main/services/credential-store.js';
import type { TestServer } from '../support/test-server.js';

/**
 * What the console tests share: operators with their authenticator, the Secret Service seen from
 * outside (secret-tool, as an admin would look), and a search of the console's data directory.
 */

export interface TestOperator {
  email: string;
  password: string;
  name: string;
  /** The next code the operator's authenticator app would accept: a fresh 30 s step each time (replay protection). */
  nextCode(): Promise<string>;
}

/** An operator made directly on the server, with a TOTP secret the test holds like an authenticator app. */
export async function addOperator(
  server: TestServer,
  role: 'support' | 'tenant_admin' | 'auditor' = 'support',
  tenantSlugs?: string[],
): Promise<TestOperator> {
  const email = `op-${randomBytes(4).toString('hex')}@desk.test`;
  const name = `Operator ${email.slice(3, 7)}`;
  const created = await createOperator(server.ctx, { email, name, role, tenantSlugs, password: `pw-${randomBytes(12).toString('hex')}` });
  const secret = created.totpSecret;
  let lastStep = 0;
  return {
    email,
    name,
    password: created.password!,
    async nextCode() {
      // The server accepts the current step and one either side, each once: use the current step, or
      // the next one if the current was used; wait if even that is taken.
      for (;;) {
        const current = Math.floor(Date.now() / 30_000);
        const step = Math.max(current, lastStep + 1);
        if (step <= current + 1) {
          lastStep = step;
          return generateSync({ secret, epoch: step * 30 });
        }
        await new Promise((resolve) => setTimeout(resolve, (current + 1) * 30_000 - Date.now() + 50));
      }
    },
  };
}

/** The refresh token as the OS keychain holds it, read with libsecret's own CLI; null when there is none. */
export function keychainLookup(serverUrl: string, email: string): string | null {
  const result = spawnSync('secret-tool', ['lookup', 'service', keychainService, 'account', keychainAccount(serverUrl, email)], {
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return result.status === 0 && result.stdout ? result.stdout.trim() : null;
}

/** Fails loudly (not a skip) when the tests run without a Secret Service. */
export function assertPrivateKeyring(): void {
  try {
    execFileSync('secret-tool', ['search', 'service', 'mfa-desk-probe'], { stdio: 'pipe' });
  } catch (error) {
    const status = (error as { status?: number }).status;
    // search exits 1 with no output when nothing matches: that is a working keychain.
    if (status === 1 && process.env.DBUS_SESSION_BUS_ADDRESS) return;
    throw new Error(
      'These tests need a Secret Service (gnome-keyring on a D-Bus session). Run them through `bash scripts/with-private-keyring.sh npx vitest run ...`.',
    );
  }
}

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-desk-console-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (recursively) whose bytes contain any of `needles`. */
export function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      const stats = statSync(full);
      if (stats.isDirectory()) walk(full);
      else if (stats.isFile()) {
        const bytes = readFileSync(full);
        if (needles.some((needle) => bytes.includes(needle) || bytes.includes(Buffer.from(needle, 'utf16le')))) hits.push(full);
      }
    }
  };
  walk(dir);
  return hits;
}

/** Every file under `dir`, relative paths: a search over an empty folder would prove nothing. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (path: string, prefix: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${entry}/`);
      else files.push(`${prefix}${entry}`);
    }
  };
  walk(dir, '');
  return files;
}
