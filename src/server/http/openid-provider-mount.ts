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
 * Its pages have no script and link only this server's stylesheet, so the same strict policy as the
 * hosted pages applies, except `form-action`: the sign-out form's answer redirects to the portal,
 * and Chromium applies form-action to that redirect too.
 */
const providerPagePolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

export function registerOpenIdProvider(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { provider } = await openIdProvider(ctx);
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/';
      raw.originalUrl = url;
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
