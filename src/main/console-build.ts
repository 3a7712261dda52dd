import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the console (`electron-vite build` into out/) when out/ is missing or older than the
 * sources, so `npm start` right after `npm ci` or an edit shows the current code.
 */
export function ensureConsoleBuild(repo: string, log: (line: string) => void): string {
  const out = join(repo, 'out');
  const sources = ['src/main', 'src/preload', 'src/renderer', 'src/shared', 'electron.vite.config.ts'].map((path) => join(repo, path));
  const newestSource = Math.max(
    ...sources.map((path) =>
      existsSync(path) && statSync(path).isDirectory() ? newestMtime(path) : existsSync(path) ? statSync(path).mtimeMs : 0,
    ),
  );
  const built = existsSync(join(out, 'renderer', 'index.html')) && existsSync(join(out, 'main', 'index.js'));
  if (!built || newestMtime(out) < newestSource) {
    log('building the console (electron-vite build)…');
    execFileSync(process.execPath, [join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: repo,
      stdio: 'inherit',
    });
  }
  return out;
}
