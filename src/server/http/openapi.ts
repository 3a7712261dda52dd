import { z } from 'zod';
import { errorStatus } from '../../shared/errors.js';
import type { RouteSpec } from './route-spec.js';

const errorBody = z.object({ error: z.enum(Object.keys(errorStatus) as [string, ...string[]]), message: z.string() }).catchall(z.unknown());

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
}

/** OpenAPI 3.0 built from the same route table and zod schemas that validate the requests. */
export function buildOpenApi(routes: RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const queryParameters = route.query
      ? Object.entries((jsonSchema(route.query, 'input') as { properties?: Record<string, unknown> }).properties ?? {}).map(
          ([name, schema]) => ({ name, in: 'query', required: false, schema }),
        )
      : [];
    const parameters = [
      ...[...route.url.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters,
    ];
    const errorCodes = route.errors ?? [];
    const errorStatuses = [...new Set(['invalid_request', ...errorCodes].map((code) => errorStatus[code as keyof typeof errorStatus]))];
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'none' ? {} : { security: [route.auth === 'device' ? { deviceSignature: [] } : { bearer: [] }] }),
      ...(route.auth === 'operator' ? { description: 'Operator access token (POST /v1/admin/auth/login).' } : {}),
      ...(route.auth === 'device'
        ? {
            description:
              'A push device request, signed (ES256) over method, path, body hash, time and nonce: headers x-mfadesk-device, x-mfadesk-time, x-mfadesk-nonce, x-mfadesk-signature (src/shared/push/protocol.ts).',
          }
        : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
        : {}),
      responses: {
        [String(route.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
        },
        ...Object.fromEntries(
          errorStatuses.map((status) => [
            String(status),
            {
              description: `Error: ${Object.entries(errorStatus)
                .filter(([code, s]) => s === status && (code === 'invalid_request' || errorCodes.includes(code)))
                .map(([code]) => code)
                .join(', ')}`,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'MFA Desk auth server',
      version,
      description: 'Errors are `{error, message, ...details}` with a stable `error` code (src/shared/errors.ts).',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        deviceSignature: { type: 'apiKey', in: 'header', name: 'x-mfadesk-signature', description: 'A signed push device request.' },
      },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
  };
}

/** A small, self-contained page (no CDN: the server may run offline) listing the operations. */
export function docsPage(routes: RouteSpec[]): string {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method}</code></td><td><code>${r.url.replace(/:(\w+)/g, '{$1}')}</code></td><td>${escapeHtml(r.summary)}</td><td>${r.auth}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>MFA Desk API</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #ddd}</style>
<h1>MFA Desk API</h1><p>Machine-readable contract: <a href="/openapi.json">/openapi.json</a>.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>auth</th></tr>${rows}</table></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}
