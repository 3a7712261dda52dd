import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error: http_ece ships no types; decrypt(buffer, {version, privateKey, authSecret}) -> Buffer.
import ece from 'http_ece';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferencePushDevice } from '../../../src/push-device/reference-device.js';
import { newVapidKeys, WebPushWaker } from '../../../src/server/delivery/providers/web-push.js';
import { enrollUser, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Web Push end to end without the internet: a push service on 127.0.0.1 that does what a real one
 * must (RFC 8292: check the VAPID JWT against the key in the header; RFC 8291: the payload is
 * readable only with the subscription's private key), then the browser's part (decrypt it with the
 * subscription's ECDH key and auth secret, as a service worker's push event would receive it).
 */
interface Received {
  jwt: { aud: string; exp: number; sub: string };
  ttl: string | undefined;
  urgency: string | undefined;
  topic: string | undefined;
  payload: Record<string, unknown>;
}

class LocalPushService {
  readonly received: Received[] = [];
  answer = 201;
  private server!: Server;
  origin = '';
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly authSecret = randomBytes(16);

  async start(): Promise<void> {
    this.ecdh.generateKeys();
    this.server = createServer((request, response) => void this.handle(request).then((status) => response.writeHead(status).end()));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  subscription(path: string) {
    return {
      endpoint: `${this.origin}${path}`,
      keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.authSecret.toString('base64url') },
    };
  }

  private async handle(request: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const match = /^vapid t=([^,]+), k=(.+)$/.exec(String(request.headers.authorization));
    if (!match) return 401;
    const [header, claims, signature] = match[1]!.split('.');
    const k = Buffer.from(match[2]!, 'base64url');
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: k.subarray(1, 33).toString('base64url'), y: k.subarray(33, 65).toString('base64url') },
      format: 'jwk',
    });
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature!, 'base64url'),
    );
    if (!signed || JSON.parse(Buffer.from(header!, 'base64url').toString()).alg !== 'ES256') return 403;
    const jwt = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Received['jwt'];
    if (jwt.aud !== this.origin || jwt.exp * 1000 < Date.now()) return 403;
    if (request.headers['content-encoding'] !== 'aes128gcm') return 415;
    const plain = ece.decrypt(Buffer.concat(chunks), {
      version: 'aes128gcm',
      privateKey: this.ecdh,
      authSecret: this.authSecret,
    }) as Buffer;
    this.received.push({
      jwt,
      ttl: request.headers.ttl as string | undefined,
      urgency: request.headers.urgency as string | undefined,
      topic: request.headers.topic as string | undefined,
      payload: JSON.parse(plain.toString()) as Record<string, unknown>,
    });
    return this.answer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Web Push wake-ups (VAPID, aes128gcm) to a local push service', () => {
  let server: TestServer;
  let tenant: string;
  const service = new LocalPushService();
  beforeAll(async () => {
    await service.start();
    const vapid = newVapidKeys();
    server = await startTestServer('sqlite', {
      env: {
        PUSH_PROVIDER: 'webpush',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@example.test',
        WEB_PUSH_ALLOW_LOCAL_ENDPOINTS: '1',
      },
    });
    tenant = await server.addTenant({ askOnlyOnNewIpOrPasswordChange: false }, 'sms');
  });
  afterAll(async () => {
    await server.close();
    await service.close();
  });

  it('never posts to a subscription naming plain http or a private address (SSRF)', () => {
    const waker = new WebPushWaker({ ...newVapidKeys(), subject: 'mailto:ops@example.test' });
    for (const endpoint of [
      'http://push.example.com/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
      'https://localhost/x',
    ]) {
      expect(waker.mayPost(endpoint), endpoint).toBe(false);
    }
    expect(waker.mayPost('https://fcm.googleapis.com/fcm/send/abc')).toBe(true);
  });

  it('wakes the device with an encrypted payload; after a 410 the subscription is stale and polling completes the sign-in', async () => {
    expect((await server.call('GET', '/v1/push/vapid-public-key')).body.publicKey).toBe(server.ctx.delivery.push.vapidPublicKey);
    const user = await enrollUser(server, tenant);
    const started = await server.call<{ enrollmentUrl: string; testCode: string }>('POST', '/v1/me/push-devices', {
      token: user.sessionToken,
    });
    const device = await ReferencePushDevice.enroll(started.body.enrollmentUrl, {
      name: 'Browser',
      clock: () => server.clock.now(),
      pushSubscription: service.subscription('/push/sub-1'),
    });
    await device.activate(started.body.testCode);

    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const sent = await server.call<{ code: string; woken: boolean }>('POST', `/v1/auth/challenges/${login.body.challengeId}/push`);
    expect(sent.body.woken).toBe(true);
    const wake = service.received.at(-1)!;
    const pending = await device.waitForPending({ kind: 'sign_in' });
    // The wake-up names the request and the tenant, never the code or the context.
    expect(wake.payload).toEqual({ type: 'pending', challengeId: pending.id, tenant: 'Tenant 1' });
    expect(JSON.stringify(wake.payload)).not.toContain(sent.body.code);
    expect(wake.jwt).toMatchObject({ aud: service.origin, sub: 'mailto:ops@example.test' });
    expect(wake).toMatchObject({ urgency: 'high', topic: pending.id.replace(/-/g, '') });
    expect(Number(wake.ttl)).toBeGreaterThan(0);
    expect(Number(wake.ttl)).toBeLessThanOrEqual(120);
    await device.respond(pending, 'approve', sent.body.code);
    expect(
      (await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, { body: { method: 'push' } })).body.status,
    ).toBe('authenticated');

    // The push service forgets the subscription: 410 Gone.
    service.answer = 410;
    server.clock.advance(60_000);
    const next = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const again = await server.call<{ code: string; woken: boolean }>('POST', `/v1/auth/challenges/${next.body.challengeId}/push`);
    expect(again.body.woken).toBe(false);
    const me = await server.call<{ devices: { wakeable: boolean }[] }>('GET', '/v1/me/push-devices', { token: user.sessionToken });
    expect(me.body.devices[0]!.wakeable).toBe(false);
    const calls = service.received.length;
    // The device polls, finds the request, and the sign-in completes; the stale subscription is not tried again.
    const polled = await device.waitForPending({ kind: 'sign_in' });
    await device.respond(polled, 'approve', again.body.code);
    expect(
      (await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/verify`, { body: { method: 'push' } })).body.status,
    ).toBe('authenticated');
    server.clock.advance(60_000);
    const third = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    await server.call('POST', `/v1/auth/challenges/${third.body.challengeId}/push`);
    expect(service.received.length).toBe(calls);
  });
});
