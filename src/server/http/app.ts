import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { requestMeta } from './request-meta.js';
import { parseOrThrow } from './parse-input.js';
import { authenticateBearer } from './session-auth.js';
import { answerClientError, answerFrameworkError, describeZodError, installErrorHandling } from './error-handler.js';
import { buildOpenApi, docsPage } from './openapi.js';
import { registerEndUserPages } from './pages/end-user-pages.js';
import type { RouteSpec } from './route-spec.js';
import type { TrustProxy } from '../config.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { adminRoutes } from './routes/admin-routes.js';
import { endUserRoutes } from './routes/end-user-routes.js';
import { pushRoutes } from './routes/push-routes.js';
import { tenantAdminRoutes } from './routes/tenant-admin-routes.js';
import { registerPushEventStreams } from './push-event-streams.js';
import { registerOpenIdProvider } from './openid-provider-mount.js';
import { registerInteractionRoutes } from './routes/interaction-routes.js';
import { authenticateOperator } from '../admin/operator-auth.js';
import { authenticateDevice } from '../factors/push/device-requests.js';

export interface AppOptions {
  /** Which proxies' X-Forwarded-For to believe (config.ts `parseTrustProxy`). @default false */
  trustProxy?: TrustProxy;
  /** Pino logger options, or false. @default false */
  logger?: boolean | { level: string };
  /** @default 16 KiB: no request of this API needs more. */
  bodyLimit?: number;
  /**
   * Milliseconds from connecting to the end of the headers (Node's `server.headersTimeout`). A
   * slowloris client holds a socket by sending a header byte now and then; this limit counts from
   * the start, so trickling does not reset it (Node's http docs on `headersTimeout`; OWASP Denial
   * of Service Cheat Sheet). Headers of this API fit one packet; 20 s leaves room for retransmits.
   * @default 20_000
   */
  headersTimeout?: number;
  /**
   * Milliseconds to receive a whole request, body included (Node's `server.requestTimeout`). Fastify
   * sets Node's 300 s default to 0 (no limit) and its docs ask for a value on any server not behind
   * a reverse proxy; without one a stalled body holds its socket forever. 16 KiB arrives in 30 s
   * even at 1 KB/s. Must not be below `headersTimeout`.
   * @default 30_000
   */
  requestTimeout?: number;
  /**
   * Milliseconds a socket may see no traffic at all mid-request (Fastify's `connectionTimeout`,
   * `server.setTimeout`): the one guard against a client that stops reading its answer. Above
   * `requestTimeout`, so it never cuts a request those two limits would let finish.
   * @default 60_000
   */
  connectionTimeout?: number;
  /**
   * Milliseconds an idle keep-alive connection waits for its next request.
   * @default 72_000 (Fastify's): longer than a load balancer's usual 60 s idle timeout, so the
   * balancer closes a pooled connection first and never sends a request into one this server is closing.
   */
  keepAliveTimeout?: number;
}

const VERSION = '0.1.0';

export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const headersTimeout = options.headersTimeout ?? 20_000;
  const requestTimeout = options.requestTimeout ?? 30_000;
  const app = Fastify({
    logger: options.logger
      ? { ...(typeof options.logger === 'object' ? options.logger : {}), serializers: { req: redactedRequest } }
      : false,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    requestTimeout,
    connectionTimeout: options.connectionTimeout ?? 60_000,
    keepAliveTimeout: options.keepAliveTimeout ?? 72_000,
    // The sweep interval can only be set as Node creates the server; given the two limits as well,
    // Node refuses a headersTimeout above requestTimeout instead of silently capping it.
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: sweepInterval(headersTimeout, requestTimeout) },
    // Fastify answers a bad %-escape or an over-long path id itself, echoing the URL, unless told.
    frameworkErrors: (error, request, reply) => answerFrameworkError(error, request, reply),
    clientErrorHandler: answerClientError,
  });
  installErrorHandling(app);

  // Our own JSON parser, and no other: Fastify's text/plain parser would hand the schema a string
  // (400) where the client should hear 415. An empty body is "no body" (POST /v1/auth/logout
  // without one is fine), and malformed JSON becomes our stable `invalid_json` answer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The bytes as sent, for the routes whose body is signed (a push device's requests).
    rawBodies.set(request, body as string);
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ApiError('invalid_json', 'The body is not valid JSON.'), undefined);
    }
  });

  const routes = [...endUserRoutes, ...pushRoutes, ...adminRoutes, ...tenantAdminRoutes];
  for (const route of routes) registerRoute(app, ctx, route);

  const openApi = buildOpenApi(routes, VERSION);
  app.get('/openapi.json', async () => openApi);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(routes)));
  app.get('/healthz', async () => ({ ok: true }));
  registerEndUserPages(app);
  registerPushEventStreams(app, ctx);
  registerOpenIdProvider(app, ctx);
  registerInteractionRoutes(app, ctx);
  return app;
}

/**
 * Node enforces the header and request limits only when it sweeps its connections, every 30 s by
 * default: a slow client could outstay a 20 s limit by 30 s more. A quarter of the shorter limit
 * keeps that overshoot to 25%; the sweep only walks the list of unfinished requests.
 */
function sweepInterval(headersTimeout: number, requestTimeout: number): number | undefined {
  const limits = [headersTimeout, requestTimeout].filter((ms) => ms > 0);
  return limits.length ? Math.max(10, Math.floor(Math.min(...limits) / 4)) : undefined;
}

/** Each request's body as received, kept only as long as the request object lives. */
const rawBodies = new WeakMap<FastifyRequest, string>();

/** One route of the table: its schemas parse the request in and the answer out. */
export function registerRoute(app: FastifyInstance, ctx: ServerContext, route: RouteSpec): void {
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
            : route.auth === 'device'
              ? await authenticateDevice(ctx, {
                  method: request.method,
                  url: request.url,
                  headers: request.headers,
                  rawBody: rawBodies.get(request) ?? '',
                })
              : await authenticateBearer(ctx, request.headers.authorization, route.auth === 'session' ? ['full'] : ['full', 'enrollment']);
      const result = await route.handler({ ctx, body, params, query, meta, auth: auth as never });
      return reply.code(route.status ?? 200).send(declaredAnswer(route, result));
    },
  });
}

/**
 * The answer as its schema declares it (Logto's koa-guard): zod objects drop keys they do not name,
 * so a field a handler adds by accident (a spread database row, a secret) never leaves the server.
 * An answer that does not fit its schema is our bug: 500, logged, and nothing of it sent.
 */
function declaredAnswer(route: RouteSpec, result: unknown): unknown {
  const parsed = route.response.safeParse(result);
  if (parsed.success) return parsed.data;
  const { issues } = describeZodError(parsed.error);
  throw new Error(
    `The answer of ${route.method} ${route.url} does not match its schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
  );
}

/** Request logs never carry secrets: reset-link tokens in paths are blanked, headers are left out. */
function redactedRequest(request: { method: string; url: string }): { method: string; url: string } {
  return { method: request.method, url: request.url.replace(/(phone-reset\/)[^/?]+/, '$1[redacted]') };
}
