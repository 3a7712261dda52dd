import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import type { z } from 'zod';
import {
  interactionChallengeParams,
  interactionFinishRequest,
  interactionLoginRequest,
  interactionParams,
  interactionVerifyRequest,
  pageLanguages,
  stepUpAcr,
  type AcrValue,
  type PageLanguage,
  type interactionDetails,
  type interactionFinishAnswer,
} from '../../../shared/api/interaction.js';
import { ApiError } from '../../api-error.js';
import { matchPageLanguage } from '../../../shared/languages.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { DAY, MINUTE } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { verifyChallenge } from '../../flows/challenge-verification.js';
import { signIn } from '../../flows/sign-in.js';
import { openStepUpChallenge } from '../../flows/step-up.js';
import { describeChallenge } from '../../flows/open-challenge.js';
import { availableMethods } from '../../factors/registry.js';
import { asksForStepUp, openIdProvider, type OpenIdProvider } from '../../oidc/provider.js';
import { grantableScopes } from '../../oidc/scopes.js';
import { revokeSession } from '../../store/repositories/sessions.js';
import { findChallenge } from '../../store/repositories/challenges.js';
import { findTenantById, type Tenant } from '../../store/repositories/tenants.js';
import { findUserByEmail, findUserById } from '../../store/repositories/users.js';
import { requestMeta } from '../request-meta.js';
import { parseOrThrow } from '../parse-input.js';
import { authenticateBearer } from '../session-auth.js';

/**
 * The hosted pages' side of an OpenID sign-in (shared/api/interaction.ts): who is asking, the
 * password, a code, and the way back to the portal. oidc-provider's interaction cookie (HttpOnly,
 * SameSite=Lax, its path this interaction's) ties every call to the browser the portal sent; a call
 * must also come from this server's own origin, so another site cannot drive it (CSRF: the Origin
 * header, which browsers send with every POST and scripts cannot forge). The steps themselves are
 * the flows the JSON API runs: nothing about a second factor is decided here.
 */

/** The remembered device: an HttpOnly cookie, so the page's script never holds it. */
export const DEVICE_COOKIE = 'mfa_desk_device';

type Details = z.infer<typeof interactionDetails>;
type FinishAnswer = z.infer<typeof interactionFinishAnswer>;

interface Interaction {
  oidc: OpenIdProvider;
  uid: string;
  params: Record<string, unknown>;
  accountId: string | undefined;
  clientId: string;
  clientName: string;
  tenant: Tenant;
}

export function registerInteractionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/interaction/:uid/details', async (request, reply) => {
    const interaction = await loadInteraction(ctx, request, reply);
    // The email of whoever is signed in at the provider, when this portal serves them (never another tenant's).
    const account = interaction.accountId ? await findUserById(ctx.store.db, interaction.accountId) : undefined;
    const accountEmail = account?.tenant_id === interaction.tenant.id ? account.email : undefined;
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : accountEmail;
    const details: Details = {
      uid: interaction.uid,
      tenant: { slug: interaction.tenant.slug, name: interaction.tenant.name },
      client: { name: interaction.clientName },
      language: typeof interaction.params.ui_locales === 'string' ? matchPageLanguage(interaction.params.ui_locales.split(' ')) : null,
      loginHint: hint ? hint.slice(0, 254) : null,
      stepUp: asksForStepUp(interaction.params.acr_values) ? stepUpAcr : null,
      rememberDeviceDays: interaction.tenant.policy.rememberDeviceDays,
    };
    return reply.header('cache-control', 'no-store').send(details);
  });

  app.post('/interaction/:uid/login', async (request, reply) => {
    assertSameOrigin(ctx, request);
    const interaction = await loadInteraction(ctx, request, reply);
    const body = parseOrThrow(interactionLoginRequest, request.body);
    const deviceToken = readCookie(request, DEVICE_COOKIE);
    const answer = await signIn(
      ctx,
      {
        tenant: interaction.tenant.slug,
        email: body.email.toLowerCase(),
        password: body.password,
        ...(deviceToken && /^[A-Za-z0-9_-]{16,256}$/.test(deviceToken) ? { deviceToken } : {}),
      },
      requestMeta(request),
    );
    // Past the password: the page may speak the person's own language from here on.
    const user = await findUserByEmail(ctx.store.db, interaction.tenant.id, body.email.trim().toLowerCase());
    const language = user && (pageLanguages as readonly string[]).includes(user.locale) ? (user.locale as PageLanguage) : undefined;
    return reply.header('cache-control', 'no-store').send({ ...answer, ...(language ? { language } : {}) });
  });

  app.post('/interaction/:uid/verify/:id', async (request, reply) => {
    assertSameOrigin(ctx, request);
    const interaction = await loadInteraction(ctx, request, reply);
    const { id } = parseOrThrow(interactionChallengeParams, request.params);
    const body = parseOrThrow(interactionVerifyRequest, request.body);
    // Only a challenge of this portal's tenant: the cookie set below follows this tenant's policy.
    const challenge = await findChallenge(ctx.store.db, id);
    const owner = challenge && (await findUserById(ctx.store.db, challenge.user_id));
    if (!owner || owner.tenant_id !== interaction.tenant.id) throw new ApiError('not_found', 'There is no such sign-in step.');
    const verified = await verifyChallenge(ctx, id, body, requestMeta(request));
    if (verified.deviceToken) {
      const days = interaction.tenant.policy.rememberDeviceDays;
      reply.header(
        'set-cookie',
        serializeCookie(DEVICE_COOKIE, verified.deviceToken, {
          path: `${interaction.oidc.basePath}/interaction`,
          maxAge: (days * DAY) / 1000,
          // publicUrl, not the request: behind a TLS-terminating proxy the request itself is plain http.
          secure: new URL(ctx.publicUrl).protocol === 'https:',
        }),
      );
    }
    return reply.header('cache-control', 'no-store').send({ sessionToken: verified.sessionToken });
  });

  app.post('/interaction/:uid/finish', async (request, reply) => {
    assertSameOrigin(ctx, request);
    const interaction = await loadInteraction(ctx, request, reply);
    const body = parseOrThrow(interactionFinishRequest, request.body);
    const auth = await authenticateBearer(ctx, `Bearer ${body.sessionToken}`, ['full']);
    if (auth.user.tenant_id !== interaction.tenant.id) throw new ApiError('invalid_token', 'This session is for another organisation.');
    const now = ctx.clock.now();
    const policy = auth.tenant.policy;
    const stepUp = asksForStepUp(interaction.params.acr_values);
    const secondFactorAt = auth.session.second_factor_at === null ? null : Number(auth.session.second_factor_at);
    const fresh = secondFactorAt !== null && now - secondFactorAt < policy.stepUpFreshMinutes * MINUTE;
    if (stepUp && !fresh) {
      // A remembered device or a trusted IP let this sign-in skip the code: the bank module does not.
      // An account with no second factor (MFA optional) cannot give one: the portal hears so (OIDC's
      // unmet_authentication_requirements) instead of a dead end here.
      if ((await availableMethods(ctx.store.db, auth.user, policy, now)).length === 0) {
        const redirectTo = await interaction.oidc.provider.interactionResult(
          request.raw,
          reply.raw,
          { error: 'unmet_authentication_requirements', error_description: 'This account has no second factor to confirm with.' },
          { mergeWithLastSubmission: false },
        );
        await revokeSession(ctx.store.db, auth.session.id, now);
        return reply.header('cache-control', 'no-store').send({ status: 'done', redirectTo, refused: true } satisfies FinishAnswer);
      }
      const { challenge, methods } = await openStepUpChallenge(ctx, auth, stepUpAcr, requestMeta(request));
      const answer: FinishAnswer = {
        status: 'step_up',
        ...(await describeChallenge(ctx.store.db, auth.user, policy, challenge, methods, now)),
      };
      return reply.header('cache-control', 'no-store').send(answer);
    }
    const amr = auth.session.amr?.split(' ') ?? ['pwd'];
    const acr: AcrValue = stepUp ? stepUpAcr : amr.includes('mfa') || auth.user.mfa_enrolled_at !== null ? 'mfa' : 'pwd';
    const signedInAt = stepUp && secondFactorAt !== null ? secondFactorAt : Number(auth.session.created_at);
    // The grant comes with the sign-in (first-party portals ask no consent; oidc/provider.ts
    // loadExistingGrant): with it, a request with prompt=consent ends here instead of coming back.
    const grant = new interaction.oidc.provider.Grant({ accountId: auth.user.id, clientId: interaction.clientId });
    grant.addOIDCScope(grantableScopes(interaction.params.scope));
    const result: InteractionResults = {
      login: { accountId: auth.user.id, acr, amr, ts: Math.floor(signedInAt / 1000), remember: true },
      consent: { grantId: await grant.save() },
    };
    const redirectTo = await interaction.oidc.provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: false,
    });
    // The provider's session carries the sign-in from here; our session token is not needed any more.
    await revokeSession(ctx.store.db, auth.session.id, now);
    await recordAudit(ctx.store.db, now, {
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      actorType: 'user',
      actorId: auth.user.id,
      ip: request.ip,
      action: 'oidc.signed_in',
      details: { clientId: interaction.clientId, client: interaction.clientName, acr, amr },
    });
    const answer: FinishAnswer = { status: 'done', redirectTo };
    return reply.header('cache-control', 'no-store').send(answer);
  });

  app.post('/interaction/:uid/cancel', async (request, reply) => {
    assertSameOrigin(ctx, request);
    const interaction = await loadInteraction(ctx, request, reply);
    const redirectTo = await interaction.oidc.provider.interactionResult(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return reply.header('cache-control', 'no-store').send({ redirectTo });
  });
}

/** The interaction this browser is in, by its cookie; another browser's uid, or an ended one, is refused. */
async function loadInteraction(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<Interaction> {
  const { uid } = parseOrThrow(interactionParams, request.params);
  const oidc = await openIdProvider(ctx);
  let details: Awaited<ReturnType<OpenIdProvider['provider']['interactionDetails']>>;
  try {
    details = await oidc.provider.interactionDetails(request.raw, reply.raw);
  } catch {
    throw expired();
  }
  if (details.uid !== uid) throw expired();
  const clientId = String(details.params.client_id ?? '');
  const client = await oidc.provider.Client.find(clientId);
  const tenantId = client?.metadata().tenant_id;
  const tenant = typeof tenantId === 'string' ? await findTenantById(ctx.store.db, tenantId) : undefined;
  if (!client || !tenant) throw expired();
  return {
    oidc,
    uid,
    params: details.params,
    accountId: details.session?.accountId,
    clientId,
    clientName: client.clientName ?? clientId,
    tenant,
  };
}

function expired(): ApiError {
  return new ApiError(
    'interaction_expired',
    'This sign-in has ended or belongs to another browser. Go back to the site you came from and start again.',
  );
}

/** The pages are served from publicUrl's origin; a call from anywhere else is another site's. */
function assertSameOrigin(ctx: ServerContext, request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== new URL(ctx.publicUrl).origin) {
    throw new ApiError('forbidden', 'This call must come from the sign-in page itself.');
  }
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function serializeCookie(name: string, value: string, options: { path: string; maxAge: number; secure: boolean }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${Math.floor(options.maxAge)}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
