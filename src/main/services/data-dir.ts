import { join } from 'node:path';

/**
 * Where the console keeps its settings (and, in Electron, Chromium's own profile): never a secret.
 * `MFA_DESK_CONSOLE_DATA_DIR` wins (tests, portable installs); otherwise the OS's per-user app data
 * folder, the same place Electron's `app.getPath('userData')` would choose for "MFA Desk".
 */
export function consoleDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (env.MFA_DESK_CONSOLE_DATA_DIR) return env.MFA_DESK_CONSOLE_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'MFA Desk');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'MFA Desk');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'MFA Desk');
}
