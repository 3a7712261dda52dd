import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushRequestError, ReferencePushDevice } from '../../../src/push-device/reference-device.js';
import { deviceHeaders } from '../../../src/shared/push/protocol.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator } from '../../support/operators.js';
import { enrollUser, lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

/** A push device's refusal, as its status and error body. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; error?: string; reason?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PushRequestError) return { status: error.status, error: error.body.error, reason: error.body.reason };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(dialects)('push approval on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    // The sms preset (seed 003) offers push first; asking at every sign-in keeps each test's sign-ins apart.
    tenant = await server.addTenant({ askOnlyOnNewIpOrPasswordChange: false }, 'sms');
  });
  afterAll(() => server.close());

  const clock = () => server.clock.now();

  /** An enrolled user (authenticator app) with an active push device. */
  async function userWithDevice(name = 'Test phone') {
    const user = await enrollUser(server, tenant);
    const started = await server.call<{ enrollmentUrl: string; testCode: string }>('POST', '/v1/me/push-devices', {
      token: user.sessionToken,
    });
    expect(started.status).toBe(200);
    const device = await ReferencePushDevice.enroll(started.body.enrollmentUrl, { name, clock });
    expect((await device.pending()).deviceState).toBe('pending');
    await device.activate(started.body.testCode);
    expect((await device.pending()).deviceState).toBe('active');
    return { user, device };
  }

  async function signInWithPush(user: { email: string; password: string }) {
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(login.body).toMatchObject({ status: 'mfa_required', preferred: 'push' });
    const challengeId = String(login.body.challengeId);
    const sent = await server.call<{ code: string; resendsLeft: number }>('POST', `/v1/auth/challenges/${challengeId}/push`);
    expect(sent.status).toBe(202);
    return { challengeId, code: sent.body.code };
  }

  it('enrolls a device by its link, then a sign-in completes with the code typed on the device', async () => {
    const { user, device } = await userWithDevice();
    const { challengeId, code } = await signInWithPush(user);
    const pending = await device.waitForPending({ kind: 'sign_in' });
    // The device is shown who is signing in, never the code.
    expect(pending.context).toMatchObject({ kind: 'sign_in', app: 'sign-in', ip: '127.0.0.1' });
    expect(JSON.stringify(pending)).not.toContain(code);
    expect(await server.call('GET', `/v1/auth/challenges/${challengeId}`)).toMatchObject({
      body: { status: 'open', push: { state: 'pending' } },
    });
    expect(await device.respond(pending, 'approve', code)).toEqual({ outcome: 'approved', deviceState: 'active' });
    expect((await server.call('GET', `/v1/auth/challenges/${challengeId}`)).body).toMatchObject({ push: { state: 'approved' } });
    const verified = await server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method: 'push' } });
    expect(verified).toMatchObject({ status: 200, body: { status: 'authenticated' } });
    // A response sent again (freshly signed request, same answer) finds the push answered.
    expect(await refusal(device.respond(pending, 'approve', code))).toMatchObject({ status: 409, error: 'conflict' });
    const me = await server.call<{ factors: { type: string }[] }>('GET', '/v1/me', { token: String(verified.body.sessionToken) });
    expect(me.body.factors.map((f) => f.type)).toContain('push');
  });

  it('refuses a replayed device request, an answer signed by another key, and a tampered context', async () => {
    const { user, device } = await userWithDevice();
    const other = await userWithDevice('Other phone');
    const { code } = await signInWithPush(user);
    const pending = await device.waitForPending({ kind: 'sign_in' });

    // The very same signed request, sent twice: the nonce is remembered.
    const headers = await device.signRequest('GET', '/v1/push/pending');
    expect((await server.call('GET', '/v1/push/pending', { headers })).status).toBe(200);
    expect(await server.call('GET', '/v1/push/pending', { headers })).toMatchObject({
      status: 401,
      body: { error: 'invalid_signature', reason: 'replayed' },
    });
    // A request a minute and more old is refused by its time alone.
    const stale = await device.signRequest('GET', '/v1/push/pending');
    server.clock.advance(61_000);
    expect((await server.call('GET', '/v1/push/pending', { headers: stale })).body).toMatchObject({ reason: 'clock_skew' });
    server.clock.advance(-61_000);
    // A request with this device's id but another device's signature.
    const forged = { ...(await other.device.signRequest('GET', '/v1/push/pending')), [deviceHeaders.device]: device.deviceId };
    expect((await server.call('GET', '/v1/push/pending', { headers: forged })).body).toMatchObject({ reason: 'bad_signature' });

    // The answer's signature made by another device's key, sent in this device's signed request.
    const foreign = await other.device.answer(pending, 'approve', code);
    expect(await refusal(device.request('POST', `/v1/push/challenges/${pending.id}/respond`, foreign))).toMatchObject({
      status: 401,
      reason: 'bad_signature',
    });
    // The other user's device cannot see or answer this push at all.
    expect(await refusal(other.device.respond(pending, 'approve', code))).toMatchObject({ status: 404 });
    // A context other than the one the server sent (a swapped IP), correctly signed.
    const tampered = await device.answer({ ...pending, context: { ...pending.context, ip: '203.0.113.9' } }, 'approve', code);
    expect(await refusal(device.request('POST', `/v1/push/challenges/${pending.id}/respond`, tampered))).toMatchObject({
      status: 401,
      reason: 'context_mismatch',
    });
    // Nothing of that approved it.
    expect((await device.pending()).items.map((i) => i.id)).toContain(pending.id);
  });

  it('counts wrong codes on the device and locks push after five (the app still works), until support unlocks', async () => {
    const { user, device } = await userWithDevice();
    const { code } = await signInWithPush(user);
    const pending = await device.waitForPending({ kind: 'sign_in' });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      expect(await refusal(device.respond(pending, 'approve', wrong))).toMatchObject({ status: 400, error: 'invalid_code' });
    }
    expect(await refusal(device.respond(pending, 'approve', wrong))).toMatchObject({
      status: 400,
      error: 'method_not_available',
      reason: 'push_locked',
    });
    // The right code no longer helps: push is locked for the user, and the sign-in offers the app only.
    expect(await refusal(device.respond(pending, 'approve', code))).toMatchObject({ status: 409 });
    const next = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(next.body).toMatchObject({ status: 'mfa_required', methods: ['totp', 'recovery_code'] });
    expect((await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/push`)).body).toMatchObject({ reason: 'push_locked' });

    const operator = await signedInOperator(server, 'support');
    const detail = await server.call('GET', `/v1/admin/users/${user.id}`, { token: operator.accessToken });
    expect(detail.body).toMatchObject({ pushLock: { wrongCodes: 5 }, pushDevices: [{ state: 'active' }] });
    const unlocked = await server.call('POST', `/v1/admin/users/${user.id}/unlock`, {
      token: operator.accessToken,
      body: { ticket: 'T-1', reason: 'typed the code wrong' },
    });
    expect(unlocked.status).toBe(200);
    const again = await signInWithPush(user);
    const fresh = await device.waitForPending({ kind: 'sign_in' });
    expect(await device.respond(fresh, 'approve', again.code)).toMatchObject({ outcome: 'approved' });
  });

  it('does nothing for a late approval: an expired push, and one whose sign-in switched to SMS', async () => {
    const { user, device } = await userWithDevice();
    const first = await signInWithPush(user);
    const expired = await device.waitForPending({ kind: 'sign_in' });
    server.clock.advance(121_000);
    expect(await refusal(device.respond(expired, 'approve', first.code))).toMatchObject({ status: 409, error: 'conflict' });
    expect((await server.call('GET', `/v1/auth/challenges/${first.challengeId}`)).body).toMatchObject({ push: { state: 'expired' } });

    await server.ctx.store.db.updateTable('users').set({ phone: '+4791234567' }).where('id', '=', user.id).execute();
    const second = await signInWithPush(user);
    const pending = await device.waitForPending({ kind: 'sign_in' });
    expect((await server.call('POST', `/v1/auth/challenges/${second.challengeId}/sms`)).status).toBe(202);
    expect(await refusal(device.respond(pending, 'approve', second.code))).toMatchObject({ status: 409 });
    expect((await server.call('GET', `/v1/auth/challenges/${second.challengeId}`)).body).toMatchObject({
      status: 'open',
      push: { state: 'cancelled' },
    });
    // The SMS path goes on as usual.
    const sms = await server.call('POST', `/v1/auth/challenges/${second.challengeId}/verify`, {
      body: { method: 'sms', code: lastSmsCode(server, '+4791234567') },
    });
    expect(sms.body.status).toBe('authenticated');

    // A newer sign-in ends the push of an older one.
    const older = await signInWithPush(user);
    const olderPending = await device.waitForPending({ kind: 'sign_in' });
    await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(await refusal(device.respond(olderPending, 'approve', older.code))).toMatchObject({ status: 409 });
  });

  it('resends the same push with the same code after the cooldown, at most three times, and limits pushes per user', async () => {
    const { user, device } = await userWithDevice();
    const { challengeId, code } = await signInWithPush(user);
    const soon = await server.call('POST', `/v1/auth/challenges/${challengeId}/push`);
    expect(soon).toMatchObject({ status: 429, body: { error: 'too_many_attempts', reason: 'resend_cooldown' } });
    for (let left = 2; left >= 0; left--) {
      server.clock.advance(30_000);
      const resent = await server.call('POST', `/v1/auth/challenges/${challengeId}/push`);
      expect(resent).toMatchObject({ status: 202, body: { code, resendsLeft: left } });
    }
    // The fourth resend is refused for its count, before the push expires (120 s after the first send).
    server.clock.advance(29_000);
    expect((await server.call('POST', `/v1/auth/challenges/${challengeId}/push`)).body).toMatchObject({ reason: 'resend_limit' });
    // Resends did not make new requests: the device still has the one, and its code works.
    const pending = await device.pending();
    expect(pending.items.filter((i) => i.context.kind === 'sign_in')).toHaveLength(1);

    // Five pushes in 15 minutes (this was the first), then no more until the window ends.
    for (let i = 0; i < 4; i++) await signInWithPush(user);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect((await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/push`)).body).toMatchObject({
      error: 'too_many_attempts',
      reason: 'push_limit',
    });
    server.clock.advance(15 * 60_000);
    const later = await signInWithPush(user);
    const fresh = await device.waitForPending({ kind: 'sign_in' });
    expect(await device.respond(fresh, 'approve', later.code)).toMatchObject({ outcome: 'approved' });
  });

  it('gives exactly one approval and one session for 20 concurrent answers and verifications', async () => {
    const { user, device } = await userWithDevice();
    const { challengeId, code } = await signInWithPush(user);
    const pending = await device.waitForPending({ kind: 'sign_in' });
    const answers = await Promise.allSettled(Array.from({ length: 20 }, () => device.respond(pending, 'approve', code)));
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const verified = await Promise.all(
      Array.from({ length: 20 }, () => server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, { body: { method: 'push' } })),
    );
    expect(verified.filter((v) => v.body.status === 'authenticated')).toHaveLength(1);
    const sessions = await server.ctx.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('kind', '=', 'full')
      .execute();
    // One from enrollment, one from this sign-in.
    expect(sessions).toHaveLength(2);
  });

  it('ends the sign-in on deny; on fraud also suspends the device and alerts support', async () => {
    const { user, device } = await userWithDevice();
    const denied = await signInWithPush(user);
    await device.respond(await device.waitForPending({ kind: 'sign_in' }), 'deny');
    expect((await server.call('POST', `/v1/auth/challenges/${denied.challengeId}/verify`, { body: { method: 'push' } })).status).toBe(410);
    const row = await server.ctx.store.db
      .selectFrom('users')
      .select('failed_code_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_code_count).toBe(1);

    const reported = await signInWithPush(user);
    expect(await device.respond(await device.waitForPending({ kind: 'sign_in' }), 'fraud')).toEqual({
      outcome: 'fraud_reported',
      deviceState: 'suspended',
    });
    expect((await server.call('GET', `/v1/auth/challenges/${reported.challengeId}`)).body).toMatchObject({
      status: 'expired',
      push: { state: 'fraud' },
    });
    expect((await device.pending()).deviceState).toBe('suspended');
    const operator = await signedInOperator(server, 'support');
    const alerts = await server.call<{ items: Record<string, unknown>[] }>('GET', '/v1/admin/push-alerts', { token: operator.accessToken });
    expect(alerts.body.items.find((a) => a.userId === user.id)).toMatchObject({
      deviceId: device.deviceId,
      deviceState: 'suspended',
      ip: '127.0.0.1',
    });
    // The next sign-in offers no push (no active device).
    const next = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect(next.body.methods).not.toContain('push');
    // Support removes the suspended device.
    const revoked = await server.call('POST', `/v1/admin/users/${user.id}/push-devices/${device.deviceId}/revoke`, {
      token: operator.accessToken,
      body: { ticket: 'T-2', reason: 'lost phone reported' },
    });
    expect(revoked.status).toBe(200);
    expect(await refusal(device.pending())).toMatchObject({ status: 403 });
  });

  it('tells a waiting sign-in of the approval over Server-Sent Events', async () => {
    const { user, device } = await userWithDevice();
    const { challengeId, code } = await signInWithPush(user);
    const response = await fetch(`${server.baseUrl}/v1/auth/challenges/${challengeId}/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const pending = await device.waitForPending({ kind: 'sign_in' });
    await device.respond(pending, 'approve', code);
    let text = '';
    while (!text.includes('event: approved')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain('event: approved\ndata: {"state":"approved"}');
    await reader.cancel();
  });

  it('closes open event streams when the server shuts down, instead of waiting for them to end', async () => {
    const other = await startTestServer(dialect);
    const slug = await other.addTenant({ askOnlyOnNewIpOrPasswordChange: false }, 'sms');
    const user = await enrollUser(other, slug);
    const started = await other.call<{ enrollmentUrl: string; testCode: string }>('POST', '/v1/me/push-devices', {
      token: user.sessionToken,
    });
    const device = await ReferencePushDevice.enroll(started.body.enrollmentUrl, { name: 'Open app', clock: () => other.clock.now() });
    await device.activate(started.body.testCode);
    const stream = await fetch(`${other.baseUrl}/v1/push/events`, { headers: await device.signRequest('GET', '/v1/push/events') });
    expect(stream.status).toBe(200);
    const closing = other.close().then(() => 'closed');
    const verdict = await Promise.race([closing, new Promise((resolve) => setTimeout(() => resolve('still open after 5 s'), 5_000))]);
    expect(verdict).toBe('closed');
    await stream.body?.cancel().catch(() => {});
  });

  it('refuses enrollment without a fresh second factor, a used or expired link, and a proof by another key', async () => {
    const user = await enrollUser(server, tenant);
    server.clock.advance(11 * 60_000);
    expect((await server.call('POST', '/v1/me/push-devices', { token: user.sessionToken })).body.error).toBe('step_up_required');
    const operator = await signedInOperator(server, 'support');
    const started = await server.call<{ enrollmentUrl: string }>('POST', `/v1/admin/users/${user.id}/push-devices`, {
      token: operator.accessToken,
      body: { ticket: 'T-3', reason: 'new phone for push' },
    });
    expect(started.status).toBe(200);
    await ReferencePushDevice.enroll(started.body.enrollmentUrl, { name: 'First', clock });
    expect(await refusal(ReferencePushDevice.enroll(started.body.enrollmentUrl, { name: 'Second', clock }))).toMatchObject({ status: 410 });
    const late = await server.call<{ enrollmentUrl: string }>('POST', `/v1/admin/users/${user.id}/push-devices`, {
      token: operator.accessToken,
      body: { ticket: 'T-4', reason: 'another try' },
    });
    server.clock.advance(10 * 60_000 + 1);
    expect(await refusal(ReferencePushDevice.enroll(late.body.enrollmentUrl, { name: 'Late', clock }))).toMatchObject({ status: 410 });
    const wrongSecret = late.body.enrollmentUrl.replace(/\.[A-Za-z0-9_-]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(await refusal(ReferencePushDevice.enroll(wrongSecret, { name: 'Guess', clock }))).toMatchObject({ status: 404 });
  });
});
