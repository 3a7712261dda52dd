import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/database.js';
import { dialects, freshDatabase, type TestDatabase } from '../support/databases.js';

const bin = join(import.meta.dirname, '../../bin/mfa-desk.mjs');

describe.each(dialects)('the mfa-desk CLI on %s', (dialect) => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await freshDatabase(dialect);
    const dataDir = mkdtempSync(join(tmpdir(), 'mfa-cli-'));
    env = { ...process.env, MFA_DESK_DATA_DIR: dataDir, DATABASE_URL: database.url, MFA_DESK_KEY: '' };
  });
  afterAll(() => database.drop());

  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });

  it('migrates, creates a tenant and a user, and the key file is 0600', () => {
    expect(run('migrate')).toMatchObject({ status: 0, stdout: expect.stringContaining('001_initial') });
    expect(run('migrate').stdout).toContain('up to date');
    const tenant = run('tenant', 'create', '--slug', 'acme', '--name', 'Acme AS', '--preset', 'sms', '--json');
    expect(tenant.status, tenant.stderr).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({
      slug: 'acme',
      policy: { smsLoginDailyLimit: 20, askOnlyOnNewIpOrPasswordChange: true },
    });
    const user = run(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'Ada@Acme.test',
      '--name',
      'Ada',
      '--password',
      'correct horse battery',
      '--json',
    );
    expect(user.status, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'ada@acme.test' });
    expect(statSync(join(env.MFA_DESK_DATA_DIR!, 'mfa-desk.key')).mode & 0o777).toBe(0o600);
  });

  it('imports a user with a verified phone and emails a phone reset link', () => {
    const created = run(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'ola@acme.test',
      '--name',
      'Ola',
      '--password',
      'correct horse battery',
      '--phone',
      '+47 912 34 567',
      '--json',
    );
    expect(created.status, created.stderr).toBe(0);
    expect(
      run(
        'user',
        'create',
        '--tenant',
        'acme',
        '--email',
        'x@acme.test',
        '--name',
        'X',
        '--password',
        'correct horse battery',
        '--phone',
        '+47 22 12 34 56',
      ).stderr,
    ).toMatch(/cannot receive text messages/);
    const link = run('user', 'phone-reset-link', '--tenant', 'acme', '--email', 'ola@acme.test', '--json');
    expect(link.status, link.stderr).toBe(0);
    expect(JSON.parse(link.stdout)).toMatchObject({
      link: expect.stringMatching(/\/phone-reset\/[A-Za-z0-9_-]{43}$/),
      sentTo: 'o••@acme.test',
    });
    const outbox = readFileSync(join(env.MFA_DESK_DATA_DIR!, 'outbox.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; template: string });
    expect(outbox.at(-1)).toMatchObject({ to: 'ola@acme.test', template: 'phone_reset_link' });
    expect(run('user', 'phone-reset-link', '--tenant', 'acme', '--email', 'nobody@acme.test').stderr).toMatch(/no user nobody@acme.test/);
  });

  it("takes a tenant's country and reads phones typed the national way by it", async () => {
    const created = run('tenant', 'create', '--slug', 'kontor', '--name', 'Kontor GmbH', '--preset', 'sms', '--json');
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ policy: { country: 'DE' } });
    const given = run('tenant', 'create', '--slug', 'wien', '--name', 'Wien GmbH', '--preset', 'sms', '--country', 'at', '--json');
    expect(JSON.parse(given.stdout)).toMatchObject({ policy: { country: 'AT' } });
    const typed: Array<[string, string]> = [
      ['0049 151 98765432', '+4915198765432'],
      ['+49 (0)151 2345 6789', '+4915123456789'],
      ['0151 2345 6789', '+4915123456789'],
    ];
    const ids: string[] = [];
    for (const [i, [phone]] of typed.entries()) {
      const user = run(
        'user',
        'create',
        '--tenant',
        'kontor',
        '--email',
        `person${i}@kontor.test`,
        '--name',
        `Person ${i}`,
        '--password',
        'correct horse battery',
        '--phone',
        phone,
        '--json',
      );
      expect(user.status, user.stderr).toBe(0);
      ids.push((JSON.parse(user.stdout) as { id: string }).id);
    }
    // A tenant made before countries: national numbers are refused until it has one.
    const store = openStore(database.url);
    try {
      const stored = await store.db.selectFrom('users').select(['id', 'phone']).where('id', 'in', ids).execute();
      expect(ids.map((id) => stored.find((u) => u.id === id)?.phone)).toEqual(typed.map(([, e164]) => e164));
      const acme = await store.db.selectFrom('tenants').select('policy').where('slug', '=', 'acme').executeTakeFirstOrThrow();
      const policy = JSON.parse(acme.policy) as Record<string, unknown>;
      delete policy.country;
      await store.db
        .updateTable('tenants')
        .set({ policy: JSON.stringify(policy) })
        .where('slug', '=', 'acme')
        .execute();
    } finally {
      await store.close();
    }
    const national = [
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'kari@acme.test',
      '--name',
      'Kari',
      '--password',
      'correct horse battery',
      '--phone',
      '412 34 567',
    ];
    expect(run(...national).stderr).toMatch(/not a valid phone number/);
    const updated = run('tenant', 'update', '--slug', 'acme', '--country', 'no', '--json');
    expect(updated.status, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ slug: 'acme', policy: { country: 'NO' } });
    expect(run(...national).status).toBe(0);
    expect(run('tenant', 'update', '--slug', 'acme', '--country', 'XX').stderr).toMatch(
      /--country: a country whose phone numbers are known/,
    );
    expect(run('tenant', 'update', '--slug', 'acme').stderr).toMatch(/--country is required/);
    expect(run('tenant', 'update', '--slug', 'ghost', '--country', 'DE').stderr).toMatch(/no tenant "ghost"/);
  });

  it('registers, lists and removes a portal (OpenID client), and refuses a bad redirect URI saying why', () => {
    expect(run('tenant', 'create', '--slug', 'portals', '--name', 'Portals AS').status).toBe(0);
    const added = run(
      'oidc-client',
      'add',
      '--tenant',
      'portals',
      '--name',
      'Intranet',
      '--redirect-uri',
      'https://intranet.acme.test/cb',
      '--json',
    );
    expect(added.status, added.stderr).toBe(0);
    const made = JSON.parse(added.stdout) as { clientId: string; clientSecret: string; issuer: string };
    expect(made).toMatchObject({
      clientId: expect.stringMatching(/^mfa_/),
      clientSecret: expect.any(String),
      issuer: expect.stringMatching(/\/oidc$/),
    });
    const listed = run('oidc-client', 'list', '--tenant', 'portals');
    expect(listed.stdout).toContain(`${made.clientId}  Intranet  confidential  https://intranet.acme.test/cb`);
    expect(listed.stdout).not.toContain(made.clientSecret);
    const bad = run('oidc-client', 'add', '--tenant', 'portals', '--name', 'Intranet', '--redirect-uri', 'http://intranet.acme.test/cb');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/redirectUris.*https/);
    expect(run('oidc-client', 'add', '--tenant', 'nope', '--name', 'X', '--redirect-uri', 'https://x.test/cb').stderr).toContain(
      'no tenant "nope"',
    );
    expect(run('oidc-client', 'remove', '--tenant', 'portals', '--client-id', made.clientId).status).toBe(0);
    expect(run('oidc-client', 'list', '--tenant', 'portals').stdout).toContain('no portals registered');
  });

  it('creates operators with a TOTP enrollment, seeds demo and bench data', () => {
    const op = run('operator', 'create', '--email', 'sam@desk.test', '--name', 'Sam', '--role', 'support');
    expect(op.status, op.stderr).toBe(0);
    expect(op.stdout).toMatch(/otpauth:\/\/totp\/MFA%20Desk:sam%40desk\.test\?secret=[A-Z2-7]{32}/);
    expect(op.stdout).toContain('▄'); // the QR code, drawn in the terminal
    expect(op.stdout).toMatch(/set-password \{"token":"[A-Za-z0-9_-]{43}"/);
    expect(run('operator', 'create', '--email', 'ta@desk.test', '--name', 'T', '--role', 'tenant_admin').stderr).toMatch(
      /exactly one tenant/,
    );
    expect(run('operator', 'create', '--email', 'x@desk.test', '--name', 'X', '--role', 'god').stderr).toMatch(/--role/);
    const demo = run('seed-demo', '--json');
    expect(demo.status, demo.stderr).toBe(0);
    const parsed = JSON.parse(demo.stdout) as { users: unknown[]; operators: Array<{ role: string }> };
    expect(parsed.operators.map((o) => o.role).sort()).toEqual(['auditor', 'support', 'tenant_admin']);
    expect(parsed.users.length).toBeGreaterThanOrEqual(9);
    const bench = run('seed-bench', '--users', '1200', '--tenants', '2', '--json');
    expect(bench.status, bench.stderr).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({ users: 1200 });
    expect(bench.stderr).toContain('100% 1200/1200 users');
    expect(run('seed-bench', '--users', 'lots').stderr).toMatch(/--users must be a whole number/);
  });

  it('refuses bad input with a clear message and a non-zero exit, changing nothing', () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['user', 'create', '--tenant', 'acme', '--email', 'nope', '--name', 'X', '--password', 'short'],
        /--email: .*--password: at least 12/,
      ],
      [
        ['user', 'create', '--tenant', 'acme', '--email', 'ada@acme.test', '--name', 'Ada', '--password', 'correct horse battery'],
        /already has an account/,
      ],
      [
        ['user', 'create', '--tenant', 'ghost', '--email', 'g@acme.test', '--name', 'G', '--password', 'correct horse battery'],
        /no tenant "ghost"/,
      ],
      [['tenant', 'create', '--slug', 'Bad Slug!', '--name', 'X'], /--slug: lowercase/],
      [['tenant', 'create', '--slug', 'acme', '--name', 'Again'], /already exists/],
      [['tenant', 'create', '--slug', 'x2', '--name', 'X', '--preset', 'carrier-pigeon'], /--preset/],
      [['tenant', 'create', '--slug', 'x3', '--name', 'X', '--country', 'Norway'], /--country: an ISO 3166-1 alpha-2/],
      [['user', 'create', '--tenant', 'acme'], /--email is required/],
      [['frobnicate'], /unknown command/],
      [['serve', '--port', 'eighty'], /--port must be/],
      [['tenant', 'create', '--no-such-flag'], /Unknown option/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.status, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
    }
  });
});
