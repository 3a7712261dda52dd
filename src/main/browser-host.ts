import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleHandlers } from '../shared/console-api.js';
import { securityHeaders } from './content-security.js';
import { dispatch } from './services/dispatch.js';
import { readStaticFile } from './static-files.js';

/**
 * The console without Electron: plain Node serving the renderer build and the same handler table
 * over loopback HTTP (POST /bridge/<channel>). What guards it:
 * - it listens on 127.0.0.1 only;
 * - the Host header must be 127.0.0.1:<port> or localhost:<port>, so a DNS-rebinding name that
 *   resolves to 127.0.0.1 gets a 403 for every path;
 * - a bridge call must come from the page's own origin (Origin header, and Sec-Fetch-Site where the
 *   browser sends it), with a JSON body: no form post or cross-site fetch can reach a handler;
 * - and it must carry the per-launch secret in a header. The secret itself is never in a URL: the
 *   launch URL carries a single-use launch code in its fragment (#launch=...; browsers never send a
 *   fragment to a server nor in a Referer). The page trades the code once for the secret
 *   (POST /bridge-handshake), keeps the secret in sessionStorage (scoped to scheme, host and port)
 *   and clears the fragment. A URL passed on a command line is readable by other local users
 *   (/proc/<pid>/cmdline). Whoever trades the code second gets 410, and the secret is then replaced,
 *   so a reader who was quicker than the page holds a dead secret too (the operator restarts).
 */
export interface BrowserHostOptions {
  handlers: ConsoleHandlers;
  /** The renderer build (out/renderer). */
  rendererDir: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default a fresh 256-bit random secret */
  secret?: string;
  log?: (line: string) => void;
}

export interface BrowserHost {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The URL to open: origin plus the single-use launch code in the fragment. */
  launchUrl: string;
  close(): Promise<void>;
}

export const bridgeSecretHeader = 'x-mfa-desk-bridge';
export const launchCodeHeader = 'x-mfa-desk-launch';
const maxBodyBytes = 64 * 1024;
const maxDrainBytes = 16 * maxBodyBytes;
/**
 * The one call that carries a document: the print preview's sheets, fonts and QR codes inline
 * (the contract allows 20 million characters of markup; JSON escaping adds to that).
 */
const bodyLimits: Readonly<Partial<Record<string, number>>> = { 'sheets:renderPdf': 24 * 1024 * 1024 };

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  let secret = Buffer.from(options.secret ?? randomBytes(32).toString('base64url'));
  const launchCode = Buffer.from(randomBytes(32).toString('base64url'));
  let launchCodeSpent = false;
  const log = options.log ?? ((line: string) => console.error(line));
  let allowedHosts: string[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`[browser-host] ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'error');
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts.includes(request.headers.host ?? '')) return send(response, 403, 'text/plain; charset=utf-8', 'forbidden');
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/bridge-handshake') return handshake(request, response);
    if (path.startsWith('/bridge/')) return bridge(request, response, path.slice('/bridge/'.length));
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed');
    const file = await readStaticFile(options.rendererDir, path);
    if (!file) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
    send(
      response,
      200,
      file.contentType,
      request.method === 'HEAD' ? '' : file.body,
      file.contentType.startsWith('text/html') ? { 'cache-control': 'no-store' } : {},
    );
  }

  /** No CORS, ever: a POST from the page's own origin or nothing (a preflight gets 405, so its request is never sent). */
  function refuseForeign(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST') return (send(response, 405, 'text/plain; charset=utf-8', 'method not allowed'), true);
    const site = request.headers['sec-fetch-site'];
    if (request.headers.origin !== `http://${request.headers.host ?? ''}` || (site !== undefined && site !== 'same-origin'))
      return (send(response, 403, 'text/plain; charset=utf-8', 'forbidden'), true);
    return false;
  }

  /** The launch code, once, for the secret. */
  async function handshake(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (refuseForeign(request, response)) return;
    if (!matches(request.headers[launchCodeHeader], launchCode))
      return send(response, 401, 'text/plain; charset=utf-8', 'missing or wrong launch code');
    if (launchCodeSpent) {
      // Two pages traded one code: one of them read it where it should not have (another local user
      // watching Chromium's command line can be quicker than the page). Which one is ours is
      // unknowable, so neither keeps the bridge: the secret is replaced and the operator told.
      secret = Buffer.from(randomBytes(32).toString('base64url'));
      log(
        '[browser-host] the launch link was used twice: another program on this computer may have read it. The console is locked; restart it for a new link.',
      );
      return send(response, 410, 'text/plain; charset=utf-8', 'this launch link was already used; restart the console for a new one');
    }
    launchCodeSpent = true;
    send(response, 200, 'application/json', JSON.stringify({ secret: secret.toString() }));
  }

  async function bridge(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    if (refuseForeign(request, response)) return;
    if (!matches(request.headers[bridgeSecretHeader], secret))
      return send(response, 401, 'text/plain; charset=utf-8', 'missing or wrong bridge secret');
    if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
      return send(response, 415, 'text/plain; charset=utf-8', 'JSON only');
    const name = decodeOrNull(channel);
    if (name === null) return send(response, 400, 'text/plain; charset=utf-8', 'malformed %-escape in the path');
    const raw = await readBody(request, bodyLimits[name] ?? maxBodyBytes);
    if (raw === null) return send(response, 413, 'text/plain; charset=utf-8', 'too large');
    let input: unknown;
    try {
      input = raw.length ? JSON.parse(raw) : {};
    } catch {
      return send(response, 400, 'text/plain; charset=utf-8', 'invalid JSON');
    }
    const answer = await dispatch(options.handlers, name, input, log);
    send(response, 200, 'application/json', JSON.stringify(answer));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    launchUrl: `${origin}/#launch=${launchCode.toString()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function matches(presented: string | string[] | undefined, expected: Buffer): boolean {
  const given = Buffer.from(String(presented ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  response.writeHead(status, { ...securityHeaders, 'content-type': contentType, 'cache-control': 'no-store', ...extra });
  response.end(body);
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The body, or null when it is over `limit`. An oversize body is still read to its end (and
 * dropped) before the 413: a server that stops reading and answers while the client is still
 * sending ends up resetting the connection, and fetch then reports "other side closed" instead
 * of the status. Only past maxDrainBytes, a client no page of ours would be, does it hang up.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  const drain = Math.max(maxDrainBytes, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > drain) {
        resolve(null);
        request.destroy();
      } else if (size <= limit) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
