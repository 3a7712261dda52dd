import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCode, enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';
import { dialects } from '../../support/databases.js';
import { authorizationUrl, CookieBrowser, interactionUid, redeem, registerPortal, type Portal } from '../../support/oidc-browser.js';

/**
 * The OpenID Provider as a portal meets it, through openid-client (a certified relying party):
 * discovery, the code flow with PKCE, the ID token's signature, issuer, audience, nonce, amr and
 * acr, and the ways a client or an attacker can get it wrong. The sign-in in between is the hosted
 * page's calls, made by a cookie-keeping fetch.
 */
describe.each(dialects)('the OpenID Provider on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  let portal: Portal;

  beforeAll(async () => {
    server = await startTestServer(dialect, { realTime: true });
    tenant = await server.addTenant({}, 'app');
    portal = await registerPortal(server, tenant);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Password and app code through the hosted page's calls; the portal's callback URL. */
  async function signInThroughPages(
    browser: CookieBrowser,
    user: { email: string; password: string; secret: string },
    start: { url: URL },
    options: { remember?: boolean; codeStep?: number } = {},
  ): Promise<URL> {
    const page = await browser.follow(start.url);
    const uid = interactionUid(page.url);
    const login = await browser.json<{ status: string; challengeId?: string; sessionToken?: string }>('POST', `/interaction/${uid}/login`, {
      email: user.email,
      password: user.password,
    });
    expect(login.status).toBe(200);
    let sessionToken = login.body.sessionToken;
    if (login.body.status === 'mfa_required') {
      const verified = await browser.json<{ sessionToken: string }>('POST', `/interaction/${uid}/verify/${login.body.challengeId}`, {
        method: 'totp',
        code: appCode(user.secret, server.clock, options.codeStep ?? 1),
        rememberDevice: options.remember ?? false,
      });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      sessionToken = verified.body.sessionToken;
    }
    const finished = await browser.json<{ status: string; redirectTo: string }>('POST', `/interaction/${uid}/finish`, { sessionToken });
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(finished.body.status).toBe('done');
    const back = await browser.follow(finished.body.redirectTo);
    expect(back.url.origin).toBe(new URL(portal.redirectUri).origin);
    return back.url;
  }

  it('publishes discovery and keys at the standard paths, and signs ID tokens the client verifies', async () => {
    const discovery = (await fetch(`${server.baseUrl}/oidc/.well-known/openid-configuration`).then((r) => r.json())) as Record<
      string,
      string | string[]
    >;
    expect(discovery.issuer).toBe(`${server.baseUrl}/oidc`);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    expect(discovery.response_types_supported).toEqual(['code']);
    expect(discovery.acr_values_supported).toEqual(['pwd', 'mfa', 'bank']);

    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(portal);
    const callback = await signInThroughPages(browser, user, start);
    const tokens = await redeem(portal, callback, start);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.email).toBe(user.email);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe('mfa');
    // The same checks by hand, against the published keys.
    const verified = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(String(discovery.jwks_uri))), {
      issuer: `${server.baseUrl}/oidc`,
      audience: portal.clientId,
    });
    expect(verified.payload.nonce).toBe(start.nonce);
    expect(verified.protectedHeader.alg).toBe('RS256');
  });

  it('refuses a redirect_uri the client did not register, without redirecting there', async () => {
    const start = await authorizationUrl({ ...portal, redirectUri: 'http://127.0.0.1:9/elsewhere' });
    const browser = new CookieBrowser(server.baseUrl);
    const answer = await browser.request(start.url);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    expect(await answer.text()).toContain('redirect_uri');
  });

  it('refuses a request without PKCE, back at the portal', async () => {
    const browser = new CookieBrowser(server.baseUrl);
    const url = new URL(`${server.baseUrl}/oidc/auth`);
    url.search = new URLSearchParams({
      client_id: portal.clientId,
      redirect_uri: portal.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 's1',
    }).toString();
    const answer = await browser.request(url);
    const location = new URL(answer.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('s1');
  });

  it('spends a code once, refuses a verifier that does not match, and a wrong client secret', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);

    const start = await authorizationUrl(portal);
    const callback = await signInThroughPages(browser, user, start);
    await redeem(portal, callback, start);
    await expect(redeem(portal, callback, start)).rejects.toMatchObject({ error: 'invalid_grant' });

    // The provider remembers the browser now: the next request comes straight back with a code.
    const second = await authorizationUrl(portal);
    const back = await browser.follow(second.url);
    expect(back.url.origin).toBe(new URL(portal.redirectUri).origin);
    await expect(redeem(portal, back.url, { ...second, verifier: oidc.randomPKCECodeVerifier() })).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    const third = await authorizationUrl(portal);
    const again = await browser.follow(third.url);
    const impostor = await oidc.discovery(new URL(`${server.baseUrl}/oidc`), portal.clientId, 'not-the-secret-at-all', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(redeem({ ...portal, config: impostor }, again.url, third)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('a nonce or state that is not the one sent is refused by the client', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(portal);
    const callback = await signInThroughPages(browser, user, start);
    const refused = await redeem(portal, callback, { ...start, nonce: oidc.randomNonce() }).then(
      () => undefined,
      (error: unknown) => error as { code?: string },
    );
    // The nonce is all that differs from a redemption that works: that is the claim refused.
    expect(refused).toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
    const otherState = await redeem(portal, callback, { ...start, state: oidc.randomState() }).then(
      () => undefined,
      (error: unknown) => error as { code?: string },
    );
    expect(otherState).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });

  it('an interaction answers only its own browser, and only calls from its own origin', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const page = await browser.follow((await authorizationUrl(portal)).url);
    const uid = interactionUid(page.url);
    const login = { email: user.email, password: user.password };

    const stranger = new CookieBrowser(server.baseUrl);
    expect((await stranger.json('GET', `/interaction/${uid}/details`)).status).toBe(410);
    expect((await stranger.json('POST', `/interaction/${uid}/login`, login)).body).toMatchObject({ error: 'interaction_expired' });

    expect((await browser.json('POST', `/interaction/${uid}/login`, login, 'https://evil.example')).status).toBe(403);
    expect((await browser.json('POST', `/interaction/${uid}/login`, login, null)).status).toBe(403);
    expect((await browser.json('POST', `/interaction/${uid}/login`, { email: user.email })).body).toMatchObject({
      error: 'invalid_request',
    });

    const details = await browser.json('GET', `/interaction/${uid}/details`);
    expect(details.body).toMatchObject({ uid, client: { name: 'Test portal' }, stepUp: null, rememberDeviceDays: 30 });
  });

  it("a user of another tenant cannot sign in through this tenant's portal", async () => {
    const other = await server.addTenant({}, 'app');
    const stranger = await enrollUser(server, other);
    const browser = new CookieBrowser(server.baseUrl);
    const page = await browser.follow((await authorizationUrl(portal)).url);
    const login = await browser.json('POST', `/interaction/${interactionUid(page.url)}/login`, {
      email: stranger.email,
      password: stranger.password,
    });
    expect(login.body).toMatchObject({ error: 'invalid_credentials' });
  });

  it('prompt=login and max_age ask again; a remembered device then needs no code, but acr_values=bank does', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const first = await authorizationUrl(portal);
    await redeem(portal, await signInThroughPages(browser, user, first, { remember: true }), first);
    expect(browser.has('mfa_desk_device')).toBe(true);

    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const start = await authorizationUrl(portal, extra);
      const page = await browser.follow(start.url);
      const uid = interactionUid(page.url);
      const login = await browser.json<{ status: string; sessionToken: string }>('POST', `/interaction/${uid}/login`, {
        email: user.email,
        password: user.password,
      });
      // The remembered device (its HttpOnly cookie) stands in for the code.
      expect(login.body.status).toBe('authenticated');
      const done = await browser.json<{ status: string; redirectTo: string }>('POST', `/interaction/${uid}/finish`, {
        sessionToken: login.body.sessionToken,
      });
      expect(done.body.status).toBe('done');
      const tokens = await redeem(portal, (await browser.follow(done.body.redirectTo)).url, start);
      expect(tokens.claims()).toMatchObject({ acr: 'mfa', amr: ['pwd'] });
    }

    // The bank module: the provider's session is alive, and still a fresh code is asked.
    const bank = await authorizationUrl(portal, { acr_values: 'bank' });
    const page = await browser.follow(bank.url);
    const uid = interactionUid(page.url);
    expect((await browser.json('GET', `/interaction/${uid}/details`)).body).toMatchObject({ stepUp: 'bank', loginHint: user.email });
    const login = await browser.json<{ status: string; sessionToken: string }>('POST', `/interaction/${uid}/login`, {
      email: user.email,
      password: user.password,
    });
    expect(login.body.status).toBe('authenticated');
    const stepUp = await browser.json<{ status: string; challengeId: string; methods: string[] }>('POST', `/interaction/${uid}/finish`, {
      sessionToken: login.body.sessionToken,
    });
    expect(stepUp.body).toMatchObject({ status: 'step_up', methods: expect.arrayContaining(['totp']) });
    const verified = await browser.json<{ sessionToken: string }>('POST', `/interaction/${uid}/verify/${stepUp.body.challengeId}`, {
      // The app's code of this 30 s step was spent on the first sign-in: a recovery code, then.
      method: 'recovery_code',
      code: user.recoveryCodes[0],
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const done = await browser.json<{ status: string; redirectTo: string }>('POST', `/interaction/${uid}/finish`, {
      sessionToken: verified.body.sessionToken,
    });
    expect(done.body.status).toBe('done');
    const tokens = await redeem(portal, (await browser.follow(done.body.redirectTo)).url, bank);
    expect(tokens.claims()).toMatchObject({ acr: 'bank', amr: ['pwd', 'otp', 'mfa'] });

    // Within the bank window, the next bank request needs nothing more.
    const again = await authorizationUrl(portal, { acr_values: 'bank' });
    const back = await browser.follow(again.url);
    expect(back.url.origin).toBe(new URL(portal.redirectUri).origin);
    expect((await redeem(portal, back.url, again)).claims()).toMatchObject({ acr: 'bank' });
  });

  it('a password change ends the provider session: the next portal sign-in asks again', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const first = await authorizationUrl(portal);
    await redeem(portal, await signInThroughPages(browser, user, first), first);
    const again = await authorizationUrl(portal);
    expect((await browser.follow(again.url)).url.origin).toBe(new URL(portal.redirectUri).origin);

    // The person changes the password (the JSON API: a fresh second factor, here a recovery code).
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const verified = await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: user.recoveryCodes[1] },
    });
    const changed = await server.call('POST', '/v1/me/password', {
      token: String(verified.body.sessionToken),
      body: { currentPassword: user.password, newPassword: 'a different password 2026' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const after = await browser.follow((await authorizationUrl(portal)).url);
    expect(after.url.pathname).toMatch(/^\/interaction\//);
  });

  it("speaks the portal's ui_locales, then the person's own language once the password is right", async () => {
    const user = await server.addUser(tenant, undefined, { locale: 'nb' });
    const browser = new CookieBrowser(server.baseUrl);
    const page = await browser.follow((await authorizationUrl(portal, { ui_locales: 'de-DE en', login_hint: user.email })).url);
    const uid = interactionUid(page.url);
    expect((await browser.json('GET', `/interaction/${uid}/details`)).body).toMatchObject({ language: 'de', loginHint: user.email });
    const wrong = await browser.json('POST', `/interaction/${uid}/login`, { email: user.email, password: 'not the password' });
    expect(wrong.body).toMatchObject({ error: 'invalid_credentials' });
    expect(wrong.body).not.toHaveProperty('language');
    const right = await browser.json('POST', `/interaction/${uid}/login`, { email: user.email, password: user.password });
    expect(right.body).toMatchObject({ status: 'enrollment_required', language: 'nb' });
  });

  it('a browser signed in for another tenant is asked to sign in again, never shown that account', async () => {
    const other = await server.addTenant({}, 'app');
    const otherPortal = await registerPortal(server, other);
    const theirs = await enrollUser(server, other);
    const ours = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const first = await authorizationUrl(otherPortal);
    await redeem(otherPortal, await signInThroughPages(browser, theirs, first), first);

    const start = await authorizationUrl(portal);
    const page = await browser.follow(start.url);
    const uid = interactionUid(page.url);
    expect((await browser.json('GET', `/interaction/${uid}/details`)).body).toMatchObject({ loginHint: null });
    // Their session token at this portal's finish, their challenge at its verify: refused.
    const login = await browser.json<{ challengeId: string }>('POST', `/interaction/${uid}/login`, {
      email: ours.email,
      password: ours.password,
    });
    const foreignLogin = await server.call('POST', '/v1/auth/login', {
      body: { tenant: other, email: theirs.email, password: theirs.password },
    });
    const foreignChallenge = String(foreignLogin.body.challengeId);
    expect(
      (
        await browser.json('POST', `/interaction/${uid}/verify/${foreignChallenge}`, {
          method: 'recovery_code',
          code: theirs.recoveryCodes[0],
        })
      ).status,
    ).toBe(404);
    const foreignSession = await server.call('POST', `/v1/auth/challenges/${foreignChallenge}/verify`, {
      body: { method: 'recovery_code', code: theirs.recoveryCodes[0] },
    });
    expect((await browser.json('POST', `/interaction/${uid}/finish`, { sessionToken: foreignSession.body.sessionToken })).status).toBe(401);

    const verified = await browser.json<{ sessionToken: string }>('POST', `/interaction/${uid}/verify/${login.body.challengeId}`, {
      method: 'recovery_code',
      code: ours.recoveryCodes[0],
    });
    const done = await browser.json<{ status: string; redirectTo: string }>('POST', `/interaction/${uid}/finish`, {
      sessionToken: verified.body.sessionToken,
    });
    expect(done.body.status).toBe('done');
    // oidc-provider ends the other account's session first, on a page that posts itself (allowed by its hash).
    const switching = await browser.follow(done.body.redirectTo);
    expect(switching.response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
    const back = await browser.submitForm(await switching.response.text());
    expect(back.url.origin, `stopped at ${back.url.href} (${back.response.status})`).toBe(new URL(portal.redirectUri).origin);
    expect((await redeem(portal, back.url, start)).claims()).toMatchObject({ sub: ours.id });
  });

  it('a bank step-up is for the request that asked: later requests say mfa, and it expires with sensitiveScopeMinutes', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const bank = await authorizationUrl(portal, { acr_values: 'bank' });
    await redeem(portal, await signInThroughPages(browser, user, bank), bank).then((t) =>
      expect(t.claims()).toMatchObject({ acr: 'bank' }),
    );

    const again = await authorizationUrl(portal, { acr_values: 'bank' });
    const later = new Date(Date.now() + 16 * 60_000);
    server.clock.now = () => later.getTime();
    try {
      expect((await browser.follow(again.url)).url.pathname).toMatch(/^\/interaction\//);
    } finally {
      server.clock.now = () => Date.now();
    }

    const plain = await authorizationUrl(portal);
    const back = await browser.follow(plain.url);
    expect((await redeem(portal, back.url, plain)).claims()).toMatchObject({ acr: 'mfa' });
  });

  it('a second factor older than stepUpFreshMinutes is not fresh enough for the bank module', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const page = await browser.follow((await authorizationUrl(portal, { acr_values: 'bank' })).url);
    const uid = interactionUid(page.url);
    const login = await browser.json<{ challengeId: string }>('POST', `/interaction/${uid}/login`, {
      email: user.email,
      password: user.password,
    });
    const verified = await browser.json<{ sessionToken: string }>('POST', `/interaction/${uid}/verify/${login.body.challengeId}`, {
      method: 'recovery_code',
      code: user.recoveryCodes[0],
    });
    const later = Date.now() + 11 * 60_000;
    server.clock.now = () => later;
    try {
      const finished = await browser.json('POST', `/interaction/${uid}/finish`, { sessionToken: verified.body.sessionToken });
      expect(finished.body).toMatchObject({ status: 'step_up' });
    } finally {
      server.clock.now = () => Date.now();
    }
  });

  it('prompt=consent and offline_access end at the portal, and response_mode=form_post posts back under the CSP', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(portal, { prompt: 'consent', scope: 'openid email offline_access' });
    const callback = await signInThroughPages(browser, user, start);
    await redeem(portal, callback, start);

    const posted = await authorizationUrl(portal, { response_mode: 'form_post' });
    const answer = await browser.request(posted.url);
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain(`action="${portal.redirectUri}"`);
    expect(answer.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[^']+'/);
  });

  it('publishes its own addresses whatever Host or X-Forwarded-Host a client sends', async () => {
    const forged = await fetch(`${server.baseUrl}/oidc/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    }).then((r) => r.json() as Promise<Record<string, string>>);
    expect(forged.authorization_endpoint).toBe(`${server.baseUrl}/oidc/auth`);
    expect(forged.jwks_uri).toBe(`${server.baseUrl}/oidc/jwks`);
  });

  it('two redemptions of one code at the same moment: one gets tokens', async () => {
    const user = await enrollUser(server, tenant);
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(portal);
    const callback = await signInThroughPages(browser, user, start);
    const results = await Promise.allSettled([
      redeem(portal, callback, start),
      redeem(portal, callback, start),
      redeem(portal, callback, start),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
  });

  it('a step-up for an account without a second factor returns unmet_authentication_requirements to the portal', async () => {
    const optional = await server.addTenant({ mfaRequired: false }, 'app');
    const optionalPortal = await registerPortal(server, optional);
    const user = await server.addUser(optional);
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(optionalPortal, { acr_values: 'bank' });
    const uid = interactionUid((await browser.follow(start.url)).url);
    const login = await browser.json<{ status: string; sessionToken: string }>('POST', `/interaction/${uid}/login`, {
      email: user.email,
      password: user.password,
    });
    expect(login.body.status).toBe('authenticated');
    const done = await browser.json<{ status: string; redirectTo: string; refused?: boolean }>('POST', `/interaction/${uid}/finish`, {
      sessionToken: login.body.sessionToken,
    });
    expect(done.body).toMatchObject({ status: 'done', refused: true });
    const back = await browser.follow(done.body.redirectTo);
    expect(back.url.searchParams.get('error')).toBe('unmet_authentication_requirements');

    // And without the step-up, a password alone: acr pwd.
    const plain = await authorizationUrl(optionalPortal);
    const page = await browser.follow(plain.url);
    const second = interactionUid(page.url);
    const again = await browser.json<{ sessionToken: string }>('POST', `/interaction/${second}/login`, {
      email: user.email,
      password: user.password,
    });
    const finished = await browser.json<{ redirectTo: string }>('POST', `/interaction/${second}/finish`, {
      sessionToken: again.body.sessionToken,
    });
    const tokens = await redeem(optionalPortal, (await browser.follow(finished.body.redirectTo)).url, plain);
    expect(tokens.claims()).toMatchObject({ acr: 'pwd', amr: ['pwd'] });
  });

  it('only what can be an interaction id opens the page', async () => {
    expect((await fetch(`${server.baseUrl}/interaction/${'x'.repeat(20)}`)).status).toBe(200);
    for (const uid of ['short', '%3Cscript%3E', 'a'.repeat(65)])
      expect((await fetch(`${server.baseUrl}/interaction/${uid}`)).status).toBe(404);
  });

  it('cancel returns to the portal with access_denied', async () => {
    const browser = new CookieBrowser(server.baseUrl);
    const start = await authorizationUrl(portal);
    const page = await browser.follow(start.url);
    const cancelled = await browser.json<{ redirectTo: string }>('POST', `/interaction/${interactionUid(page.url)}/cancel`, {});
    const back = await browser.follow(cancelled.body.redirectTo);
    expect(back.url.searchParams.get('error')).toBe('access_denied');
    expect(back.url.searchParams.get('state')).toBe(start.state);
  });
});
