import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { consoleLocale } from '../../shared/console-api.js';

/**
 * The console's settings file: which server, who signed in last (to pre-fill the email and to find
 * the keychain entry), UI preferences. By design it has no field that could hold a secret; the
 * schema strips anything else on every read and write.
 */
export const consoleSettings = z.object({
  serverUrl: z.string().nullable().catch(null),
  lastEmail: z.string().nullable().catch(null),
  locale: consoleLocale.nullable().catch(null),
});
export type ConsoleSettings = z.infer<typeof consoleSettings>;

const empty: ConsoleSettings = { serverUrl: null, lastEmail: null, locale: null };

export interface SettingsStore {
  read(): ConsoleSettings;
  update(change: Partial<ConsoleSettings>): ConsoleSettings;
}

export function createSettingsStore(dataDir: string): SettingsStore {
  const file = join(dataDir, 'settings.json');
  let current: ConsoleSettings | undefined;
  const load = (): ConsoleSettings => {
    try {
      return consoleSettings.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // Missing or damaged: start from nothing rather than refuse to start.
      return { ...empty };
    }
  };
  return {
    read: () => (current ??= load()),
    update(change) {
      const next = consoleSettings.parse({ ...(current ??= load()), ...change });
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      // Write-then-rename: a crash mid-write leaves the old file, never half a file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
      current = next;
      return next;
    },
  };
}
