import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { ServerContext } from '../context.js';
import { OIDC_PATH, openIdProvider } from '../oidc/provider.js';

/**
 * oidc-provider (a Koa application) answers everything under /oidc. Fastify routes the request
 * and hands over the raw request and response; the provider reads its own bodies (form-encoded
 * token requests), so this scope parses none. `originalUrl` tells the provider where it is mounted,
 * as Express's `app.use('/oidc', ...)` would.
 *
 * Its pages link only this server's stylesheet, so the same strict policy as the hosted pages
 * applies, except `form-action`: the sign-out form's answer redirects to the portal, and Chromium
 * applies form-action to that redirect too. `script-src 'self'` is there for oidc-provider to add
 * the hash of the one script it writes (the auto-submit of response_mode=form_post and of the
 * account switch); no other inline script runs.
 */
const providerPagePolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

export function registerOpenIdProvider(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { provider, basePath } = await openIdProvider(ctx);
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/';
      // The provider builds every URL it publishes (discovery, redirects back to the portal) from the
      // request's host and scheme. Those come from the client, so they are set here from publicUrl:
      // a forged Host or X-Forwarded-Host cannot put another origin into discovery (or a cache).
      const origin = new URL(ctx.publicUrl);
      raw.headers['x-forwarded-proto'] = origin.protocol.replace(/:$/, '');
      raw.headers['x-forwarded-host'] = origin.host;
      // Behind a proxy that strips publicUrl's path, the provider still names its endpoints under it.
      raw.originalUrl = `${basePath}${url}`;
      raw.url = url.slice(OIDC_PATH.length) || '/';
      reply.hijack();
      reply.raw.setHeader('content-security-policy', providerPagePolicy);
      reply.raw.setHeader('referrer-policy', 'no-referrer');
      reply.raw.setHeader('x-content-type-options', 'nosniff');
      provider.callback()(raw, reply.raw);
    };
    scope.all(OIDC_PATH, handle);
    scope.all(`${OIDC_PATH}/*`, handle);
  });
}
