import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneResetLink } from '../../../src/server/factors/sms/phone-reset.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (the smtp-server package) on loopback receives what the server sends. */
describe('email delivery over SMTP', () => {
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let server: TestServer;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    server = await startTestServer('sqlite', {
      env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Desk <desk@mfa.test>' },
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
  });

  it("mails the phone reset link, in the user's language", async () => {
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, 'kari@example.test', { phone: '+4797777777', locale: 'nb' });
    const { link } = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.from).toBe('desk@mfa.test');
    expect(mail.to).toEqual(['kari@example.test']);
    const unfolded = mail.raw.replace(/=\r?\n/g, '');
    expect(unfolded).toMatch(/Subject: .*tofaktor/i);
    expect(unfolded).toContain(link.split('/phone-reset/')[1]);
    const row = await server.ctx.store.db
      .selectFrom('messages')
      .selectAll()
      .where('recipient', '=', 'kari@example.test')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', channel: 'email', template: 'phone_reset_link', text: '' });
  });
});
