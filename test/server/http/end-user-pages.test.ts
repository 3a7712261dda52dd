import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../src/server/http/pages/end-user-pages.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * The end-user pages as a browser receives them: the authenticator PWA at /authenticator/, the
 * hosted sign-in at /sign-in, the account page at /account/, the invitation page at /invitation/
 * and the phone reset link's page at /phone-reset/{token}, their bundles built by esbuild on first
 * request, and the headers that keep them to this origin. The pages touch no database: one dialect
 * is enough.
 */
describe('the end-user pages (authenticator PWA, hosted sign-in, account, invitation, phone reset)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.baseUrl}${path}`, { headers, redirect: 'manual' });

  function expectSecurityHeaders(response: Response): void {
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  }

  it('states the policy the pages were written for: nothing inline, nothing from elsewhere', () => {
    expect(contentSecurityPolicy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; manifest-src 'self'; " +
        "worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it.each([
    ['/authenticator/', ['app.js', 'styles.css', 'manifest.webmanifest', 'icon.svg']],
    ['/sign-in', ['sign-in/app.js', 'sign-in/styles.css']],
    ['/invitation/', ['app.js', 'styles.css']],
    // The account page is the sign-in's bundle in its third mode, with its own stylesheet.
    ['/account/', ['../sign-in/app.js', 'styles.css']],
    // The link support emails: the token in the path, the page's files beside it (/phone-reset/app.js).
    [`/phone-reset/${'A'.repeat(43)}`, ['app.js', 'styles.css']],
  ])('%s is HTML that is never cached, under the strict policy, with no inline script or style', async (path, assets) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBeNull();
    expectSecurityHeaders(response);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    // Every script has a src, there is no <style> element, no style= or on...= attribute, and every
    // referenced file is relative (this origin, and a path prefix in front of the server still works).
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/);
    const referenced = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(referenced.sort()).toEqual([...assets, ...(path === '/authenticator/' ? ['icon.svg', 'icon.svg'] : [])].sort());
    // The labels of live regions are there from the start, so messages are announced.
    expect(html).toContain('role="status"');
    expect(html).toContain('role="alert"');
  });

  it.each([
    ['/authenticator/app.js', ['x-mfadesk-signature', '/v1/push/pending', '/v1/push/events', 'indexedDB', 'mfadesk-push-v1']],
    ['/authenticator/service-worker.js', ['showNotification', 'notificationclick', 'Anmeldeanfrage']],
    [
      '/sign-in/app.js',
      ['/v1/auth/login', 'EventSource', '/events', 'Logg inn', '/v1/me/recovery-codes', '/v1/me/password', '/v1/me/devices', 'Ihr Konto'],
    ],
    ['/phone-reset/app.js', ['/v1/phone-reset/', '/confirm', 'Registrer nytt telefonnummer', 'Neue Handynummer festlegen']],
    [
      '/invitation/app.js',
      [
        '/v1/invitations/inspect',
        '/v1/invitations/accept',
        '/v1/enroll/totp',
        '/v1/enroll/phone',
        'Gjenopprettingskoder',
        'Wiederherstellungscodes',
      ],
    ],
  ])('%s is bundled: one self-contained classic-compatible script with the protocol and the three languages', async (path, needles) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(response);
    const code = await response.text();
    for (const needle of needles) expect(code).toContain(needle);
    // No import or export left: the bundle stands alone, and parses as a classic script too (a
    // service worker registered without type: 'module' works in every browser).
    expect(() => new Script(code, { filename: path })).not.toThrow();
    // Only zod's types are imported by the pages: its runtime stays out of the bundles.
    expect(code).not.toContain('ZodError');
    // The source stays out: no TypeScript-only syntax reached the browser, and no source path.
    expect(code).not.toContain('src/pages');
  });

  it('the service worker may control the app folder, and nothing wider', async () => {
    const response = await get('/authenticator/service-worker.js');
    expect(response.headers.get('service-worker-allowed')).toBe('/authenticator/');
    expect((await get('/authenticator/app.js')).headers.get('service-worker-allowed')).toBeNull();
  });

  it('the manifest makes the app installable: name, standalone, its folder as start and scope, the icon', async () => {
    const response = await get('/authenticator/manifest.webmanifest');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    expectSecurityHeaders(response);
    const manifest = (await response.json()) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'MFA Desk Authenticator', display: 'standalone', start_url: './', scope: './' });
    expect(manifest.icons).toContainEqual(expect.objectContaining({ src: 'icon.svg', type: 'image/svg+xml' }));

    const icon = await get('/authenticator/icon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expectSecurityHeaders(icon);
    const svg = await icon.text();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|\bon[a-z]+=|href=/i);
  });

  it('the invitation page builds no markup from text and keeps its tokens in memory: no innerHTML, no storage, the QR code as a data: image', async () => {
    const code = await (await get('/invitation/app.js')).text();
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(code).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
    expect(code).toContain('data:image/svg+xml;base64,');
    expect(code).toContain('history.replaceState');
  });

  it('the account page and the phone reset page keep their tokens in memory and build no markup from text', async () => {
    for (const path of ['/sign-in/app.js', '/phone-reset/app.js']) {
      const code = await (await get(path)).text();
      expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      expect(code).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
    }
  });

  it('the old hand-written phone reset page is gone: its script is no longer served', async () => {
    expect((await get('/assets/phone-reset.js')).status).toBe(404);
    // The link keeps its shape, so links already emailed open the new page: never stored, no Referer.
    const page = await get(`/phone-reset/${'b'.repeat(43)}`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('src="app.js"');
  });

  it.each(['/authenticator/styles.css', '/sign-in/styles.css', '/invitation/styles.css', '/account/styles.css', '/phone-reset/styles.css'])(
    '%s carries the shared look and both colour schemes',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expectSecurityHeaders(response);
      const css = await response.text();
      expect(css).toContain('prefers-color-scheme: dark');
      expect(css).toContain(':focus-visible');
      expect(css).not.toMatch(/@import|url\(\s*['"]?https?:/);
    },
  );

  it('scripts and styles are revalidated by ETag: an unchanged file answers 304 without a body', async () => {
    for (const path of ['/authenticator/app.js', '/sign-in/styles.css', '/authenticator/icon.svg', '/invitation/app.js']) {
      const first = await get(path);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      const again = await get(path, { 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect((await get(path, { 'if-none-match': '"something-else"' })).status).toBe(200);
    }
  });

  it.each(['/authenticator', '/invitation', '/account'])(
    '%s without its slash is sent to its folder (the page resolves its files relative to it)',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(308);
      expect(new URL(response.headers.get('location')!, `${server.baseUrl}${path}`).pathname).toBe(`${path}/`);
      expectSecurityHeaders(response);
    },
  );

  it('/account?tenant=acme keeps its organisation on the way to /account/', async () => {
    const response = await get('/account?tenant=acme');
    expect(response.status).toBe(308);
    const to = new URL(response.headers.get('location')!, `${server.baseUrl}/account`);
    expect(to.pathname).toBe('/account/');
    expect(to.searchParams.get('tenant')).toBe('acme');
  });

  it.each([
    '/authenticator/index.html',
    '/authenticator/main.ts',
    '/authenticator/store.ts',
    '/authenticator/nope.js',
    '/authenticator/app.js.map',
    '/authenticator/%2e%2e/%2e%2e/package.json',
    '/sign-in/',
    '/sign-in/main.ts',
    '/sign-in/index.html',
    '/invitation/index.html',
    '/invitation/main.ts',
    '/invitation/i18n.ts',
    '/invitation/app.js.map',
    '/account/app.js',
    '/account/account.ts',
    '/account/index.html',
    '/phone-reset/',
    '/phone-reset/main.ts',
    '/phone-reset/app.js.map',
    '/pages/common/base.css',
  ])('%s is not a page: 404 in the API error shape, no source file leaks', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('a HEAD request is answered like the GET, without a body', async () => {
    const response = await fetch(`${server.baseUrl}/authenticator/`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(await response.text()).toBe('');
  });
});
