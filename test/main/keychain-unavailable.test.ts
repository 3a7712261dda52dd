import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { addOperator, filesContaining, listFiles, tempDataDir } from './console-fixtures.js';

/**
 * Without a keychain the console says so and stores nothing, rather than falling back to a file.
 * The services run in a child process whose D-Bus session address leads nowhere (libsecret decides
 * that once per process), against the real server in this one.
 */
describe('no keychain', () => {
  let server: TestServer;
  const data = tempDataDir();
  // The child's whole home: a fallback file could land anywhere under it, not only in the data dir.
  const home = tempDataDir();
  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
  });
  afterAll(async () => {
    await server?.close();
    data.remove();
    home.remove();
  });

  it('signs in for this run only, says the keychain is missing, and writes no token anywhere', async () => {
    const operator = await addOperator(server);
    // Asynchronously: the server answering the child runs on this process's event loop.
    const child = await promisify(execFile)(process.execPath, ['bin/run-ts.mjs', 'test/main/fixtures/sign-in-once.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mfa-desk-test-bus',
        DISPLAY: '',
        HOME: home.dir,
        XDG_CONFIG_HOME: `${home.dir}/.config`,
        XDG_DATA_HOME: `${home.dir}/.local/share`,
        XDG_CACHE_HOME: `${home.dir}/.cache`,
        CONSOLE_DATA_DIR: data.dir,
        SERVER_URL: server.baseUrl,
        OPERATOR_EMAIL: operator.email,
        OPERATOR_PASSWORD: operator.password,
        OPERATOR_CODE: await operator.nextCode(),
      },
    });
    const { state, tokens } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      state: { keychain: { available: boolean; reason: string }; operator: { email: string } | null; remembered: boolean };
      tokens: string[];
    };
    expect(state.keychain.available).toBe(false);
    expect(state.keychain.reason).toBeTruthy();
    expect(state.operator?.email).toBe(operator.email);
    expect(state.remembered).toBe(false);
    expect(listFiles(data.dir)).toEqual(['settings.json']);
    expect(tokens, 'the access token and the refresh token the server issued').toHaveLength(2);
    expect(filesContaining(data.dir, tokens)).toEqual([]);
    expect(filesContaining(home.dir, tokens)).toEqual([]);
  });
});
