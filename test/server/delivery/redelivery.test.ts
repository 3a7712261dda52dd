import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveryService, MAX_DELIVERY_ATTEMPTS } from '../../../src/server/delivery/delivery-service.js';
import type { MessageProvider, OutgoingMessage } from '../../../src/server/delivery/message-provider.js';
import { OutboxFileProvider } from '../../../src/server/delivery/providers/outbox-file.js';
import { SmsWebhookProvider } from '../../../src/server/delivery/providers/sms-webhook.js';
import { SmtpEmailProvider } from '../../../src/server/delivery/providers/smtp-email.js';
import {
  CLAIM_LEASE_MS,
  claimMessage,
  markMessageFailed,
  markMessageHanded,
  markMessageSent,
  queueMessage,
  type MessageRow,
} from '../../../src/server/store/repositories/messages.js';
import { dialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// Spelled out rather than imported: it is what an operator greps the logs and the table for.
const OUTCOME_UNKNOWN = 'outcome unknown after the worker stopped mid-send; not re-sent to avoid a duplicate';

interface Mail {
  raw: string;
}

/** A real SMTP server on loopback; it can be told to refuse the next mails with a 451. */
async function startSmtp(): Promise<{ smtp: SMTPServer; url: string; mails: Mail[]; refuseNext: (n: number) => void }> {
  const mails: Mail[] = [];
  let refusals = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals--;
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({ raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return { smtp, url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, mails, refuseNext: (n) => (refusals = n) };
}

/** A real HTTP receiver standing in for an SMS gateway. */
function startGateway(): Promise<{ server: Server; url: string; received: { body: string; headers: IncomingMessage['headers'] }[] }> {
  const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received }),
    ),
  );
}

/** The message as DeliveryService hands it to a provider. */
function outgoing(row: MessageRow): OutgoingMessage {
  return {
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    template: row.template,
    locale: row.locale,
    subject: row.subject,
    text: row.text,
    createdAt: row.created_at,
  };
}

describe.each(dialects)('redelivery after a worker stopped mid-send (%s)', (dialect) => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let dir: string;
  let outboxPath: string;
  let outbox: OutboxFileProvider;
  let mailer: SmtpEmailProvider;
  let webhook: SmsWebhookProvider;
  const logs: string[] = [];
  let phones = 0;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    smtp = await startSmtp();
    gateway = await startGateway();
    dir = mkdtempSync(join(tmpdir(), 'mfa-desk-redelivery-'));
    outboxPath = join(dir, 'outbox.jsonl');
    outbox = new OutboxFileProvider(outboxPath);
    mailer = new SmtpEmailProvider(smtp.url, 'Desk <desk@mfa.test>');
    webhook = new SmsWebhookProvider(gateway.url, 'webhook-secret-for-tests-0123456789');
  });
  afterAll(async () => {
    await mailer.close();
    await server.close();
    await new Promise<void>((resolve) => smtp.smtp.close(resolve));
    gateway.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A worker as the server runs it, on the test's database and clock, with the given providers. */
  function worker(providers: { sms: MessageProvider; email: MessageProvider }): DeliveryService {
    return new DeliveryService(server.ctx.store, server.clock, providers, (line) => logs.push(line));
  }

  async function queue(channel: 'sms' | 'email'): Promise<string> {
    const recipient = channel === 'sms' ? `+479${String(++phones).padStart(7, '0')}` : `u${++phones}@example.test`;
    const code = String(100000 + phones);
    return queueMessage(
      server.ctx.store.db,
      {
        tenantId: null,
        userId: null,
        channel,
        recipient,
        template: 'sms_code',
        locale: 'en',
        ...(channel === 'email' ? { subject: 'Your code' } : {}),
        text: `Your sign-in code is ${code}`,
      },
      server.clock.now(),
    );
  }

  /**
   * What a worker does up to the moment a kill -9 stops it, through the same repository calls the
   * service makes: claim, record the hand-off, and (when `provider` is given) the provider's send.
   */
  async function dieAfterHandOff(id: string, provider?: MessageProvider): Promise<MessageRow> {
    const claim = await claimMessage(server.ctx.store.db, id, server.clock.now());
    if (!claim) throw new Error(`message ${id} could not be claimed`);
    expect(await markMessageHanded(server.ctx.store.db, claim, server.clock.now())).toBe(true);
    if (provider) await provider.send(outgoing(claim));
    return claim;
  }

  function row(id: string): Promise<MessageRow> {
    return server.ctx.store.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  function outboxLines(id: string): unknown[] {
    if (!existsSync(outboxPath)) return [];
    return readFileSync(outboxPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string })
      .filter((line) => line.id === id);
  }

  const mailsFor = (id: string) => smtp.mails.filter((mail) => mail.raw.includes(`<${id}@mfa-desk>`));

  it('outbox: a message the dead worker wrote is not written again; one it handed but never wrote is written once', async () => {
    const service = worker({ sms: outbox, email: outbox });
    const written = [await queue('sms'), await queue('sms'), await queue('email')];
    const notWritten = await queue('sms');
    const claimedOnly = await queue('sms');
    const stale: MessageRow[] = [];
    for (const id of written) stale.push(await dieAfterHandOff(id, outbox));
    stale.push(await dieAfterHandOff(notWritten));
    const claimed = await claimMessage(server.ctx.store.db, claimedOnly, server.clock.now());
    if (!claimed) throw new Error('not claimed');
    stale.push(claimed);

    await service.sweep();
    for (const id of [...written, notWritten, claimedOnly]) expect((await row(id)).status, 'a live claim is left alone').toBe('sending');

    server.clock.advance(CLAIM_LEASE_MS);
    await Promise.all([service.sweep(), service.sweep()]);
    for (const id of [...written, notWritten, claimedOnly]) {
      expect(outboxLines(id), `outbox lines of ${id}`).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: 'sent', text: '', last_error: null });
    }
    for (const id of written) expect(logs.some((line) => line.includes(id) && line.includes('not sent again'))).toBe(true);

    // The dead workers come back late: their claims are fenced off, they can change nothing.
    for (const claim of stale) {
      expect(await markMessageHanded(server.ctx.store.db, claim, server.clock.now())).toBe(false);
      await markMessageFailed(server.ctx.store.db, claim, 'late answer', server.clock.now() + 1000);
      expect((await row(claim.id)).status).toBe('sent');
    }
  });

  it('SMTP cannot tell: a mail handed to the server is not sent again, it ends as unknown and is logged', async () => {
    const service = worker({ sms: outbox, email: mailer });
    const id = await queue('email');
    const stale = await dieAfterHandOff(id, mailer);
    expect(mailsFor(id)).toHaveLength(1);

    server.clock.advance(CLAIM_LEASE_MS);
    await service.sweep();
    server.clock.advance(10 * CLAIM_LEASE_MS);
    await service.sweep();
    expect(mailsFor(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'unknown', last_error: OUTCOME_UNKNOWN, text: '', sent_at: null });
    expect(logs.filter((line) => line.includes(id) && line.includes(OUTCOME_UNKNOWN))).toHaveLength(1);
    const events = await server.ctx.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'message.outcome_unknown')
      .execute();
    expect(
      events.filter((e) => (JSON.parse(e.details) as { messageId?: string }).messageId === id),
      'support sees it in the audit trail',
    ).toHaveLength(1);

    await markMessageSent(server.ctx.store.db, stale, server.clock.now());
    expect((await row(id)).status, 'a late worker cannot overwrite the verdict').toBe('unknown');
  });

  it('a real worker frozen inside send, after the outbox took the line, is not repeated by the next worker', async () => {
    // The service's own order of steps, not a copy of it: this worker's provider writes the line and
    // then never answers, as a process stopped right after the write would.
    const frozen: MessageProvider = {
      name: 'outbox',
      redelivery: 'check',
      alreadyDelivered: (id) => outbox.alreadyDelivered!(id),
      send: async (message) => {
        await outbox.send(message);
        await new Promise(() => {});
      },
    };
    const id = await queue('sms');
    void worker({ sms: frozen, email: frozen }).dispatch([id]);
    await vi.waitFor(() => expect(outboxLines(id)).toHaveLength(1));
    server.clock.advance(CLAIM_LEASE_MS);
    await worker({ sms: outbox, email: outbox }).sweep();
    expect(outboxLines(id)).toHaveLength(1);
    expect((await row(id)).status).toBe('sent');
  });

  it('a claim that lapsed before the hand-off is delivered once, even by a provider that cannot tell', async () => {
    const service = worker({ sms: outbox, email: mailer });
    const id = await queue('email');
    expect(await claimMessage(server.ctx.store.db, id, server.clock.now())).toBeDefined(); // ...and then the worker is gone
    server.clock.advance(CLAIM_LEASE_MS);
    await Promise.all([service.sweep(), service.sweep()]);
    expect(mailsFor(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', text: '' });
  });

  it('a refusal is an answer, not an unknown outcome: the retry is a plain send', async () => {
    const service = worker({ sms: outbox, email: mailer });
    const id = await queue('email');
    smtp.refuseNext(1);
    await service.dispatch([id]);
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, handed_at: null });
    server.clock.advance(2_000);
    await service.sweep();
    expect(mailsFor(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a provider that cannot check right now is asked again after the lease, and given up as unknown after the last attempt', async () => {
    let sends = 0;
    const flaky: MessageProvider = {
      name: 'flaky-check',
      redelivery: 'check',
      send: async () => void sends++,
      alreadyDelivered: () => Promise.reject(new Error('EIO: i/o error, read')),
    };
    const service = worker({ sms: flaky, email: outbox });
    const id = await queue('sms');
    await dieAfterHandOff(id, flaky);
    for (let attempt = 2; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      server.clock.advance(CLAIM_LEASE_MS);
      await service.sweep();
      expect(await row(id)).toMatchObject({ status: attempt < MAX_DELIVERY_ATTEMPTS ? 'sending' : 'unknown', attempts: attempt });
    }
    expect(sends).toBe(1);
    expect((await row(id)).last_error).toBe(`${OUTCOME_UNKNOWN} (could not check: EIO: i/o error, read)`);
    server.clock.advance(CLAIM_LEASE_MS);
    await service.sweep();
    expect((await row(id)).attempts).toBe(MAX_DELIVERY_ATTEMPTS);
  });

  it('webhook: sent again, with the same Idempotency-Key, for the gateway to drop', async () => {
    const service = worker({ sms: webhook, email: outbox });
    const id = await queue('sms');
    await dieAfterHandOff(id, webhook);
    server.clock.advance(CLAIM_LEASE_MS);
    await service.sweep();
    const requests = gateway.received.filter((request) => (JSON.parse(request.body) as { id: string }).id === id);
    expect(requests.map((request) => request.headers['idempotency-key'])).toEqual([id, id]);
    expect(await row(id)).toMatchObject({ status: 'sent', text: '' });
  });
});

describe('the outbox file as its own record', () => {
  it('knows a message it has, and not one it has not, nor one in a file not yet written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-desk-outbox-'));
    try {
      const provider = new OutboxFileProvider(join(dir, 'outbox.jsonl'));
      expect(await provider.alreadyDelivered('m-1')).toBe(false);
      await provider.send({
        id: 'm-1',
        channel: 'sms',
        to: '+4790000000',
        template: 'sms_code',
        locale: 'en',
        subject: null,
        text: 'mentions m-2 in its text',
        createdAt: 0,
      });
      expect(await provider.alreadyDelivered('m-1')).toBe(true);
      expect(await provider.alreadyDelivered('m-2')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
