import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { recordAudit } from '../../../src/server/audit/audit-trail.js';
import { dialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe.each(dialects)('the audit trail on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  it('is append-only in the database itself', async () => {
    const { db } = server.ctx.store;
    await recordAudit(db, server.clock.now(), { action: 'test.event', actorType: 'system', details: { n: 1 } });
    await expect(sql`UPDATE audit_events SET action = 'tampered'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom('audit_events').select('action').where('action', '=', 'test.event').execute();
    expect(rows).toHaveLength(1);
  });

  it('records failures with who, when and from where, and never a secret', async () => {
    const tenant = await server.addTenant();
    const user = await server.addUser(tenant);
    await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: 'wrong-password-here' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    const event = await server.ctx.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'login.failed')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_type: 'anonymous', ip: '127.0.0.1', at: server.clock.now() });
    expect(JSON.parse(event.details)).toEqual({ reason: 'wrong_password', failuresInRow: 1 });
    const everything = JSON.stringify(await server.ctx.store.db.selectFrom('audit_events').selectAll().execute());
    expect(everything).not.toContain('wrong-password-here');
    expect(everything).not.toContain(user.password);
  });
});
