import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';

/**
 * An example portal: what a company's own web app writes to add MFA Desk's sign-in. It is an
 * OpenID Connect relying party (openid-client) of one or more tenants; MFA Desk's hosted pages do
 * the password, the second factor, the enrollment and the recovery codes. Its "bank module" asks for
 * a fresh second factor with acr_values=bank and opens only for an ID token whose acr says bank.
 *
 * Not a part of the product: no database (sessions live in memory), English only, and as few lines
 * as the job takes.
 */

export interface PortalTenant {
  /** Shown on the home page: "Sign in with Nordlys Regnskap AS". */
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** MFA Desk's account page for this tenant (factors, recovery codes, devices, password), linked when signed in. */
  accountUrl?: string;
}

export interface PortalOptions {
  /** This portal's own address (the redirect URIs registered for it are {url}/callback and {url}/). */
  url: string;
  tenants: PortalTenant[];
  /** How long the bank module stays open after a step-up. @default 15 minutes */
  bankMinutes?: number;
}

interface Session {
  pending?: { tenant: number; verifier: string; nonce: string; state: string; returnTo: string; bank: boolean };
  signedIn?: { tenant: number; claims: oidc.IDToken; idToken: string; bankUntil: number };
}

export async function buildPortal(options: PortalOptions): Promise<FastifyInstance> {
  const configs = await Promise.all(
    options.tenants.map((t) =>
      oidc.discovery(new URL(t.issuer), t.clientId, t.clientSecret, undefined, {
        // Plain http only where the issuer is on this machine (the quick start).
        execute: new URL(t.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      }),
    ),
  );
  const sessions = new Map<string, Session>();
  const bankMs = (options.bankMinutes ?? 15) * 60_000;
  const app = Fastify();
  // The sign-out form posts nothing the portal reads.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  const session = (request: FastifyRequest, reply: FastifyReply): Session => {
    const id = /(?:^|;\s*)portal_sid=([A-Za-z0-9_-]{20,})/.exec(request.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id)!;
    const fresh = randomBytes(24).toString('base64url');
    sessions.set(fresh, {});
    reply.header('set-cookie', `portal_sid=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return sessions.get(fresh)!;
  };

  const startSignIn = async (reply: FastifyReply, s: Session, tenant: number, returnTo: string, bank: boolean) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    s.pending = { tenant, verifier, nonce, state, returnTo, bank };
    const url = oidc.buildAuthorizationUrl(configs[tenant]!, {
      redirect_uri: `${options.url}/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      // The bank module: a fresh second factor, even on a remembered device (MFA Desk's acr "bank").
      ...(bank ? { acr_values: 'bank' } : {}),
      ...(s.signedIn && bank ? { login_hint: String(s.signedIn.claims.email ?? '') } : {}),
    });
    return reply.redirect(url.href, 303);
  };

  app.get('/', async (request, reply) => {
    const s = session(request, reply);
    const user = s.signedIn;
    const body = user
      ? `<p id="signed-in">Signed in as <strong>${escape(String(user.claims.email))}</strong> with ${escape(options.tenants[user.tenant]!.label)}.</p>
         <p>How: <code id="amr">${escape((Array.isArray(user.claims.amr) ? user.claims.amr : []).join(' '))}</code>, level <code id="acr">${escape(String(user.claims.acr))}</code>.</p>
         <p><a id="bank" href="/bank">Open the bank module</a></p>
         ${options.tenants[user.tenant]!.accountUrl ? `<p><a id="account" href="${escape(options.tenants[user.tenant]!.accountUrl!)}">Manage how you sign in</a></p>` : ''}
         <form method="post" action="/logout"><button id="sign-out">Sign out</button></form>`
      : options.tenants
          .map((t, i) => `<p><a class="sign-in" data-tenant="${i}" href="/login?tenant=${i}">Sign in with ${escape(t.label)}</a></p>`)
          .join('');
    return reply.type('text/html; charset=utf-8').send(page('Example portal', body));
  });

  app.get<{ Querystring: { tenant?: string } }>('/login', async (request, reply) => {
    const tenant = Number(request.query.tenant ?? 0);
    if (!Number.isInteger(tenant) || !configs[tenant]) return reply.code(400).send('unknown tenant');
    return startSignIn(reply, session(request, reply), tenant, '/', false);
  });

  app.get('/callback', async (request, reply) => {
    const s = session(request, reply);
    const pending = s.pending;
    if (!pending) return reply.redirect('/', 303);
    s.pending = undefined;
    const current = new URL(request.url, options.url);
    if (current.searchParams.get('error')) {
      return reply
        .type('text/html; charset=utf-8')
        .send(page('Not signed in', `<p id="error">${escape(current.searchParams.get('error')!)}</p><p><a href="/">Home</a></p>`));
    }
    const tokens = await oidc.authorizationCodeGrant(configs[pending.tenant]!, current, {
      pkceCodeVerifier: pending.verifier,
      expectedNonce: pending.nonce,
      expectedState: pending.state,
    });
    const claims = tokens.claims()!;
    s.signedIn = {
      tenant: pending.tenant,
      claims,
      idToken: tokens.id_token!,
      // The step-up counts from when the code was given (auth_time), not from when the portal heard of it.
      bankUntil: pending.bank && claims.acr === 'bank' ? Number(claims.auth_time ?? 0) * 1000 + bankMs : 0,
    };
    return reply.redirect(pending.returnTo, 303);
  });

  app.get('/bank', async (request, reply) => {
    const s = session(request, reply);
    if (!s.signedIn) return reply.redirect('/', 303);
    if (s.signedIn.bankUntil < Date.now()) return startSignIn(reply, s, s.signedIn.tenant, '/bank', true);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Bank module',
          `<p id="bank-open">The bank module is open for ${escape(String(s.signedIn.claims.email))}.</p><p><a href="/">Home</a></p>`,
        ),
      );
  });

  app.post('/logout', async (request, reply) => {
    const s = session(request, reply);
    const user = s.signedIn;
    s.signedIn = undefined;
    if (!user) return reply.redirect('/', 303);
    // RP-initiated logout: MFA Desk's session ends too, so the next sign-in asks again.
    const url = oidc.buildEndSessionUrl(configs[user.tenant]!, {
      id_token_hint: user.idToken,
      post_logout_redirect_uri: `${options.url}/`,
    });
    return reply.redirect(url.href, 303);
  });

  return app;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}
