import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/server/http/routes/admin-routes.js';
import { endUserRoutes } from '../../../src/server/http/routes/end-user-routes.js';
import { pushRoutes } from '../../../src/server/http/routes/push-routes.js';
import { tenantAdminRoutes } from '../../../src/server/http/routes/tenant-admin-routes.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator } from '../../support/operators.js';
import { enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Whatever arrives, an end-user route answers 2xx or a 4xx with a stable error code and a message:
 * never a 5xx, never a stack trace. Random JSON values, random bytes, wrong types, with and without
 * a valid session, on both databases (PostgreSQL refuses some text SQLite keeps, NUL for one), with
 * any Unicode (lone surrogates and NUL included) in bodies, query strings and path ids.
 */
describe.each(dialects)('random bodies at every route on %s', (dialect) => {
  let server: TestServer;
  let session: string;
  let operatorToken: string;
  let userId: string;
  let challengeId: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    const tenant = await server.addTenant({ maxFailedCodes: 100_000 });
    const user = await enrollUser(server, tenant);
    session = user.sessionToken;
    userId = user.id;
    operatorToken = (await signedInOperator(server, 'support')).accessToken;
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    challengeId = String(login.body.challengeId);
  });
  afterAll(() => server.close());

  // Text that databases and parsers treat specially, alone or inside random text.
  const nasty = fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uFFFF',
    "'; DROP TABLE users; --",
    '%_\\',
    '\u202E',
    'x'.repeat(300),
    '1e309',
    '-0',
  );
  const binary = fc.string({ unit: 'binary', maxLength: 40 });
  const anyText = fc.oneof(
    binary,
    nasty,
    fc.tuple(binary, nasty, binary).map((parts) => parts.join('')),
  );
  const fieldNames = fc.constantFrom(
    'tenant',
    'email',
    'password',
    'method',
    'code',
    'rememberDevice',
    'deviceToken',
    'scope',
    'recoveryCodesSaved',
    'currentPassword',
    'newPassword',
    'phone',
    'ticket',
    'reason',
    'deviceId',
    'refreshToken',
    'token',
    'deviceName',
    '__proto__',
    'constructor',
  );
  const anyBody = fc.oneof(
    // Right field names with any text: gets past the shape checks and into the flows and queries.
    fc
      .dictionary(fieldNames, fc.oneof(anyText, fc.constantFrom('totp', 'recovery_code', 'sms', 'bank', '123456', 'a@b.test')))
      .map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .dictionary(
        fc.constantFrom(
          'tenant',
          'email',
          'password',
          'method',
          'code',
          'rememberDevice',
          'deviceToken',
          'scope',
          'recoveryCodesSaved',
          'currentPassword',
          'newPassword',
          'phone',
          'ticket',
          'reason',
          'deviceId',
          'refreshToken',
          'token',
          'deviceName',
          '__proto__',
          'constructor',
        ),
        fc.jsonValue(),
      )
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );

  const anyQuery = fc.dictionary(
    fc.constantFrom('q', 'tenantId', 'filter', 'cursor', 'limit', 'active', 'userId', 'actorId', 'action', 'from', 'to', 'state'),
    fc.oneof(fc.string({ maxLength: 40 }), anyText),
  );

  /** Any text as a path segment; a lone surrogate cannot be percent-encoded, so it travels as U+FFFD. */
  const pathSegment = (text: string) =>
    encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') || 'x');

  for (const route of [...endUserRoutes, ...pushRoutes, ...adminRoutes, ...tenantAdminRoutes]) {
    it(`${route.method} ${route.url}`, async () => {
      const isAdmin = route.url.startsWith('/v1/admin/');
      await fc.assert(
        fc.asyncProperty(
          anyBody,
          fc.boolean(),
          fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
          anyQuery,
          fc.oneof(fc.constantFrom('known', 'unknown'), anyText),
          async (body, withToken, contentType, query, idKind) => {
            const id = pathSegment(idKind === 'known' ? (isAdmin ? userId : challengeId) : idKind === 'unknown' ? 'no-such-id' : idKind);
            const path = `${route.url.replace(':id', id).replace(':deviceId', id).replace(':scope', 'bank').replace(':token', 'A'.repeat(43))}?${new URLSearchParams(query)}`;
            const token = isAdmin ? operatorToken : session;
            const response = await fetch(`${server.baseUrl}${path}`, {
              method: route.method,
              headers: { 'content-type': contentType, ...(withToken ? { authorization: `Bearer ${token}` } : {}) },
              body: route.method === 'GET' ? undefined : body,
            });
            const text = await response.text();
            expect(response.status, text).toBeLessThan(500);
            if (response.status >= 400) {
              const parsed = JSON.parse(text) as { error: unknown; message: unknown };
              expect(typeof parsed.error).toBe('string');
              expect(typeof parsed.message).toBe('string');
              expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack frames
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('refuses an oversized body with 413 payload_too_large', async () => {
    const answer = await server.call('POST', '/v1/auth/login', { body: { tenant: 'x', email: 'a@b.test', password: 'p'.repeat(20_000) } });
    expect(answer).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });

  it('names the bad fields of a mistyped request', async () => {
    const answer = await server.call('POST', '/v1/auth/login', { body: { tenant: 1, email: 'not-an-email', password: '' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
    expect((answer.body.issues as Array<{ path: string }>).map((i) => i.path).sort()).toEqual(['email', 'password', 'tenant']);
  });

  it('answers malformed JSON, unknown tenants, expired tokens and unknown routes with stable codes', async () => {
    expect((await server.call('POST', '/v1/auth/login', { body: '{"tenant": ' })).body.error).toBe('invalid_json');
    expect(
      (await server.call('POST', '/v1/auth/login', { body: { tenant: 'no-such-tenant', email: 'a@b.test', password: 'x' } })).body.error,
    ).toBe('unknown_tenant');
    expect((await server.call('GET', '/v1/me', { token: 'A'.repeat(43) })).body.error).toBe('invalid_token');
    expect((await server.call('GET', '/v1/me')).body.error).toBe('unauthorized');
    expect((await server.call('GET', '/v1/nothing-here')).body.error).toBe('not_found');
    expect(
      (await server.call('POST', '/v1/auth/challenges/no-such-challenge/verify', { body: { method: 'totp', code: '123456' } })).body.error,
    ).toBe('not_found');
  });
});
