import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleAlreadyRunning, acquireInstanceLock } from '../../src/main/services/instance-lock.js';
import { tempDataDir } from './console-fixtures.js';

/** One console per data directory, whether it runs in Electron or through the browser host. */
describe('console instance lock', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('refuses a second console on the same data directory, and lets one start after the first closes', () => {
    const release = acquireInstanceLock(data.dir);
    expect(() => acquireInstanceLock(data.dir)).toThrow(ConsoleAlreadyRunning);
    expect(() => acquireInstanceLock(data.dir)).toThrow(/already running \(process \d+\)/);
    release();
    expect(existsSync(join(data.dir, 'console.lock'))).toBe(false);
    acquireInstanceLock(data.dir)();
  });

  it('takes over a lock left by a process that is gone, or an unreadable one', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(data.dir, 'console.lock'), JSON.stringify({ pid: Number(gone.stdout), host: hostname() }));
    acquireInstanceLock(data.dir)();
    writeFileSync(join(data.dir, 'console.lock'), 'not json');
    acquireInstanceLock(data.dir)();
  });

  it('lets exactly one of several consoles starting at once take it, even over a stale lock', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(data.dir, 'console.lock'), JSON.stringify({ pid: Number(gone.stdout), host: hostname() }));
    const startAt = String(Date.now() + 5000);
    const run = () =>
      promisify(execFile)(process.execPath, ['bin/run-ts.mjs', 'test/main/fixtures/take-lock.ts'], {
        encoding: 'utf8',
        env: { ...process.env, LOCK_DIR: data.dir, START_AT: startAt },
      });
    const outcomes = (await Promise.all(Array.from({ length: 6 }, run))).map((child) => child.stdout.trim());
    expect(
      outcomes.filter((o) => o === 'won'),
      outcomes.join(', '),
    ).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
  });
});
