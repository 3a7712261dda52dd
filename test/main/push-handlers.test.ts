import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleHandlers } from '../../src/main/services/console-handlers.js';
import { PushRequestError, ReferencePushDevice } from '../../src/push-device/reference-device.js';
import type { CredentialStore } from '../../src/main/services/credential-store.js';
import { dispatch } from '../../src/main/services/dispatch.js';
import { OperatorSession } from '../../src/main/services/operator-session.js';
import { createSettingsStore } from '../../src/main/services/settings-store.js';
import type { ConsoleHandlers } from '../../src/shared/console-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { addOperator, tempDataDir } from './console-fixtures.js';

/** No keychain in these tests: the session lives for the run only (as on a computer without one). */
const noKeychain: CredentialStore = {
  probe: async () => ({ available: false, reason: 'not in this test' }),
  read: async () => null,
  write: async () => {},
  remove: async () => false,
};

/**
 * The push-approval channels (users:enrollPushDevice, users:revokePushDevice, pushAlerts:list) as the
 * renderer calls them: through dispatch (argument check, answer stripped to the contract), the handler
 * table and main's operator session, against a small real HTTP server that records what reached it
 * and answers as the admin API does (or misbehaves on purpose).
 */
describe('push device channels: handlers, HTTP calls and answers', () => {
  interface Seen {
    method: string;
    url: string;
    authorization: string | undefined;
    body: unknown;
  }
  const seen: Seen[] = [];
  type Answer = [number, unknown];
  let answerFor: (request: Seen) => Answer | undefined = () => undefined;
  let server: Server;
  let handlers: ConsoleHandlers;
  let session: OperatorSession;
  const data = tempDataDir();

  const enrollment = {
    enrollmentId: 'enr_1234567890',
    enrollmentUrl: 'http://127.0.0.1/authenticator/#e=enr_1234567890.secret-part',
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M0 0h7v7H0z"/></svg>',
    testCode: '482913',
    expiresAt: '2026-11-25T09:10:00.000Z',
    auditEventId: 'evt_1',
  };
  const alert = {
    id: 'evt_fraud_1',
    tenantId: 'ten_1',
    userId: 'usr_1',
    email: 'kari@example.test',
    name: 'Kari Holm',
    deviceId: 'pdv_1',
    deviceName: 'Kari’s Pixel',
    ip: '203.0.113.9',
    browser: 'Firefox on Windows',
    reportedAt: '2026-11-25T08:59:00.000Z',
    deviceState: 'suspended',
  };

  async function readBody(request: IncomingMessage): Promise<unknown> {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text ? JSON.parse(text) : undefined;
  }

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const entry: Seen = {
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        body: await readBody(request),
      };
      let answer: Answer | undefined;
      if (entry.url === '/healthz') answer = [200, { ok: true }];
      else if (entry.url === '/v1/admin/auth/login')
        answer = [
          200,
          {
            accessToken: 'access-token-1',
            refreshToken: 'refresh-token-0123456789',
            expiresIn: 900,
            operator: { id: 'op_1', email: 'agent@desk.test', name: 'Agent', role: 'support', tenantIds: [] },
          },
        ];
      else {
        seen.push(entry);
        answer = answerFor(entry);
      }
      const [status, body] = answer ?? [404, { error: 'not_found', message: 'no such route' }];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    session = new OperatorSession({
      settings: createSettingsStore(data.dir),
      credentials: noKeychain,
      deviceName: 'push test',
      log: () => {},
    });
    handlers = createConsoleHandlers({ session, openExternal: async () => {}, renderPdf: () => Promise.reject(new Error('no PDFs here')) });
    expect(await dispatch(handlers, 'session:connect', { serverUrl: baseUrl })).toMatchObject({ ok: true });
    const signedIn = await dispatch(handlers, 'session:signIn', { email: 'agent@desk.test', password: 'pw', code: '123456' });
    expect(signedIn).toMatchObject({ ok: true, value: { operator: { role: 'support' } } });
  });
  afterEach(() => {
    seen.length = 0;
    answerFor = () => undefined;
  });
  afterAll(async () => {
    session.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    data.remove();
  });

  it('users:enrollPushDevice posts ticket and reason with the Bearer token, and hands back the QR, link and test code, nothing more', async () => {
    answerFor = (r) =>
      r.method === 'POST' && r.url === '/v1/admin/users/usr_1/push-devices'
        ? [201, { ...enrollment, secret: 'a field the contract does not declare' }]
        : undefined;
    const answer = await dispatch(handlers, 'users:enrollPushDevice', { id: 'usr_1', ticket: ' INC-7 ', reason: 'New phone, wants push' });
    expect(answer).toEqual({ ok: true, value: enrollment });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/admin/users/usr_1/push-devices',
        authorization: 'Bearer access-token-1',
        body: { ticket: 'INC-7', reason: 'New phone, wants push' },
      },
    ]);
  });

  it('users:revokePushDevice posts to the device’s revoke route, with the ids in the path only', async () => {
    answerFor = (r) =>
      r.url === '/v1/admin/users/usr_1/push-devices/pdv_1/revoke' ? [200, { ok: true, auditEventId: 'evt_2' }] : undefined;
    const answer = await dispatch(handlers, 'users:revokePushDevice', {
      id: 'usr_1',
      deviceId: 'pdv_1',
      ticket: 'INC-8',
      reason: 'Phone stolen',
    });
    expect(answer).toEqual({ ok: true, value: { ok: true, auditEventId: 'evt_2' } });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/v1/admin/users/usr_1/push-devices/pdv_1/revoke',
        body: { ticket: 'INC-8', reason: 'Phone stolen' },
      }),
    ]);
  });

  it('path segments are encoded: an id cannot reach another route', async () => {
    answerFor = () => [200, { ok: true, auditEventId: 'evt_3' }];
    await dispatch(handlers, 'users:revokePushDevice', { id: 'usr_1', deviceId: '../../x?y', ticket: 'INC-9', reason: 'Encoding check' });
    expect(seen.map((r) => r.url)).toEqual(['/v1/admin/users/usr_1/push-devices/..%2F..%2Fx%3Fy/revoke']);
  });

  it('refuses a call without a device, a ticket or a reason before anything is sent', async () => {
    const refused = [
      await dispatch(handlers, 'users:revokePushDevice', { id: 'usr_1', ticket: 'INC-1', reason: 'No device given' }),
      await dispatch(handlers, 'users:revokePushDevice', { id: 'usr_1', deviceId: 'pdv_1', ticket: '', reason: 'No ticket' }),
      await dispatch(handlers, 'users:enrollPushDevice', { id: 'usr_1', ticket: 'INC-1', reason: '' }),
      await dispatch(handlers, 'users:enrollPushDevice', { id: 'usr_1', ticket: 'INC-1', reason: 'Extra field', deviceId: 'x' }),
      await dispatch(handlers, 'pushAlerts:list', { tenantId: '' }),
    ];
    for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(seen).toEqual([]);
  });

  it('pushAlerts:list reads the alerts, with the tenant filter when given, and drops undeclared fields', async () => {
    answerFor = (r) =>
      r.url.startsWith('/v1/admin/push-alerts') ? [200, { items: [{ ...alert, publicKeyJwk: { kty: 'EC' } }] }] : undefined;
    expect(await dispatch(handlers, 'pushAlerts:list', {})).toEqual({ ok: true, value: { items: [alert] } });
    expect(await dispatch(handlers, 'pushAlerts:list', { tenantId: 'ten_1' })).toEqual({ ok: true, value: { items: [alert] } });
    expect(seen.map((r) => [r.method, r.url, r.authorization])).toEqual([
      ['GET', '/v1/admin/push-alerts', 'Bearer access-token-1'],
      ['GET', '/v1/admin/push-alerts?tenantId=ten_1', 'Bearer access-token-1'],
    ]);
  });

  it('maps the server’s refusals to codes the dialog can say, and never sends a POST twice', async () => {
    const refusals: Record<string, Answer> = {
      '/v1/admin/users/gone/push-devices': [404, { error: 'not_found', message: 'no such user' }],
      '/v1/admin/users/other/push-devices': [403, { error: 'forbidden', message: 'another tenant' }],
      '/v1/admin/users/usr_1/push-devices/spent/revoke': [409, { error: 'conflict', message: 'already revoked' }],
      '/v1/admin/users/odd/push-devices': [201, { enrollmentId: 'e', qrSvg: '<svg/>' }],
      '/v1/admin/users/nopush/push-devices': [400, { error: 'method_not_available', message: 'push is not allowed here' }],
      '/v1/admin/users/new/push-devices': [409, { error: 'enrollment_incomplete', message: 'set up a first factor first' }],
    };
    answerFor = (r) => refusals[r.url];
    const ticket = { ticket: 'INC-10', reason: 'Refusal check' };
    expect(await dispatch(handlers, 'users:enrollPushDevice', { id: 'gone', ...ticket })).toMatchObject({ error: { code: 'not_found' } });
    expect(await dispatch(handlers, 'users:enrollPushDevice', { id: 'other', ...ticket })).toMatchObject({ error: { code: 'forbidden' } });
    expect(await dispatch(handlers, 'users:revokePushDevice', { id: 'usr_1', deviceId: 'spent', ...ticket })).toMatchObject({
      error: { code: 'conflict' },
    });
    // An answer without the link and test code is no enrollment the dialog could show.
    expect(await dispatch(handlers, 'users:enrollPushDevice', { id: 'odd', ...ticket })).toMatchObject({
      error: { code: 'unexpected_answer' },
    });
    // Said as what the operator can do about it, not as "invalid input" or "changed at the same time".
    expect(await dispatch(handlers, 'users:enrollPushDevice', { id: 'nopush', ...ticket })).toMatchObject({
      error: { code: 'method_not_available' },
    });
    expect(await dispatch(handlers, 'users:enrollPushDevice', { id: 'new', ...ticket })).toMatchObject({
      error: { code: 'enrollment_incomplete' },
    });
    expect(seen).toHaveLength(6);
  });

  it('an older server without push approval: the alerts answer not_found (the screens then show nothing)', async () => {
    expect(await dispatch(handlers, 'pushAlerts:list', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

/**
 * The same channels against the real server (SQLite): the console's calls and the server's routes
 * agree, and each has the effect the screens promise. The reference device plays the phone.
 */
describe('push device channels against a real server', () => {
  let server: TestServer;
  const sessions: OperatorSession[] = [];
  const dirs: Array<{ remove(): void }> = [];
  beforeAll(async () => {
    server = await startTestServer('sqlite', { realTime: true });
  });
  afterAll(async () => {
    for (const session of sessions) session.close();
    for (const dir of dirs) dir.remove();
    await server?.close();
  });

  async function consoleOf(role: 'support' | 'tenant_admin' | 'auditor', tenants?: string[]): Promise<ConsoleHandlers> {
    const data = tempDataDir();
    dirs.push(data);
    const session = new OperatorSession({
      settings: createSettingsStore(data.dir),
      credentials: noKeychain,
      deviceName: 'push test',
      log: () => {},
    });
    sessions.push(session);
    const handlers = createConsoleHandlers({
      session,
      openExternal: async () => {},
      renderPdf: () => Promise.reject(new Error('no PDFs here')),
    });
    const operator = await addOperator(server, role, tenants);
    await handlers['session:connect']({ serverUrl: server.baseUrl });
    await handlers['session:signIn']({ email: operator.email, password: operator.password, code: await operator.nextCode() });
    return handlers;
  }

  it('enrolls a device for a user, shows it and its fraud report, and revokes it; other tenants and auditors are refused', async () => {
    const tenant = await server.addTenant({ askOnlyOnNewIpOrPasswordChange: false }, 'sms');
    const user = await server.addUser(tenant, undefined, { phone: '+4791234567', name: 'Push User' });
    const support = await consoleOf('support');
    const ticket = { ticket: 'INC-42', reason: 'Wants push approval' };

    const started = await dispatch(support, 'users:enrollPushDevice', { id: user.id, ...ticket });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const enrollment = started.value as { enrollmentUrl: string; testCode: string; qrSvg: string; auditEventId: string };
    expect(enrollment.qrSvg).toMatch(/^<svg|^<\?xml/);
    expect(enrollment.testCode).toMatch(/^\d{6}$/);
    const device = await ReferencePushDevice.enroll(enrollment.enrollmentUrl, { name: 'Test phone', platform: 'Android' });
    await device.activate(enrollment.testCode);
    const detail = await support['users:get']({ id: user.id });
    expect(detail.pushDevices).toEqual([
      expect.objectContaining({ id: device.deviceId, name: 'Test phone', platform: 'Android', state: 'active' }),
    ]);
    expect(detail.factors.map((f) => f.type)).toContain('push');

    // "This wasn't me" on a sign-in: the alert the lockouts screen lists.
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect((await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/push`)).status).toBe(202);
    await device.respond(await device.waitForPending({ kind: 'sign_in' }), 'fraud');
    const alerts = await support['pushAlerts:list']({});
    expect(alerts.items.filter((a) => a.userId === user.id)).toEqual([
      expect.objectContaining({ deviceId: device.deviceId, deviceName: 'Test phone', ip: '127.0.0.1', deviceState: 'suspended' }),
    ]);

    // Another tenant's admin and an auditor: refused, and nothing changed.
    const otherTenant = await server.addTenant({}, 'sms');
    const stranger = await consoleOf('tenant_admin', [otherTenant]);
    expect(await dispatch(stranger, 'users:revokePushDevice', { id: user.id, deviceId: device.deviceId, ...ticket })).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/^(forbidden|not_found)$/) },
    });
    const auditor = await consoleOf('auditor');
    expect(await dispatch(auditor, 'users:enrollPushDevice', { id: user.id, ...ticket })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await dispatch(stranger, 'pushAlerts:list', {})).toMatchObject({
      ok: true,
      value: { items: [] },
    });

    expect(await dispatch(support, 'users:revokePushDevice', { id: user.id, deviceId: device.deviceId, ...ticket })).toMatchObject({
      ok: true,
      value: { ok: true },
    });
    expect((await support['users:get']({ id: user.id })).pushDevices).toEqual([]);
    await expect(device.pending()).rejects.toBeInstanceOf(PushRequestError);
    expect((await support['pushAlerts:list']({})).items.find((a) => a.userId === user.id)?.deviceState).toBe('revoked');
    // Revoking it again: it is gone.
    expect(await dispatch(support, 'users:revokePushDevice', { id: user.id, deviceId: device.deviceId, ...ticket })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
