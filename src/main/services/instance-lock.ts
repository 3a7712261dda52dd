import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Another console (Electron or the browser host) already runs on this data directory. */
export class ConsoleAlreadyRunning extends Error {
  constructor(
    readonly pid: number,
    lockPath: string,
  ) {
    super(`another MFA Desk console is already running (process ${pid}); use that one, or end it. (If it is gone, delete ${lockPath}.)`);
  }
}

/**
 * One console per data directory, whichever shell runs it. Two would share one keychain entry:
 * each rotates the refresh token the other holds, the next renewal presents a spent token, and the
 * server, rightly, takes that for theft and ends both sessions. Electron's single-instance lock
 * covers Electron only; this file covers the browser host too. A lock left by a process that died
 * is taken over.
 */
export function acquireInstanceLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'console.lock');
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') });
  // Written in full under a private name, then linked into place: the lock appears whole or not at
  // all, so a console starting at the same moment never reads a half-written (empty) one.
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(draft, path);
        return () => {
          if (readText(path) === mine) rmSync(path, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const seen = readText(path);
      if (seen === null) continue; // released meanwhile
      const holder = parseHolder(seen);
      if (holder && holder.host === hostname() && isAlive(holder.pid)) throw new ConsoleAlreadyRunning(holder.pid, path);
      // Stale (its process is gone, or the file is not ours to read): move it aside, and make sure
      // what was moved is what was judged stale; if another console took the lock in between, put
      // theirs back, and the next round finds it alive.
      const aside = `${path}.stale.${randomBytes(6).toString('hex')}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      if (readText(aside) !== seen) {
        try {
          linkSync(aside, path);
        } catch {
          // a third console holds it now; the next round sees that one
        }
      }
      rmSync(aside, { force: true });
    }
    throw new Error(`could not take the console lock ${path}; try again`);
  } finally {
    rmSync(draft, { force: true });
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseHolder(text: string): { pid: number; host: string } | null {
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host } : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
