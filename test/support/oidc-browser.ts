import * as oidc from 'openid-client';
import type { TestServer } from './test-server.js';
import { registerOidcClient } from '../../src/server/oidc/clients.js';
import { findTenantBySlug } from '../../src/server/store/repositories/tenants.js';

/**
 * A browser without a screen for the OpenID sign-in: a cookie jar, redirects followed by hand, and
 * the hosted page's calls (/interaction/{uid}/...) made as the page makes them (same Origin, JSON).
 * The server tests drive the provider with it; the e2e tests use Chromium instead.
 */
export class CookieBrowser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  constructor(private readonly origin: string) {}

  private cookieHeader(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private keep(response: Response, url: URL): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const [name, ...value] = pair!.split('=');
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? url.pathname;
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
      const key = `${name}`;
      if (expired || value.join('=') === '') this.cookies.delete(key);
      else this.cookies.set(key, { value: value.join('='), path });
    }
  }

  /** One request, no redirect followed. */
  async request(input: string | URL, init: { method?: string; body?: unknown; origin?: string | null } = {}): Promise<Response> {
    const url = new URL(input, this.origin);
    const headers: Record<string, string> = { accept: 'application/json, text/html' };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.origin !== null && (init.method ?? 'GET') !== 'GET') headers.origin = init.origin ?? this.origin;
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: 'manual',
    });
    this.keep(response, url);
    return response;
  }

  /** Follows redirects until one leaves this server (the portal's redirect_uri) or a page answers. */
  async follow(start: string | URL): Promise<{ url: URL; response: Response }> {
    let url = new URL(start, this.origin);
    for (let hops = 0; hops < 10; hops++) {
      if (url.origin !== this.origin) return { url, response: new Response(null, { status: 200 }) };
      const response = await this.request(url);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url, response };
      url = new URL(location, url);
    }
    throw new Error('too many redirects');
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    origin?: string | null,
  ): Promise<{ status: number; body: T }> {
    const response = await this.request(path, { method, body, origin });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /**
   * What a browser's script does with oidc-provider's auto-submitting pages (form_post, the switch
   * of account): posts the page's one form with its hidden fields, then follows the redirects.
   */
  async submitForm(html: string): Promise<{ url: URL; response: Response }> {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form in ${html.slice(0, 200)}`);
    const fields = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) fields.set(name!, value!);
    const url = new URL(action.replace(/&amp;/g, '&'), this.origin);
    const cookie = this.cookieHeader(url);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, ...(cookie ? { cookie } : {}) },
      body: fields.toString(),
      redirect: 'manual',
    });
    this.keep(response, url);
    const location = response.headers.get('location');
    return location ? this.follow(new URL(location, url)) : { url, response };
  }

  forget(name: string): void {
    this.cookies.delete(name);
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

export interface Portal {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  config: oidc.Configuration;
}

/** Registers a confidential client for the tenant and discovers the provider as a portal would. */
export async function registerPortal(server: TestServer, tenantSlug: string, redirectUri = 'http://127.0.0.1:9/callback'): Promise<Portal> {
  const tenant = await findTenantBySlug(server.ctx.store.db, tenantSlug);
  if (!tenant) throw new Error(`no tenant ${tenantSlug}`);
  const created = await registerOidcClient(
    server.ctx,
    tenant.id,
    { name: 'Test portal', redirectUris: [redirectUri], postLogoutRedirectUris: ['http://127.0.0.1:9/'] },
    { actorType: 'system', actorId: 'test', label: 'test' },
  );
  const config = await oidc.discovery(new URL(`${server.baseUrl}/oidc`), created.clientId, created.clientSecret!, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  return { clientId: created.clientId, clientSecret: created.clientSecret!, redirectUri, config };
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

export async function authorizationUrl(portal: Portal, extra: Record<string, string> = {}): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(portal.config, {
    redirect_uri: portal.redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  return { url, verifier, nonce, state };
}

/** The interaction id from the page address the provider sent the browser to. */
export function interactionUid(url: URL): string {
  const uid = /\/interaction\/([^/]+)$/.exec(url.pathname)?.[1];
  if (!uid) throw new Error(`not an interaction page: ${url.href}`);
  return uid;
}

export async function redeem(
  portal: Portal,
  callback: URL,
  start: AuthorizationStart,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  return oidc.authorizationCodeGrant(portal.config, callback, {
    pkceCodeVerifier: start.verifier,
    expectedNonce: start.nonce,
    expectedState: start.state,
  });
}
