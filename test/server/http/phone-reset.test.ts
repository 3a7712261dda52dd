import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/server/clock.js';
import { createPhoneResetLink } from '../../../src/server/factors/sms/phone-reset.js';
import { dialects } from '../../support/databases.js';
import { lastSmsCode, startTestServer, type TestServer } from '../../support/test-server.js';

const OLD = '+4791111111';
const NEW = '+4792222222';

describe.each(dialects)('the support-sent phone reset link on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant({ rememberDeviceDays: 30 }, 'sms');
  });
  afterAll(() => server.close());

  const tokenOf = (link: string) => link.split('/phone-reset/')[1]!;

  it('lets the user set a new number; the old one is gone, devices forgotten, the user emailed', async () => {
    const user = await server.addUser(tenant, undefined, { phone: OLD });
    // A remembered device, to see it revoked.
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`);
    const verified = await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
      body: { method: 'sms', code: lastSmsCode(server, OLD), rememberDevice: true },
    });
    expect(verified.body.deviceToken).toBeTruthy();

    const sent = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    expect(sent.sentTo).toMatch(/^u•+@example\.test$/);
    const email = server.outbox().at(-1)!;
    expect(email).toMatchObject({ channel: 'email', to: user.email, template: 'phone_reset_link' });
    expect(email.text).toContain(sent.link);
    const token = tokenOf(sent.link);
    const stored = JSON.stringify(await server.ctx.store.db.selectFrom('phone_reset_links').selectAll().execute());
    expect(stored).not.toContain(token);

    expect(await server.call('GET', `/v1/phone-reset/${token}`)).toMatchObject({ status: 200, body: { currentPhone: '+47 •••••111' } });
    expect((await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: 'nonsense' } })).body.error).toBe('invalid_phone');
    expect(await server.call('POST', `/v1/phone-reset/${token}`, { body: { phone: '+47 922 22 222' } })).toMatchObject({
      status: 202,
      body: { sentTo: '+47 •••••222' },
    });
    expect((await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: 'abc' } })).status).toBe(400);
    const done = await server.call('POST', `/v1/phone-reset/${token}/confirm`, { body: { code: lastSmsCode(server, NEW) } });
    expect(done).toMatchObject({ status: 200, body: { ok: true, phoneHint: '+47 •••••222' } });

    const changed = server.outbox().at(-1)!;
    expect(changed).toMatchObject({ channel: 'email', to: user.email, template: 'phone_changed' });
    expect(changed.text).toContain('+47 •••••222');

    // Single use.
    expect((await server.call('GET', `/v1/phone-reset/${token}`)).body.error).toBe('link_expired');
    // The remembered device is forgotten and the code now goes to the new phone.
    const next = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password, deviceToken: verified.body.deviceToken },
    });
    expect(next.body).toMatchObject({ status: 'mfa_required', phoneHint: '+47 •••••222' });
    await server.call('POST', `/v1/auth/challenges/${next.body.challengeId}/sms`);
    expect(server.outbox().at(-1)!.to).toBe(NEW);
    const events = (await server.ctx.store.db.selectFrom('audit_events').select('action').where('user_id', '=', user.id).execute()).map(
      (e) => e.action,
    );
    expect(events).toEqual(expect.arrayContaining(['phone_reset.link_sent', 'phone_reset.completed']));
  });

  it('expires after 24 hours; unknown and superseded links are refused', async () => {
    const user = await server.addUser(tenant, undefined, { phone: OLD });
    const first = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    const second = await createPhoneResetLink(server.ctx, user.id, { type: 'system', id: null, label: 'test' }, null);
    expect((await server.call('GET', `/v1/phone-reset/${tokenOf(first.link)}`)).body.error).toBe('link_expired');
    expect((await server.call('GET', `/v1/phone-reset/${tokenOf(second.link)}`)).status).toBe(200);
    expect((await server.call('GET', `/v1/phone-reset/${'x'.repeat(43)}`)).body.error).toBe('not_found');
    expect((await server.call('GET', '/v1/phone-reset/short')).body.error).toBe('invalid_request');
    server.clock.advance(24 * HOUR);
    expect((await server.call('POST', `/v1/phone-reset/${tokenOf(second.link)}`, { body: { phone: NEW } })).body.error).toBe(
      'link_expired',
    );
  });
});
