import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import type { RequestMeta } from '../flows/request-meta.js';
import { authenticateBearer } from '../flows/session-auth.js';
import { describeZodError, installErrorHandling } from './error-handler.js';
import { buildOpenApi, docsPage } from './openapi.js';
import { registerPhoneResetPage } from './pages/phone-reset-page.js';
import type { RouteSpec } from './route-spec.js';
import type { TrustProxy } from '../config.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { adminRoutes } from './routes/admin-routes.js';
import { endUserRoutes } from './routes/end-user-routes.js';
import { authenticateOperator } from '../admin/operator-auth.js';

export interface AppOptions {
  /** Which proxies' X-Forwarded-For to believe (config.ts `parseTrustProxy`). @default false */
  trustProxy?: TrustProxy;
  /** Pino logger options, or false. @default false */
  logger?: boolean | { level: string };
  /** @default 16 KiB: no request of this API needs more. */
  bodyLimit?: number;
}

const VERSION = '0.1.0';

export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { ...(typeof options.logger === 'object' ? options.logger : {}), serializers: { req: redactedRequest } } : false,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
  });
  installErrorHandling(app);

  // Our own JSON parser: an empty body is "no body" (POST /v1/auth/logout without one is fine),
  // and malformed JSON becomes our stable `invalid_json` answer.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ApiError('invalid_json', 'The body is not valid JSON.'), undefined);
    }
  });

  const routes = [...endUserRoutes, ...adminRoutes];
  for (const route of routes) registerRoute(app, ctx, route);

  const openApi = buildOpenApi(routes, VERSION);
  app.get('/openapi.json', async () => openApi);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(routes)));
  app.get('/healthz', async () => ({ ok: true }));
  registerPhoneResetPage(app);
  return app;
}

function registerRoute(app: FastifyInstance, ctx: ServerContext, route: RouteSpec): void {
  app.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      const params = route.params ? parseOrThrow(route.params, request.params) : {};
      const query = route.query ? parseOrThrow(route.query, request.query) : {};
      const body = route.body ? parseOrThrow(route.body, request.body) : undefined;
      const meta = requestMeta(request);
      const auth =
        route.auth === 'none'
          ? undefined
          : route.auth === 'operator'
            ? await authenticateOperator(ctx, request.headers.authorization)
            : await authenticateBearer(ctx, request.headers.authorization, route.auth === 'session' ? ['full'] : ['full', 'enrollment']);
      const result = await route.handler({ ctx, body, params, query, meta, auth: auth as never });
      return reply.code(route.status ?? 200).send(result);
    },
  });
}

function parseOrThrow(schema: NonNullable<RouteSpec['body']>, value: unknown): unknown {
  // PostgreSQL refuses NUL in text (SQLite would keep it): refuse it for both, before any query.
  if (containsNul(value)) throw new ApiError('invalid_request', 'Text may not contain NUL (\\u0000) characters.');
  const result = schema.safeParse(value);
  if (!result.success) {
    const { message, issues } = describeZodError(result.error);
    throw new ApiError('invalid_request', message, { issues });
  }
  return result.data;
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1));
}

/** Request logs never carry secrets: reset-link tokens in paths are blanked, headers are left out. */
function redactedRequest(request: { method: string; url: string }): { method: string; url: string } {
  return { method: request.method, url: request.url.replace(/(phone-reset\/)[^/?]+/, '$1[redacted]') };
}

function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512) };
}
