import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../support/test-server.js';

/**
 * Independent checkers, not our own code: the QR the server draws is rendered to PNG (rsvg-convert)
 * and decoded by zbarimg; the confirmation code comes from oathtool. If either disagrees with us,
 * real authenticator apps would too.
 */
describe('enrollment QR code, checked by zbarimg and oathtool', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    // oathtool reads the real clock, so this test runs the server on real time too.
    server.clock.set(Date.now());
  });
  afterAll(() => server.close());

  it('decodes to the otpauth URI, and an oathtool code confirms the enrollment', async () => {
    const tenant = await server.addTenant();
    const user = await server.addUser(tenant);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const token = String(login.body.enrollmentToken);
    const started = await server.call<{ secret: string; otpauthUri: string; qrSvg: string }>('POST', '/v1/enroll/totp', { token });

    const dir = mkdtempSync(join(tmpdir(), 'mfa-qr-'));
    writeFileSync(join(dir, 'qr.svg'), started.body.qrSvg);
    execFileSync('rsvg-convert', ['--width', '400', '--background-color', 'white', '-o', join(dir, 'qr.png'), join(dir, 'qr.svg')]);
    const decoded = execFileSync('zbarimg', ['-q', '--raw', join(dir, 'qr.png')], { encoding: 'utf8' }).trim();
    expect(decoded).toBe(started.body.otpauthUri);

    const secret = new URL(decoded).searchParams.get('secret')!;
    server.clock.set(Date.now());
    const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
    const confirmed = await server.call<{ recoveryCodes: string[] }>('POST', '/v1/enroll/totp/confirm', { token, body: { code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
  });
});
