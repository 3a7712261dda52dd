import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../src/server/delivery/providers/sms-webhook.js';
import { CLAIM_LEASE_MS, claimMessage, markMessageFailed, markMessageSent } from '../../../src/server/store/repositories/messages.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const SECRET = 'webhook-secret-for-tests-0123456789';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A real HTTP receiver standing in for an SMS gateway: it can be told to fail the next requests. */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[]; failNext: (n: number) => void }> {
  const received: Received[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      if (failures > 0) {
        failures--;
        res.writeHead(503).end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received, failNext: (n) => (failures = n) }),
    ),
  );
}

describe('SMS delivery through a signed webhook', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer('sqlite', {
      env: { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: receiver.url, SMS_WEBHOOK_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await server.close();
    receiver.server.close();
  });

  async function requestCode(phone: string): Promise<void> {
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, undefined, { phone });
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    expect((await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`)).status).toBe(202);
  }

  it('posts the SMS signed with HMAC, with the message id as idempotency key', async () => {
    await requestCode('+4795555555');
    const request = receiver.received.at(-1)!;
    const body = JSON.parse(request.body) as { id: string; to: string; text: string };
    expect(body).toMatchObject({ to: '+4795555555', text: expect.stringMatching(/sign-in code is \d{6}/) });
    expect(request.headers['idempotency-key']).toBe(body.id);
    expect(verifyWebhookSignature(SECRET, String(request.headers['x-mfa-desk-signature']), request.body)).toBe(true);
    expect(verifyWebhookSignature('another-secret-0123456789', String(request.headers['x-mfa-desk-signature']), request.body)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(request.headers['x-mfa-desk-signature']), request.body.replace('+47', '+48'))).toBe(false);
  });

  it('retries a failed delivery later, and sends it once', async () => {
    receiver.failNext(2);
    const before = receiver.received.length;
    await requestCode('+4796666666');
    const { db } = server.ctx.store;
    const pending = await db.selectFrom('messages').selectAll().where('recipient', '=', '+4796666666').executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error: 'SMS gateway answered 503' });

    // Not due yet: the sweeper leaves it alone.
    await server.ctx.delivery.sweep();
    expect(receiver.received.length).toBe(before + 1);
    server.clock.advance(2_000);
    await server.ctx.delivery.sweep();
    server.clock.advance(4_000);
    await Promise.all([server.ctx.delivery.sweep(), server.ctx.delivery.sweep(), server.ctx.delivery.dispatch([pending.id])]);
    const sent = await db.selectFrom('messages').selectAll().where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, text: '' });
    const deliveries = receiver.received.slice(before).filter((r) => (JSON.parse(r.body) as { id: string }).id === pending.id);
    expect(deliveries).toHaveLength(3); // two refused by the gateway, one accepted
    expect(receiver.received.length).toBe(before + 3);
  });

  it('sends a message whose worker died after claiming it, once its claim lapses', async () => {
    const { db } = server.ctx.store;
    // A message recorded and counted, then claimed by a worker that crashes before sending it.
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, undefined, { phone: '+4797777777' });
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    receiver.failNext(1);
    expect((await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`)).status).toBe(202);
    const message = await db.selectFrom('messages').selectAll().where('recipient', '=', '+4797777777').executeTakeFirstOrThrow();
    server.clock.advance(2_000);
    const stale = await claimMessage(db, message.id, server.clock.now()); // ...and then the worker is gone
    expect(stale).toBeDefined();
    const before = receiver.received.length;
    await server.ctx.delivery.sweep();
    expect(receiver.received.length, 'a live claim is left alone').toBe(before);
    server.clock.advance(CLAIM_LEASE_MS);
    await Promise.all([server.ctx.delivery.sweep(), server.ctx.delivery.sweep()]);
    expect(receiver.received.length).toBe(before + 1);
    expect(await db.selectFrom('messages').select('status').where('id', '=', message.id).executeTakeFirstOrThrow()).toEqual({
      status: 'sent',
    });
    // The first worker comes back late: its claim is fenced off, it can change nothing.
    await markMessageFailed(db, stale!, 'late answer', server.clock.now() + 1000);
    await markMessageSent(db, stale!, server.clock.now());
    expect(await db.selectFrom('messages').select(['status', 'last_error']).where('id', '=', message.id).executeTakeFirstOrThrow()).toEqual(
      { status: 'sent', last_error: null },
    );
  });
});
