import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleServices, type ConsoleServices } from '../../src/main/services/console-services.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { addOperator, assertPrivateKeyring, filesContaining, keychainLookup, listFiles, tempDataDir } from './console-fixtures.js';

/**
 * Main's services in plain Node against a real server (SQLite) and the real Secret Service
 * (gnome-keyring on a private D-Bus session: scripts/with-private-keyring.sh).
 */
describe('operator session: keychain, silent sign-in, renewal, sign-out', () => {
  let server: TestServer;
  const cleanups: Array<() => void> = [];
  const openExternal = async () => {};

  beforeAll(async () => {
    assertPrivateKeyring();
    server = await startTestServer('sqlite', { realTime: true });
  });
  afterAll(async () => {
    for (const cleanup of cleanups) cleanup();
    await server?.close();
  });

  function launch(dataDir: string, extra: Partial<Parameters<typeof createConsoleServices>[0]> = {}): ConsoleServices {
    const services = createConsoleServices({ dataDir, openExternal, deviceName: 'MFA Desk test', ...extra });
    cleanups.push(() => services.close());
    return services;
  }

  async function signedIn(dataDir: string) {
    const operator = await addOperator(server);
    const services = launch(dataDir);
    await services.handlers['session:connect']({ serverUrl: server.baseUrl });
    const state = await services.handlers['session:signIn']({
      email: operator.email,
      password: operator.password,
      code: await operator.nextCode(),
    });
    return { operator, services, state };
  }

  it('keeps the refresh token in the keychain only; a restart signs in silently; no file under the data dir holds a token', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const { operator, services, state } = await signedIn(data.dir);
    expect(state.operator).toMatchObject({ email: operator.email, name: operator.name, role: 'support' });
    expect(state.remembered).toBe(true);
    expect(JSON.stringify(state)).not.toMatch(/token/i);

    const firstRefresh = keychainLookup(server.baseUrl, operator.email);
    expect(firstRefresh, 'secret-tool finds the stored credential').toBeTruthy();
    const firstAccess = await services.session.withAccessToken(async (_client, token) => token);
    services.close();

    // A restart: new services on the same data dir and keychain.
    const restarted = launch(data.dir);
    const resumed = await restarted.handlers['session:status']({});
    expect(resumed.operator?.email).toBe(operator.email);
    expect(resumed.notice).toBeNull();
    const secondRefresh = keychainLookup(server.baseUrl, operator.email);
    expect(secondRefresh, 'the silent sign-in rotated the refresh token').not.toBe(firstRefresh);
    const secondAccess = await restarted.session.withAccessToken(async (_client, token) => token);
    const users = await restarted.handlers['users:search']({ limit: 25 });
    expect(Array.isArray(users.items)).toBe(true);

    expect(listFiles(data.dir)).toContain('settings.json');
    expect(filesContaining(data.dir, [firstRefresh!, secondRefresh!, firstAccess, secondAccess])).toEqual([]);
  });

  it('sign-out revokes the session and deletes the keychain entry; the next start shows sign-in', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const { operator, services } = await signedIn(data.dir);
    const access = await services.session.withAccessToken(async (_client, token) => token);
    const out = await services.handlers['session:signOut']({});
    expect(out).toMatchObject({ operator: null, notice: 'signed_out', lastEmail: operator.email });
    expect(keychainLookup(server.baseUrl, operator.email)).toBeNull();
    // The server no longer accepts the access token either.
    expect((await server.call('GET', '/v1/admin/users', { token: access })).status).toBe(401);
    services.close();
    const restarted = launch(data.dir);
    expect((await restarted.handlers['session:status']({})).operator).toBeNull();
  });

  it('a revoked refresh token brings the operator back to sign-in with session_expired, and its entry is removed', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const { operator, services } = await signedIn(data.dir);
    services.close();
    // Someone presents the stored refresh token elsewhere: the console's copy is now a reused token.
    const stolen = keychainLookup(server.baseUrl, operator.email)!;
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: stolen } })).status).toBe(200);

    const restarted = launch(data.dir);
    const state = await restarted.handlers['session:status']({});
    expect(state).toMatchObject({ operator: null, notice: 'session_expired', lastEmail: operator.email });
    expect(keychainLookup(server.baseUrl, operator.email)).toBeNull();
  });

  it('renews the access token before it expires, once, however many calls are waiting', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    let skew = 0;
    const operator = await addOperator(server);
    const services = launch(data.dir, { now: () => Date.now() + skew });
    await services.handlers['session:connect']({ serverUrl: server.baseUrl });
    await services.handlers['session:signIn']({ email: operator.email, password: operator.password, code: await operator.nextCode() });
    const before = keychainLookup(server.baseUrl, operator.email);
    const accessBefore = await services.session.withAccessToken(async (_client, token) => token);

    // 14 minutes 55 s later (tokens live 15 minutes): every call needs a renewed token.
    skew = 895_000;
    const answers = await Promise.all(Array.from({ length: 6 }, () => services.handlers['users:search']({ limit: 25 })));
    expect(answers).toHaveLength(6);
    const after = keychainLookup(server.baseUrl, operator.email);
    expect(after).not.toBe(before);
    expect(await services.session.withAccessToken(async (_client, token) => token)).not.toBe(accessBefore);
    // One renewal only: two would have presented the same refresh token twice and revoked the family.
    const state = await services.handlers['session:status']({});
    expect(state.operator?.email).toBe(operator.email);
    expect((await server.call('POST', '/v1/admin/auth/refresh', { body: { refreshToken: after } })).status).toBe(200);
  });

  it('maps wrong credentials to invalid_credentials and an unreachable server to server_unreachable', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const operator = await addOperator(server);
    const services = launch(data.dir);
    await services.handlers['session:connect']({ serverUrl: server.baseUrl });
    await expect(
      services.handlers['session:signIn']({ email: operator.email, password: 'wrong password', code: await operator.nextCode() }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(services.handlers['session:connect']({ serverUrl: 'http://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'server_unreachable',
    });
    await expect(services.handlers['session:connect']({ serverUrl: 'http://desk.example.com' })).rejects.toMatchObject({
      code: 'invalid_server_url',
      options: { detail: 'https_required' },
    });
    await expect(services.handlers['users:search']({ limit: 25 })).rejects.toMatchObject({ code: 'not_signed_in' });
  });
});
