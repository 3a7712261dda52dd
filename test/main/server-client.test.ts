import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyNetworkError } from '../../src/main/services/network-errors.js';
import { createServerClient } from '../../src/main/services/server-client.js';

/** Small real HTTP servers that misbehave on purpose: what the admin API client does about it. */
describe('server client', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('retries a GET that failed on the network, and answers once the server does', async () => {
    let requests = 0;
    const url = await serve((request, response) => {
      if (++requests === 1) return request.socket.destroy();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], nextCursor: null }));
    });
    const client = createServerClient(url, { retryDelaysMs: [10, 10] });
    expect(await client.searchUsers('token', { limit: 25 })).toEqual({ items: [], nextCursor: null });
    expect(requests).toBe(2);
  });

  it('never retries a POST: the first attempt may have reached the server', async () => {
    let requests = 0;
    const url = await serve((request) => {
      requests++;
      request.socket.destroy();
    });
    const client = createServerClient(url, { retryDelaysMs: [10, 10] });
    await expect(client.refresh('a-refresh-token-long-enough')).rejects.toMatchObject({ code: 'server_unreachable' });
    expect(requests).toBe(1);
  });

  it('maps the server’s error codes to what a support agent can act on', async () => {
    const answers: Record<string, [number, object]> = {
      '/v1/admin/users/locked': [423, { error: 'account_locked', message: 'locked' }],
      '/v1/admin/users/forbidden': [403, { error: 'forbidden', message: 'no' }],
      '/v1/admin/users/gone': [404, { error: 'not_found', message: 'gone' }],
      '/v1/admin/users/expired': [401, { error: 'invalid_token', message: 'expired' }],
      '/v1/admin/users/broken': [500, { error: 'internal_error', message: 'oops' }],
      '/v1/admin/users/odd': [200, { surprise: true }],
    };
    const url = await serve((request, response) => {
      const [status, body] = answers[request.url ?? ''] ?? [404, {}];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const client = createServerClient(url, { retryDelaysMs: [] });
    await expect(client.getUser('t', 'locked')).rejects.toMatchObject({ code: 'locked', status: 423 });
    await expect(client.getUser('t', 'forbidden')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(client.getUser('t', 'gone')).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.getUser('t', 'expired')).rejects.toMatchObject({ code: 'session_expired', status: 401 });
    await expect(client.getUser('t', 'broken')).rejects.toMatchObject({ code: 'server_error' });
    await expect(client.getUser('t', 'odd')).rejects.toMatchObject({ code: 'unexpected_answer' });
  });

  it('says the server is unreachable when nothing listens, and not an MFA Desk server when something else answers', async () => {
    await expect(createServerClient('http://127.0.0.1:9', { retryDelaysMs: [] }).checkServer()).rejects.toMatchObject({
      code: 'server_unreachable',
    });
    const url = await serve((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
    await expect(createServerClient(url).checkServer()).rejects.toMatchObject({ code: 'not_mfa_desk_server' });
  });

  it('classifies what fetch throws', () => {
    const wrapped = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    expect(classifyNetworkError(wrapped('ECONNREFUSED'))).toEqual({ code: 'server_unreachable', cause: 'ECONNREFUSED' });
    expect(classifyNetworkError(wrapped('ENOTFOUND'))).toEqual({ code: 'server_unreachable', cause: 'ENOTFOUND' });
    expect(classifyNetworkError(wrapped('ENETUNREACH'))).toEqual({ code: 'offline', cause: 'ENETUNREACH' });
    expect(classifyNetworkError(wrapped('EAI_AGAIN'))).toEqual({ code: 'offline', cause: 'EAI_AGAIN' });
    expect(classifyNetworkError(new DOMException('timed out', 'TimeoutError'))).toEqual({ code: 'server_unreachable', cause: 'timeout' });
    expect(classifyNetworkError(new RangeError('a bug'))).toBeNull();
  });
});
