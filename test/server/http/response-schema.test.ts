import Fastify from 'fastify';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerContext } from '../../../src/server/context.js';
import { registerRoute } from '../../../src/server/http/app.js';
import { installErrorHandling } from '../../../src/server/http/error-handler.js';
import { defineRoute, type RouteSpec } from '../../../src/server/http/route-spec.js';

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** A route whose handler answers more (or less) than its schema declares. */
async function appWith(route: RouteSpec) {
  const app = Fastify();
  apps.push(app);
  installErrorHandling(app);
  // Routes without auth never touch the context.
  registerRoute(app, {} as ServerContext, route);
  await app.ready();
  return app;
}

const declared = z.object({ id: z.string(), factors: z.array(z.object({ type: z.string(), since: z.string() })) });

describe("a route's response schema", () => {
  it('strips a field the schema does not declare, at every depth, before the answer leaves', async () => {
    const app = await appWith(
      defineRoute({
        method: 'GET',
        url: '/leaky',
        tag: 'test',
        auth: 'none',
        summary: 'test',
        response: declared,
        // A handler that spreads a database row: the secret must not reach the client.
        handler: async () =>
          ({ id: 'u1', password_hash: '$argon2id$...', factors: [{ type: 'totp', since: 'x', secret_enc: 'cipher' }] }) as never,
      }),
    );
    const answer = await app.inject({ method: 'GET', url: '/leaky' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ id: 'u1', factors: [{ type: 'totp', since: 'x' }] });
    expect(answer.body).not.toContain('argon2id');
    expect(answer.body).not.toContain('cipher');
  });

  it('answers 500, with nothing of the answer in it, when the handler leaves out a declared field', async () => {
    const app = await appWith(
      defineRoute({
        method: 'GET',
        url: '/short',
        tag: 'test',
        auth: 'none',
        summary: 'test',
        response: declared,
        handler: async () => ({ id: 'u1', secret: 'top' }) as never,
      }),
    );
    const answer = await app.inject({ method: 'GET', url: '/short' });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toMatchObject({ error: 'internal_error' });
    expect(answer.body).not.toContain('top');
  });
});
