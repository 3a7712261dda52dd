import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * A file of the renderer build for a URL path, or null: only files inside `root`, only known
 * types, no dot-files. "/" is index.html. Used by Electron's app:// protocol and the browser host.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<{ body: Buffer; contentType: string } | null> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return null;
  const absoluteRoot = normalize(root + sep);
  const file = normalize(join(absoluteRoot, path));
  if (!file.startsWith(absoluteRoot)) return null;
  const contentType = contentTypes[extname(file)];
  if (!contentType) return null;
  try {
    if (!(await stat(file)).isFile()) return null;
    return { body: await readFile(file), contentType };
  } catch {
    return null;
  }
}
