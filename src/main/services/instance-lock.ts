import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Another console (Electron or the browser host) already runs on this data directory. */
export class ConsoleAlreadyRunning extends Error {
  constructor(readonly pid: number, lockPath: string) {
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
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder && holder.host === hostname() && isAlive(holder.pid)) throw new ConsoleAlreadyRunning(holder.pid, path);
      rmSync(path, { force: true }); // stale: its process is gone (or the file is unreadable)
    }
  }
  throw new Error(`could not take the console lock ${path}`);
}

function readHolder(path: string): { pid: number; host: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
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
