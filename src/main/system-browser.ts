import { spawn } from 'node:child_process';

/**
 * Opens a URL in the operator's default browser without Electron (the browser host's
 * `links:openExternal`). Callers check the allow-list first (trusted-url.ts); the URL is passed as
 * one argument, never through a shell, except on Windows where `start` is a cmd built-in.
 */
export function openInSystemBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/[&^|<>]/g, '^$&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
