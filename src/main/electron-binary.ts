import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronAvailability = { ok: true; executable: string } | { ok: false; reason: string };

/**
 * Whether this machine can run the Electron shell, and why not. Deliberately does not
 * `require('electron')`: that starts a download of the binary when it is missing, which hangs or
 * fails on machines without internet access (our build machines).
 */
export function findElectron(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronAvailability {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed (npm ci installs it)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile))
    return {
      ok: false,
      reason:
        'the Electron binary was never downloaded (node_modules/electron/dist is missing); run `npx install-electron` where the internet is reachable',
    };
  const executable = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(executable)) return { ok: false, reason: `the Electron binary is missing at ${executable}` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { ok: false, reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  // The binary can exist and still not run (missing shared libraries): ask it for its version.
  const probe = spawnSync(executable, ['--version'], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 15_000, encoding: 'utf8' });
  if (probe.status !== 0)
    return {
      ok: false,
      reason: `the Electron binary does not run: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0]}`,
    };
  return { ok: true, executable };
}
