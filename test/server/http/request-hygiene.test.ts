import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../src/server/bootstrap.js';
import { ManualClock } from '../../../src/server/clock.js';
import { configFromEnv } from '../../../src/server/config.js';
import type { ServerContext } from '../../../src/server/context.js';
import { buildApp, type AppOptions } from '../../../src/server/http/app.js';
import { dialects, freshDatabase, type TestDatabase } from '../../support/databases.js';
import { signedInOperator } from '../../support/operators.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** What a raw client saw: everything the server wrote, and when (ms after connecting) it closed, or null if it never did. */
interface RawExchange {
  received: string;
  closedAfterMs: number | null;
}

/**
 * A client that speaks HTTP by hand: each step is bytes to write or a pause, and after the last
 * one it waits (up to `waitMs`) for the server to close. Nothing fetch does can stall mid-request.
 */
function rawExchange(port: number, steps: Array<string | { pauseMs: number }>, waitMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let received = '';
    let giveUp: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {}); // a reset is a close, too
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: Date.now() - startedAt });
    });
    socket.on('connect', async () => {
      for (const step of steps) {
        if (socket.destroyed) return;
        if (typeof step === 'string') socket.write(step);
        else await new Promise((wake) => setTimeout(wake, step.pauseMs));
      }
      giveUp = setTimeout(() => {
        socket.removeAllListeners('close');
        socket.destroy();
        resolve({ received, closedAfterMs: null });
      }, waitMs);
    });
  });
}

/** `count` copies of a pause followed by `text`: a client that is never idle long, yet never finishes. */
const trickle = (text: string, everyMs: number, count: number) => Array.from({ length: count }, () => [{ pauseMs: everyMs }, text]).flat();

const loginHeaders = (contentLength: number, extra = '') =>
  `POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;

describe.each(dialects)('slow and stalled clients on %s', (dialect) => {
  // Small limits so the test is quick; the idle timeout is far above them, so only the header and
  // whole-request limits can be what closes a trickling client.
  const limits = { headersTimeout: 400, requestTimeout: 800, connectionTimeout: 20_000 } satisfies AppOptions;
  // Node checks the two limits periodically (a quarter of the shorter, see app.ts), not to the millisecond.
  const slack = 1_000;
  let database: TestDatabase;
  let ctx: ServerContext;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    const env = { MFA_DESK_DATA_DIR: database.dataDir, DATABASE_URL: database.url, MFA_DESK_KEY: randomBytes(32).toString('base64') };
    ctx = await createContext(configFromEnv(env), new ManualClock(Date.UTC(2026, 10, 25, 9, 0, 0)));
    app = await buildApp(ctx, limits);
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  afterAll(async () => {
    await app.close();
    await ctx.delivery.stop();
    await ctx.store.close();
    await database.drop();
  });

  it('closes a connection that never sends anything', async () => {
    const exchange = await rawExchange(port, [], limits.headersTimeout + slack + 2_000);
    expect(exchange.closedAfterMs).not.toBeNull();
    expect(exchange.closedAfterMs).toBeLessThan(limits.headersTimeout + slack);
  });

  it('closes a connection whose request line stalls, answering 408 or nothing', async () => {
    const exchange = await rawExchange(port, ['GET /healthz HT'], limits.headersTimeout + slack + 2_000);
    expect(exchange.closedAfterMs).toBeLessThan(limits.headersTimeout + slack);
    expect(exchange.received === '' || exchange.received.startsWith('HTTP/1.1 408 ')).toBe(true);
  });

  it('closes a slowloris client that trickles a header line every 100 ms, never idle, never done', async () => {
    const steps = ['GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', ...trickle('X-Slow: 1\r\n', 100, 40)];
    const exchange = await rawExchange(port, steps, slack + 2_000);
    expect(exchange.closedAfterMs).not.toBeNull();
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(limits.headersTimeout);
    expect(exchange.closedAfterMs).toBeLessThan(limits.headersTimeout + slack);
    expect(exchange.received).not.toContain('200 OK');
  });

  it('closes a connection whose body stalls after the headers, with a 408', async () => {
    const exchange = await rawExchange(port, [loginHeaders(200), '{"tenant":"acme",'], limits.requestTimeout + slack + 2_000);
    expect(exchange.closedAfterMs).not.toBeNull();
    expect(exchange.closedAfterMs).toBeLessThan(limits.requestTimeout + slack);
    expect(exchange.received).toMatch(/^HTTP\/1\.1 408 /);
    // Our shape and a stable code, not Fastify's own body.
    expect(JSON.parse(exchange.received.split('\r\n\r\n')[1]!)).toEqual({ error: 'request_timeout', message: expect.any(String) });
  });

  it('closes a connection whose body trickles a byte every 100 ms', async () => {
    const exchange = await rawExchange(port, [loginHeaders(200), ...trickle(' ', 100, 40)], slack + 2_000);
    expect(exchange.closedAfterMs).not.toBeNull();
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(limits.headersTimeout);
    expect(exchange.closedAfterMs).toBeLessThan(limits.requestTimeout + slack);
    expect(exchange.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still answers a client that pauses between headers and body, within the limits', async () => {
    const body = JSON.stringify({ tenant: 'no-such-tenant', email: 'a@b.test', password: 'x' });
    const exchange = await rawExchange(
      port,
      [loginHeaders(Buffer.byteLength(body), 'Connection: close\r\n'), { pauseMs: 150 }, body],
      1_500,
    );
    expect(exchange.received).toMatch(/^HTTP\/1\.1 404 /);
    expect(exchange.received).toContain('"error":"unknown_tenant"');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('has request, header and idle limits by default, the header limit within the request limit', async () => {
    const defaults = await buildApp(ctx);
    try {
      const server = defaults.server;
      expect(server.requestTimeout).toBeGreaterThan(0);
      expect(server.headersTimeout).toBeGreaterThan(0);
      expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
      expect(server.timeout).toBeGreaterThan(0);
      expect(server.keepAliveTimeout).toBeGreaterThan(0);
      // Long enough for a real client on a poor connection to send 16 KiB of JSON.
      expect(server.requestTimeout).toBeGreaterThanOrEqual(10_000);
    } finally {
      await defaults.close();
    }
  });
});

describe.each(dialects)('malformed URLs and foreign media types on %s', (dialect) => {
  let server: TestServer;
  let operatorToken: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    operatorToken = (await signedInOperator(server, 'support')).accessToken;
  });
  afterAll(() => server.close());

  /** The answer as text too, to check what it echoes. */
  async function raw(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
  ): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers: init.headers, body: init.body });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
  }

  // [method, path, the bad escape that must not come back]
  const badPaths = [
    ['GET', '/v1/admin/users/%E0%A4%A', '%E0%A4%A'],
    ['GET', '/v1/admin/users/%E0%A4%A?include=all', '%E0%A4%A'],
    ['POST', '/v1/auth/challenges/%zz/verify', '%zz'],
    ['GET', '/v1/me/%', '/v1/me/%'],
    ['GET', '/no-such-route/%C0%AF', '%C0%AF'],
  ] as const;

  for (const [method, path, escape] of badPaths) {
    it(`answers ${method} ${path} with 400 invalid_request, echoing nothing of the URL`, async () => {
      const answer = await raw(method, path, {
        headers: { authorization: `Bearer ${operatorToken}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        body: method === 'POST' ? '{"method":"totp","code":"123456"}' : undefined,
      });
      expect(answer.status, answer.text).toBe(400);
      expect(Object.keys(answer.body).sort()).toEqual(['error', 'message']);
      expect(answer.body.error).toBe('invalid_request');
      expect(typeof answer.body.message).toBe('string');
      expect(answer.text).not.toContain(escape);
      expect(answer.text).not.toContain('FST_');
    });
  }

  it('takes a bad escape in the query literally or refuses it, never with a 5xx', async () => {
    const answer = await raw('GET', '/v1/admin/users?q=%E0%A4%A&cursor=%zz', { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(answer.status, answer.text).toBeLessThan(500);
    if (answer.status >= 400) expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('answers a path id past the router limit with 400 invalid_request, echoing nothing', async () => {
    const id = 'z'.repeat(300);
    const answer = await raw('GET', `/v1/admin/users/${id}`, { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_request', message: expect.any(String) });
    expect(answer.text).not.toContain(id);
  });

  it('keeps answering well-formed escapes as before', async () => {
    const answer = await raw('GET', `/v1/admin/users/${encodeURIComponent('nö such/user')}`, {
      headers: { authorization: `Bearer ${operatorToken}` },
    });
    expect(answer.status).toBeLessThan(500);
    expect(answer.status).not.toBe(400);
  });

  for (const contentType of [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    'application/xml',
  ]) {
    it(`answers a ${contentType} body with 415 unsupported_media_type`, async () => {
      const answer = await raw('POST', '/v1/auth/login', {
        headers: { 'content-type': contentType },
        body: '{"tenant":"x","email":"a@b.test","password":"x"}',
      });
      expect(answer.status, answer.text).toBe(415);
      expect(answer.body).toEqual({ error: 'unsupported_media_type', message: expect.any(String) });
    });
  }

  it('answers a body without any Content-Type with 415', async () => {
    // fetch labels a string body text/plain; bytes go without a Content-Type.
    const answer = await raw('POST', '/v1/auth/login', {
      body: new TextEncoder().encode('{"tenant":"x","email":"a@b.test","password":"x"}'),
    });
    expect(answer.status, answer.text).toBe(415);
    expect(answer.body.error).toBe('unsupported_media_type');
  });

  it('still takes JSON with a charset, and no body at all where none is needed', async () => {
    const login = await raw('POST', '/v1/auth/login', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"tenant":"no-such-tenant","email":"a@b.test","password":"x"}',
    });
    expect(login.body.error).toBe('unknown_tenant');
    const logout = await raw('POST', '/v1/auth/logout');
    expect(logout.body.error).toBe('unauthorized');
  });

  it('names an unknown route by its path as sent, JSON-escaped, without the query', async () => {
    const answer = await raw('GET', '/v1/%3Cscript%3E?token=secret');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'not_found', message: 'No route GET /v1/%3Cscript%3E.' });
  });
});
