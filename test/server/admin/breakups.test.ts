import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../../src/server/clock.js';
import { dialects } from '../../support/databases.js';
import { signedInOperator, type SignedInOperator } from '../../support/operators.js';
import { appCode, startTestServer, type TestServer } from '../../support/test-server.js';

interface Breakup {
  id: string;
  state: string;
  disableAt: string | null;
  sharedDisabledAt: string | null;
  members: Array<{ email: string; state: string; userId: string | null; error: string | null; locale: string }>;
}

/** Seed 003's fix for a shared mailbox, over HTTP on both databases: the people get accounts of their own. */
describe.each(dialects)('breaking a shared account up, on %s', (dialect) => {
  let server: TestServer;
  let tenant: string;
  let tenantId: string;
  let admin: SignedInOperator;
  let keys = 0;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    tenant = await server.addTenant({}, 'sms');
    tenantId = (await server.ctx.store.db.selectFrom('tenants').select('id').where('slug', '=', tenant).executeTakeFirstOrThrow()).id;
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
  });
  afterAll(() => server.close());

  const asAdmin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, who = admin) =>
    server.call<T>(method, path, { token: who.accessToken, body });
  const newKey = () => `breakup-key-${dialect}-${++keys}-${Date.now()}`;
  const ticket = { ticket: 'CHG-100', reason: 'Shared mailbox split into personal accounts' };
  const countByEmail = async (email: string) =>
    Number(
      (
        await server.ctx.store.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('email', '=', email)
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function sharedAccount(local = 'accounts') {
    const email = `${local}-${++keys}@firma.test`.replace(`${local}-`, `${local}.`);
    return server.addUser(tenant, email, { name: 'Accounts', locale: 'nb', phone: '+4791000001' });
  }

  it('checks every line before anything is created, and refuses bad lines when sent directly', async () => {
    const shared = await sharedAccount();
    const other = await server.addTenant();
    const elsewhere = await server.addUser(other, `kari-${keys}@firma.test`);
    const inTenant = await server.addUser(tenant, `ola-${keys}@firma.test`);
    const members = [
      { name: 'Per Hansen', email: `per-${keys}@firma.test`, phone: '12' },
      { name: 'Kari', email: elsewhere.email },
      { name: 'Ola', email: inTenant.email },
      { name: 'Twin', email: `twin-${keys}@firma.test` },
      { name: 'Twin again', email: `TWIN-${keys}@firma.test ` },
      { name: '', email: shared.email, phone: '+1 202 555 0123' },
    ];
    const check = await asAdmin<{ ok: boolean; members: Array<{ problems: Array<{ field: string; code: string }> }> }>(
      'POST',
      `/v1/admin/users/${shared.id}/breakups/check`,
      { members },
    );
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(false);
    expect(check.body.members.map((m) => m.problems.map((p) => p.code))).toEqual([
      ['invalid_phone'],
      ['email_in_other_tenant'],
      ['email_in_tenant'],
      ['duplicate_in_list'],
      ['duplicate_in_list'],
      ['name_required', 'same_as_shared', 'sms_country_not_allowed'],
    ]);
    const run = await asAdmin<{ error: string; members: unknown[] }>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members,
    });
    expect(run.status).toBe(400);
    expect(run.body.error).toBe('invalid_members');
    expect(run.body.members).toHaveLength(6);
    expect(await countByEmail(`per-${keys}@firma.test`)).toBe(0);
    const started = await server.ctx.store.db.selectFrom('breakups').select('id').where('shared_user_id', '=', shared.id).execute();
    expect(started).toEqual([]);
  });

  it('makes one account and invitation per person, in their language; the shared account ends on the chosen date', async () => {
    const shared = await sharedAccount();
    // The shared account signs in (once, from its own IP: the sms preset then trusts it) to hold a session.
    const session = await sharedSession(shared);
    const disableAt = new Date(server.clock.now() + 2 * DAY).toISOString();
    const people = [
      { name: 'Åse Ærøskøbing', email: `ase-${keys}@firma.test`, phone: '+47 912 34 567' },
      { name: 'Jürgen Müller', email: `jurgen-${keys}@firma.test`, locale: 'de' as const },
      { name: 'Łukasz Wąs', email: `lukasz-${keys}@firma.test`, locale: 'en' as const },
    ];
    const run = await asAdmin<Breakup>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members: people,
      disableAt,
    });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ state: 'completed', disableAt, sharedDisabledAt: null });
    expect(run.body.members.map((m) => [m.state, m.locale])).toEqual([
      ['created', 'nb'],
      ['created', 'de'],
      ['created', 'en'],
    ]);
    // Sent together (in parallel) once the accounts exist: in the people's order here.
    const sent = server.outbox().filter((m) => m.template === 'invitation' && people.some((p) => p.email === m.to));
    const invitations = people.map((p) => sent.find((m) => m.to === p.email)!);
    expect(sent).toHaveLength(3);
    expect(invitations.map((m) => [m.to, m.locale])).toEqual(people.map((p, i) => [p.email, ['nb', 'de', 'en'][i]]));
    expect(invitations[0]!.subject).toContain('din personlige konto');
    expect(invitations[1]!.text).toContain('Hallo Jürgen Müller');

    // Until the date the shared account still works; from it, no sign-in and no session.
    expect((await server.call('GET', '/v1/me', { token: session })).status).toBe(200);
    server.clock.advance(2 * DAY + 1000);
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
    expect((await server.call('GET', '/v1/me', { token: session })).status).toBe(401);
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: shared.email, password: shared.password } });
    expect(login.status).toBe(401);
    const view = await asAdmin<Breakup>('GET', `/v1/admin/breakups/${run.body.id}`);
    expect(view.body.sharedDisabledAt).toBe(disableAt);
    const trail = await asAdmin<{ items: Array<{ action: string }> }>('GET', `/v1/admin/audit?userId=${shared.id}`);
    expect(trail.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['admin.breakup_started', 'admin.breakup_completed', 'user.disabled']),
    );

    // A person follows the link: password, the app, recovery codes; then signs in as themselves.
    const invitation = invitations[0]!;
    const token = /#t=([A-Za-z0-9_-]+)/.exec(invitation.text)![1]!;
    const inspect = await server.call('POST', '/v1/invitations/inspect', { body: { token } });
    expect(inspect.body).toMatchObject({
      state: 'open',
      tenantSlug: tenant,
      email: people[0]!.email,
      locale: 'nb',
      proposedPhone: '+4791234567',
      name: 'Åse Ærøskøbing',
    });
    const accepted = await server.call<{ enrollmentToken: string }>('POST', '/v1/invitations/accept', {
      body: { token, password: 'a password of my own' },
    });
    expect(accepted.status).toBe(200);
    expect((await server.call('POST', '/v1/invitations/accept', { body: { token, password: 'a second password' } })).body.error).toBe(
      'link_expired',
    );
    // Closed mid-way, the link still says whose it is, and sends the person on to sign in and finish.
    expect((await server.call('POST', '/v1/invitations/inspect', { body: { token } })).body.state).toBe('accepted');
    const enrollment = accepted.body.enrollmentToken;
    const totp = await server.call<{ secret: string }>('POST', '/v1/enroll/totp', { token: enrollment });
    await server.call('POST', '/v1/enroll/totp/confirm', { token: enrollment, body: { code: appCode(totp.body.secret, server.clock) } });
    const done = await server.call('POST', '/v1/enroll/complete', { token: enrollment, body: { recoveryCodesSaved: true } });
    expect(done.status).toBe(200);
    expect((await server.call('POST', '/v1/invitations/inspect', { body: { token } })).body.error).toBe('link_expired');
    const mine = await server.call('POST', '/v1/auth/login', {
      body: { tenant, email: people[0]!.email, password: 'a password of my own' },
    });
    // The sms preset trusts the IP an enrollment finished from (seed 003): no code asked here.
    expect(mine.body.status).toBe('authenticated');
  });

  it('a failure in the middle leaves exactly what was made; the same request again finishes the rest without duplicates', async () => {
    const shared = await sharedAccount('faktura');
    const people = ['anna', 'bjorn', 'carl'].map((n) => ({ name: n, email: `${n}-${keys}@firma.test` }));
    const failing = people[1]!.email;
    await failInsertsOf(failing);
    const request = { ...ticket, idempotencyKey: newKey(), members: people };
    const first = await asAdmin<Breakup>('POST', `/v1/admin/users/${shared.id}/breakups`, request);
    expect(first.status).toBe(200);
    expect(first.body.state).toBe('in_progress');
    expect(first.body.members.map((m) => m.state)).toEqual(['created', 'failed', 'created']);
    expect(first.body.members[1]!.error).toMatch(/simulated failure/);
    // Not complete: the shared account stays usable.
    expect(
      (await server.ctx.store.db.selectFrom('users').select('disable_at').where('id', '=', shared.id).executeTakeFirstOrThrow()).disable_at,
    ).toBeNull();

    await stopFailing();
    // The same request again and, at the same time, another console finishing it from the record.
    const [again, twice] = await Promise.all([
      asAdmin<Breakup>('POST', `/v1/admin/users/${shared.id}/breakups`, request),
      asAdmin<Breakup>('POST', `/v1/admin/breakups/${first.body.id}/finish`, {}),
    ]);
    expect([again.status, twice.status]).toEqual([200, 200]);
    const final = await asAdmin<Breakup>('GET', `/v1/admin/breakups/${first.body.id}`);
    expect(final.body.state).toBe('completed');
    expect(final.body.members.map((m) => m.state)).toEqual(['created', 'created', 'created']);
    for (const person of people) expect(await countByEmail(person.email)).toBe(1);
    expect(server.outbox().filter((m) => m.template === 'invitation' && people.some((p) => p.email === m.to))).toHaveLength(3);
    // Disabled at once (no date was chosen).
    expect(final.body.sharedDisabledAt).not.toBeNull();

    // The same key with other people is another break-up: refused.
    const reused = await asAdmin('POST', `/v1/admin/users/${shared.id}/breakups`, { ...request, members: [people[0]] });
    expect(reused.status).toBe(409);
  });

  it('refuses a second break-up while one is under way, and a day in the past; an address taken meanwhile counts as made', async () => {
    const shared = await sharedAccount('office');
    const people = ['dina', 'eli'].map((n) => ({ name: n, email: `${n}-${keys}@firma.test` }));
    const past = await asAdmin<{ error: string }>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members: people,
      disableAt: new Date(server.clock.now() - DAY).toISOString(),
    });
    expect(past.body.error).toBe('invalid_request');
    await failInsertsOf(people[1]!.email);
    const first = await asAdmin<Breakup>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members: people,
    });
    await stopFailing();
    expect(first.body.state).toBe('in_progress');
    const second = await asAdmin<{ error: string; breakupId: string }>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members: [people[1]],
    });
    expect(second.status).toBe(409);
    expect(second.body.breakupId).toBe(first.body.id);
    // Someone made Eli's account by hand meanwhile: finishing counts it, sends no invitation, and completes.
    const byHand = await server.addUser(tenant, people[1]!.email);
    const finished = await asAdmin<Breakup>('POST', `/v1/admin/breakups/${first.body.id}/finish`, {});
    expect(finished.body.state).toBe('completed');
    expect(finished.body.members[1]).toMatchObject({ state: 'created', userId: byHand.id });
    expect(server.outbox().filter((m) => m.template === 'invitation' && m.to === people[1]!.email)).toEqual([]);
  });

  it('an operator may ask about 1000 distinct addresses a day: no enumeration of other organisations', async () => {
    const shared = await sharedAccount('zentrale');
    const asker = await signedInOperator(server, 'tenant_admin', [tenant]);
    const batch = (from: number) =>
      Array.from({ length: 200 }, (_, i) => ({ name: `P${from + i}`, email: `p${from + i}-${keys}@elsewhere.test` }));
    const check = (members: unknown[]) => asAdmin('POST', `/v1/admin/users/${shared.id}/breakups/check`, { members }, asker);
    for (let from = 0; from < 1000; from += 200) expect((await check(batch(from))).status).toBe(200);
    // The same addresses again (typing goes on, the run follows the check) cost nothing more.
    expect((await check(batch(0))).status).toBe(200);
    expect((await check(batch(1000))).body.error).toBe('too_many_attempts');
    // A refused address stays refused: asking again does not slip through.
    const one = [{ name: 'X', email: `p1000-${keys}@elsewhere.test` }];
    expect((await check(one)).body.error).toBe('too_many_attempts');
    expect((await check(one)).body.error).toBe('too_many_attempts');
  });

  it('two admins starting a break-up of one account at once: one is recorded, the other told', async () => {
    const shared = await sharedAccount('verwaltung');
    const body = (n: string) => ({ ...ticket, idempotencyKey: newKey(), members: [{ name: n, email: `${n}-${keys}@firma.test` }] });
    const [a, b] = await Promise.all([
      asAdmin('POST', `/v1/admin/users/${shared.id}/breakups`, body('gro')),
      asAdmin('POST', `/v1/admin/users/${shared.id}/breakups`, body('ivar')),
    ]);
    expect([a.status, b.status].sort(), JSON.stringify([a.body, b.body])).toEqual([200, 409]);
    expect(await server.ctx.store.db.selectFrom('breakups').select('id').where('shared_user_id', '=', shared.id).execute()).toHaveLength(1);
  });

  it('sends a new invitation to a person who has not chosen a password, and only to them', async () => {
    const shared = await sharedAccount('kontor');
    const person = { name: 'Frida', email: `frida-${keys}@firma.test`, phone: '+47 912 34 568' };
    const run = await asAdmin<Breakup>('POST', `/v1/admin/users/${shared.id}/breakups`, {
      ...ticket,
      idempotencyKey: newKey(),
      members: [person],
    });
    const userId = run.body.members[0]!.userId!;
    const oldToken = /#t=([A-Za-z0-9_-]+)/.exec(
      server
        .outbox()
        .filter((m) => m.to === person.email)
        .at(-1)!.text,
    )![1]!;
    const detail = await asAdmin<{ invitation: { expired: boolean } }>('GET', `/v1/admin/users/${userId}`);
    expect(detail.body.invitation).toMatchObject({ expired: false });
    const resent = await asAdmin<{ sentTo: string }>('POST', `/v1/admin/users/${userId}/invitation`, ticket);
    expect(resent.status).toBe(200);
    expect(resent.body.sentTo).toBe(person.email);
    expect((await server.call('POST', '/v1/invitations/inspect', { body: { token: oldToken } })).body.error).toBe('link_expired');
    const newToken = /#t=([A-Za-z0-9_-]+)/.exec(
      server
        .outbox()
        .filter((m) => m.to === person.email)
        .at(-1)!.text,
    )![1]!;
    const inspect = await server.call('POST', '/v1/invitations/inspect', { body: { token: newToken } });
    expect(inspect.body).toMatchObject({ state: 'open', proposedPhone: '+4791234568' });
    await server.call('POST', '/v1/invitations/accept', { body: { token: newToken, password: 'frida has a password now' } });
    // With a password, a new link would be an operator's password reset: refused.
    expect((await asAdmin('POST', `/v1/admin/users/${userId}/invitation`, ticket)).status).toBe(409);
    expect((await asAdmin<{ invitation: unknown }>('GET', `/v1/admin/users/${userId}`)).body.invitation).toBeNull();
  });

  it('tenant admins act only in their tenant, auditors not at all', async () => {
    const shared = await sharedAccount();
    const otherTenant = await server.addTenant();
    const outsider = await signedInOperator(server, 'tenant_admin', [otherTenant]);
    const auditor = await signedInOperator(server, 'auditor');
    const body = { ...ticket, idempotencyKey: newKey(), members: [{ name: 'Nina', email: `nina-${keys}@firma.test` }] };
    expect((await asAdmin('POST', `/v1/admin/users/${shared.id}/breakups`, body, outsider)).status).toBe(404);
    expect((await asAdmin('POST', `/v1/admin/users/${shared.id}/breakups`, body, auditor)).status).toBe(403);
    expect((await asAdmin('POST', `/v1/admin/users/${shared.id}/breakups/check`, { members: body.members }, auditor)).status).toBe(403);
    expect((await asAdmin('GET', `/v1/admin/shared-accounts?tenantId=${tenantId}`, undefined, outsider)).status).toBe(404);
    expect((await asAdmin('GET', '/v1/admin/shared-accounts', undefined, auditor)).status).toBe(403);
    expect(await countByEmail(body.members[0]!.email)).toBe(0);
  });

  it('lists shared accounts with why: a role name, many IPs in a week, a flag; "not shared" silences them', async () => {
    const byName = await sharedAccount('rechnung');
    const busy = await server.addUser(tenant, `team-lead-${++keys}@firma.test`, { phone: '+4791000002' });
    const plain = await server.addUser(tenant, `hilde-${++keys}@firma.test`, { phone: '+4791000003' });
    for (let i = 1; i <= 5; i++) await signInFrom(busy, `198.51.100.${i}`, `Mozilla/5.0 (X11; Linux x86_64) Firefox/12${i}.0`);
    const list = async () =>
      (
        await asAdmin<{ items: Array<{ user: { id: string }; reasons: Array<Record<string, unknown>> }>; dismissed: number }>(
          'GET',
          '/v1/admin/shared-accounts',
        )
      ).body;
    let shared = await list();
    expect(shared.items.find((i) => i.user.id === byName.id)?.reasons).toEqual([{ kind: 'mailbox_name', word: 'rechnung' }]);
    const busyReasons = shared.items.find((i) => i.user.id === busy.id)?.reasons ?? [];
    expect(busyReasons).toEqual([
      { kind: 'mailbox_name', word: 'team' },
      expect.objectContaining({ kind: 'many_ips', distinct: 5, days: 7, sample: expect.arrayContaining(['198.51.100.5']) }),
    ]);
    expect(shared.items.some((i) => i.user.id === plain.id)).toBe(false);

    expect((await asAdmin('POST', `/v1/admin/users/${plain.id}/shared-flag`, { ...ticket, shared: true })).status).toBe(200);
    expect((await asAdmin('POST', `/v1/admin/users/${byName.id}/shared-flag`, { ...ticket, shared: false })).status).toBe(200);
    shared = await list();
    expect(shared.items.find((i) => i.user.id === plain.id)?.reasons).toEqual([
      expect.objectContaining({ kind: 'flagged', by: admin.email, note: ticket.reason }),
    ]);
    expect(shared.items.some((i) => i.user.id === byName.id)).toBe(false);
    expect(shared.dismissed).toBeGreaterThanOrEqual(1);
    // A week later the sign-ins are old news.
    server.clock.advance(8 * DAY);
    admin = await signedInOperator(server, 'tenant_admin', [tenant]);
    expect((await list()).items.find((i) => i.user.id === busy.id)?.reasons).toEqual([{ kind: 'mailbox_name', word: 'team' }]);
  });

  /** A session of the shared account: its phone imported, one SMS sign-in. */
  async function sharedSession(user: { email: string; password: string }): Promise<string> {
    const login = await server.call<{ challengeId: string }>('POST', '/v1/auth/login', {
      body: { tenant, email: user.email, password: user.password },
    });
    await server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`);
    const sms = server
      .outbox()
      .filter((m) => m.channel === 'sms' && m.template === 'sms_login_code')
      .at(-1)!;
    const code = /\b(\d{6})\b/.exec(sms.text)![1];
    const verified = await server.call<{ sessionToken: string }>('POST', `/v1/auth/challenges/${login.body.challengeId}/verify`, {
      body: { method: 'sms', code },
    });
    if (verified.status !== 200) throw new Error(JSON.stringify(verified.body));
    return verified.body.sessionToken;
  }

  async function signInFrom(user: { email: string; password: string; id: string }, ip: string, userAgent: string) {
    // The audit trail is what the signs read; a real SMS sign-in per IP writes the same event.
    await server.ctx.store.db
      .insertInto('audit_events')
      .values({
        id: `${user.id}-${ip}`,
        at: server.clock.now(),
        tenant_id: tenantId,
        user_id: user.id,
        actor_type: 'user',
        actor_id: user.id,
        action: 'login.succeeded',
        ip,
        details: JSON.stringify({ secondFactor: 'sms', browser: userAgent.includes('Firefox') ? 'Firefox on Linux' : 'Chrome on Linux' }),
      })
      .execute();
  }

  /** A database that refuses one person's account, as a failing disk or a killed connection would. */
  async function failInsertsOf(email: string) {
    const db = server.ctx.store.db;
    if (dialect === 'sqlite') {
      await sql
        .raw(
          `CREATE TRIGGER fail_member BEFORE INSERT ON users WHEN NEW.email = '${email}' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`,
        )
        .execute(db);
    } else {
      await sql
        .raw(
          `CREATE FUNCTION fail_member() RETURNS trigger AS $$ BEGIN IF NEW.email = '${email}' THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
           CREATE TRIGGER fail_member BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION fail_member();`,
        )
        .execute(db);
    }
  }
  async function stopFailing() {
    const db = server.ctx.store.db;
    await sql.raw('DROP TRIGGER fail_member' + (dialect === 'postgres' ? ' ON users; DROP FUNCTION fail_member();' : '')).execute(db);
  }
});
