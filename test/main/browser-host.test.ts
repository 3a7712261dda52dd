import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeSecretHeader, launchCodeHeader, startBrowserHost, type BrowserHost } from '../../src/main/browser-host.js';
import { consoleChannels, type ConsoleHandlers } from '../../src/shared/console-api.js';
import { tempDataDir } from './console-fixtures.js';

/** Raw HTTP (not fetch), so the test can send the Host and Origin headers an attacker's page would. */
function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

describe('browser host: the renderer and the bridge over loopback HTTP', () => {
  const renderer = tempDataDir();
  let host: BrowserHost;
  let port: number;
  let secret: string;
  let launchCode: string;
  const calls: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(renderer.dir, 'assets'));
    writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(renderer.dir, 'assets', 'app.js'), 'console.log(1)');
    const handlers = Object.fromEntries(
      consoleChannels.map((channel) => [channel, async (input: unknown) => (calls.push(channel), input)]),
    ) as unknown as ConsoleHandlers;
    handlers['links:openExternal'] = async () => ({ opened: false });
    handlers['sheets:renderPdf'] = async () => ({ pdfBase64: 'JVBERg==', bytes: 4 });
    host = await startBrowserHost({ handlers, rendererDir: renderer.dir, log: () => {} });
    port = Number(new URL(host.origin).port);
    launchCode = new URL(host.launchUrl).hash.replace('#launch=', '');
    const traded = await handshake(launchCode);
    expect(traded.status).toBe(200);
    secret = (JSON.parse(traded.body) as { secret: string }).secret;
  });
  afterAll(async () => {
    await host.close();
    renderer.remove();
  });

  const own = () => ({
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    'content-type': 'application/json',
    [bridgeSecretHeader]: secret,
  });
  const handshake = (code: string, extra: Record<string, string> = {}) =>
    send(port, {
      method: 'POST',
      path: '/bridge-handshake',
      headers: {
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        'content-type': 'application/json',
        [launchCodeHeader]: code,
        ...extra,
      },
      body: '{}',
    });
  const bridgeCall = (headers: Record<string, string>, body = '{"url":"https://x.test"}') =>
    send(port, { method: 'POST', path: '/bridge/links:openExternal', headers, body });

  it('serves the renderer with the strict CSP; the launch URL carries a single-use code, never the secret', async () => {
    expect(host.launchUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#launch=[A-Za-z0-9_-]{43}$`));
    expect(host.launchUrl).not.toContain(secret);
    expect((await handshake('x'.repeat(43))).status).toBe(401);
    expect((await handshake(launchCode, { origin: 'http://evil.test' })).status).toBe(403);
    const page = await send(port, { path: '/', headers: { host: `127.0.0.1:${port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await send(port, { path: '/assets/app.js', headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('answers a bridge call from its own page', async () => {
    const answer = await bridgeCall(own());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { opened: false } });
    const viaLocalhost = await bridgeCall({ ...own(), host: `localhost:${port}`, origin: `http://localhost:${port}` });
    expect(JSON.parse(viaLocalhost.body)).toEqual({ ok: true, value: { opened: false } });
  });

  it('a launch code traded twice locks the bridge for both: the secret already handed out dies too', async () => {
    const other = await startBrowserHost({ handlers: {} as ConsoleHandlers, rendererDir: renderer.dir, log: () => {} });
    try {
      const otherPort = Number(new URL(other.origin).port);
      const code = new URL(other.launchUrl).hash.replace('#launch=', '');
      const trade = () =>
        send(otherPort, {
          method: 'POST',
          path: '/bridge-handshake',
          headers: {
            host: `127.0.0.1:${otherPort}`,
            origin: `http://127.0.0.1:${otherPort}`,
            'content-type': 'application/json',
            [launchCodeHeader]: code,
          },
          body: '{}',
        });
      const first = await trade();
      expect(first.status).toBe(200);
      const traded = (JSON.parse(first.body) as { secret: string }).secret;
      const call = () =>
        send(otherPort, {
          method: 'POST',
          path: '/bridge/links:openExternal',
          headers: {
            host: `127.0.0.1:${otherPort}`,
            origin: `http://127.0.0.1:${otherPort}`,
            'content-type': 'application/json',
            [bridgeSecretHeader]: traded,
          },
          body: '{"url":"https://x.test"}',
        });
      expect((await call()).status).not.toBe(401);
      // Someone who read the URL from Chromium's command line trades it too (or the page, second).
      expect((await trade()).status).toBe(410);
      expect((await call()).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('gives a DNS-rebinding Host nothing, not even the page', async () => {
    for (const name of [`evil.test:${port}`, `127.0.0.1.nip.io:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`]) {
      expect((await send(port, { path: '/', headers: { host: name } })).status).toBe(403);
      expect((await bridgeCall({ ...own(), host: name, origin: `http://${name}` })).status).toBe(403);
    }
  });

  it('refuses a bridge call from another origin, a cross-site fetch, a preflight, a wrong or missing secret, a form post', async () => {
    const before = calls.length;
    expect((await bridgeCall({ ...own(), origin: 'https://evil.test' })).status).toBe(403);
    expect((await bridgeCall({ ...own(), origin: `http://localhost:${port}` })).status).toBe(403); // Origin must match Host
    expect((await bridgeCall({ ...own(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await bridgeCall(without(own(), 'origin'))).status).toBe(403);
    expect(
      (await send(port, { method: 'OPTIONS', path: '/bridge/session:status', headers: { host: own().host, origin: 'https://evil.test' } }))
        .status,
    ).toBe(405);
    expect((await bridgeCall({ ...own(), [bridgeSecretHeader]: 'guess' })).status).toBe(401);
    expect((await bridgeCall(without(own(), bridgeSecretHeader))).status).toBe(401);
    expect((await bridgeCall({ ...own(), 'content-type': 'application/x-www-form-urlencoded' }, 'url=x')).status).toBe(415);
    expect(calls.length).toBe(before);
  });

  it('validates the channel and the argument like IPC does, and serves nothing outside the build', async () => {
    expect(JSON.parse((await send(port, { method: 'POST', path: '/bridge/shell:exec', headers: own(), body: '{}' })).body)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(
      JSON.parse((await send(port, { method: 'POST', path: '/bridge/users:get', headers: own(), body: '{"id":5}' })).body),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x', '/.env']) {
      expect((await send(port, { path, headers: { host: own().host } })).status).toBe(404);
    }
  });

  it('answers a malformed %-escape in a bridge path with 400, and calls nothing', async () => {
    const before = calls.length;
    for (const path of ['/bridge/%E0%A4%A', '/bridge/links%3AopenExternal%', '/bridge/%zz']) {
      const answer = await send(port, { method: 'POST', path, headers: own(), body: '{"url":"https://x.test"}' });
      expect(answer.status, path).toBe(400);
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer.body).not.toContain(path.slice('/bridge/'.length));
    }
    // Still refused for a caller without the secret, before the path is even looked at.
    expect(
      (await send(port, { method: 'POST', path: '/bridge/%zz', headers: without(own(), bridgeSecretHeader), body: '{}' })).status,
    ).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('answers a body over 64 KB with 413 that the client receives, and keeps serving', async () => {
    const before = calls.length;
    const oversize = JSON.stringify({ url: `https://x.test/${'a'.repeat(100 * 1024)}` });
    // fetch (undici) writes the whole body before it reads; a server that hangs up mid-body fails it.
    const viaFetch = await fetch(`${host.origin}/bridge/links:openExternal`, {
      method: 'POST',
      headers: without(own(), 'host'),
      body: oversize,
    });
    expect(viaFetch.status).toBe(413);
    expect(viaFetch.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await viaFetch.text()).toBe('too large');
    // node:http, in chunks without a Content-Length, the way a stream would come.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/bridge/links:openExternal', headers: own() }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(calls.length).toBe(before);
    // Exactly 64 KB is still taken.
    const atLimit = JSON.stringify({ url: 'https://x.test/' }).replace('/"', `/${'a'.repeat(64 * 1024 - 25)}"`);
    expect(Buffer.byteLength(atLimit)).toBe(64 * 1024);
    expect((await bridgeCall(own(), atLimit)).status).toBe(200);
  });

  it("takes the print preview's document (fonts and QR codes inline) only on sheets:renderPdf", async () => {
    const document = JSON.stringify({ html: `<p>${'x'.repeat(2 * 1024 * 1024)}</p>`, paper: 'a4' });
    const pdf = await fetch(`${host.origin}/bridge/sheets:renderPdf`, { method: 'POST', headers: without(own(), 'host'), body: document });
    expect(pdf.status).toBe(200);
    expect(await pdf.json()).toEqual({ ok: true, value: { pdfBase64: 'JVBERg==', bytes: 4 } });
    // Every other channel keeps its 64 KB.
    const large = JSON.stringify({ id: 'u', members: [{ name: 'x'.repeat(200 * 1024), email: 'a@b.test' }] });
    const other = await fetch(`${host.origin}/bridge/breakups:check`, { method: 'POST', headers: without(own(), 'host'), body: large });
    expect(other.status).toBe(413);
  });
});
