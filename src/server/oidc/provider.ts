import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC, interactionPolicy as Policy } from 'oidc-provider';
import { acrValues, stepUpAcr } from '../../shared/api/interaction.js';
import { MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { applyDueDisable } from '../flows/scheduled-disable.js';
import { findTenantById } from '../store/repositories/tenants.js';
import { findUserById } from '../store/repositories/users.js';
import { grantableScopes } from './scopes.js';
import { databaseAdapter } from './adapter.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './provider-pages.js';
import { loadSigningKeys } from './signing-keys.js';

/**
 * The OpenID Provider: oidc-provider (a certified implementation; no OAuth of our own), at
 * `{publicUrl}/oidc`, with discovery at `/oidc/.well-known/openid-configuration` and the keys at
 * `/oidc/jwks`. Only the authorization code flow, with PKCE (S256) required of every client, as
 * OAuth 2.0 Security BCP (RFC 9700) asks. Its sign-in steps are this server's hosted pages
 * (`/interaction/{uid}`, http/routes/interaction-routes.ts), which run the same flows as the JSON API.
 *
 * The ID token says how the user signed in: `amr` (RFC 8176: pwd, otp, sms, push, mfa) and `acr`:
 * `pwd` (a password alone, where MFA is optional), `mfa` (a second factor, or a remembered device or
 * trusted IP the tenant accepts instead), `bank` (a second factor given for this very request, asked
 * with acr_values=bank: the step-up of RFC 9470's spirit, never skipped on a recognised place).
 */

export const OIDC_PATH = '/oidc';

export interface OpenIdProvider {
  provider: Provider;
  /** The path the pages and routes live under, from publicUrl ("" or "/mfa"). */
  basePath: string;
}

const providers = new WeakMap<ServerContext, Promise<OpenIdProvider>>();

/** Made on first use, from the context's publicUrl then (tests learn their port only after listening). */
export function openIdProvider(ctx: ServerContext): Promise<OpenIdProvider> {
  let made = providers.get(ctx);
  if (!made) {
    made = makeProvider(ctx).catch((error: unknown) => {
      providers.delete(ctx);
      throw error;
    });
    providers.set(ctx, made);
  }
  return made;
}

/** Whether a request asks for a fresh second factor for the bank module. */
export function asksForStepUp(acrValuesParam: unknown): boolean {
  return typeof acrValuesParam === 'string' && acrValuesParam.split(' ').includes(stepUpAcr);
}

async function makeProvider(ctx: ServerContext): Promise<OpenIdProvider> {
  // Loaded on first use: a server no portal signs in through never loads Koa and the provider.
  const oidcProvider = await import('oidc-provider');
  const publicUrl = new URL(ctx.publicUrl);
  const basePath = publicUrl.pathname.replace(/\/+$/, '');
  const keys = await loadSigningKeys(ctx);
  const configuration: Configuration = {
    adapter: databaseAdapter(ctx, () => new oidcProvider.errors.InvalidGrant('the authorization code was already used')),
    jwks: { keys },
    // Signed cookies with a key every instance derives from the server's key.
    cookies: {
      keys: [ctx.secrets.mac('oidc-provider cookie keys v1')],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    pkce: { required: () => true },
    responseTypes: ['code'],
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'RS256' },
    extraClientMetadata: { properties: ['tenant_id'] },
    // How the user signed in rides with `openid`, so every ID token says it unasked.
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email'], profile: ['name', 'locale'] },
    acrValues: [...acrValues],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    interactions: {
      url: (_ctx, interaction) => `${basePath}/interaction/${interaction.uid}`,
      policy: signInPolicy(ctx, oidcProvider.interactionPolicy),
    },
    ttl: {
      AuthorizationCode: 60,
      IdToken: 3600,
      AccessToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      // The provider's own session (its cookie): two weeks. Whatever ends a user's sessions of ours (a
      // password change, a phone reset, support, a disable) ends these too (revokeUserSessions).
      Session: 14 * 24 * 3600,
    },
    findAccount: async (oidcCtx, accountId) => {
      const user = await findUserById(ctx.store.db, accountId);
      const client = oidcCtx.oidc.client;
      if (!user || !client || client.metadata().tenant_id !== user.tenant_id) return undefined;
      const current = await applyDueDisable(ctx.store.db, user, ctx.clock.now());
      if (current.disabled_at !== null) return undefined;
      return {
        accountId: user.id,
        claims: () => ({ sub: user.id, email: user.email, name: user.name, locale: user.locale }),
      };
    },
    // First-party portals, registered by the tenant's admin: the user is not asked to consent to
    // each one; what the portal asks for (openid, email, profile) is granted with the sign-in.
    loadExistingGrant: async (oidcCtx) => {
      const { oidc } = oidcCtx;
      const accountId = oidc.session?.accountId;
      const client = oidc.client;
      if (!accountId || !client) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
      const grant =
        (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ??
        new oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope(grantableScopes(oidc.params?.scope));
      await grant.save();
      return grant;
    },
    renderError,
    // No refresh tokens, no dynamic registration, no implicit flows: nothing here but sign-in.
    issueRefreshToken: () => false,
    // The ID token carries the scopes' claims (email, name), so a portal needs no userinfo call to greet the user.
    conformIdTokenClaims: false,
  };
  const provider = new oidcProvider.default(`${publicUrl.origin}${basePath}${OIDC_PATH}`, configuration);
  // Behind a proxy that this server trusts, the forwarded protocol and host are the real ones.
  provider.proxy = true;
  return { provider, basePath };
}

/**
 * oidc-provider's prompts, with one check more on `login`: a request naming acr_values=bank needs a
 * sign-in whose acr is bank and whose second factor is younger than the tenant's
 * `sensitiveScopeMinutes`; else the pages ask for a fresh one, even with the provider's session alive.
 */
function signInPolicy(ctx: ServerContext, interactionPolicy: typeof Policy): Policy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  const { Check } = interactionPolicy;
  // Signed in at the provider as someone this portal does not serve (another tenant's user, or an
  // account disabled since): findAccount found nobody, so the sign-in is asked again.
  login.checks.add(
    new Check('account_not_served', 'the signed-in account cannot use this client', (oidcCtx: KoaContextWithOIDC) => {
      const { oidc } = oidcCtx;
      return oidc.session?.accountId && !oidc.account && !oidc.result?.login ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login.checks.add(
    new Check('step_up', 'a fresh second factor is required', async (oidcCtx: KoaContextWithOIDC) => {
      const { oidc } = oidcCtx;
      const session = oidc.session;
      if (!asksForStepUp(oidc.params?.acr_values)) {
        // A step-up is for the request that asked for it: any other request's ID token says mfa.
        if (session?.acr === stepUpAcr && !oidc.result?.login) session.acr = 'mfa';
        return Check.NO_NEED_TO_PROMPT;
      }
      if (oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const signedInAt = session?.loginTs;
      if (!session?.accountId || session.acr !== stepUpAcr || typeof signedInAt !== 'number') return Check.REQUEST_PROMPT;
      const tenantId = oidc.client?.metadata().tenant_id;
      const tenant = typeof tenantId === 'string' ? await findTenantById(ctx.store.db, tenantId) : undefined;
      const minutes = tenant?.policy.sensitiveScopeMinutes ?? 15;
      const fresh = ctx.clock.now() - signedInAt * 1000 < minutes * MINUTE;
      return fresh ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
