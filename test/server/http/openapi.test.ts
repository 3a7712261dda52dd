import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endUserRoutes } from '../../../src/server/http/routes/end-user-routes.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server.close());

  it('describes every route with the schemas that validate it', async () => {
    const { status, body } = await server.call<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>
      >;
    }>('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.0.3');
    for (const route of endUserRoutes) {
      expect(body.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
    }
    const login = body.paths['/v1/auth/login']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(login.properties ?? {}).sort()).toEqual(['deviceToken', 'email', 'password', 'tenant']);
    const docs = await fetch(`${server.baseUrl}/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/v1/auth/challenges/{id}/verify');
  });
});
