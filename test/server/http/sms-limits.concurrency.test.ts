import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../src/server/bootstrap.js';
import { configFromEnv } from '../../../src/server/config.js';
import { createTenant, createUser } from '../../../src/server/flows/provisioning.js';
import { dialects, freshDatabase, type TestDatabase } from '../../support/databases.js';
import { readOutbox, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Seed 003's numbers must hold when requests arrive at once: 100 simultaneous "send me a code"
 * requests for one user send exactly 20 SMS and lock the account exactly once.
 */
describe.each(dialects)('100 concurrent SMS requests on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  it('send exactly 20 and lock exactly once', async () => {
    const tenant = await server.addTenant({}, 'sms');
    const user = await server.addUser(tenant, undefined, { phone: '+4793333333' });
    const login = await server.call('POST', '/v1/auth/login', { body: { tenant, email: user.email, password: user.password } });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => server.call('POST', `/v1/auth/challenges/${login.body.challengeId}/sms`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.filter((s) => s === 423)).toHaveLength(80);
    expect(server.outbox().filter((m) => m.to === '+4793333333')).toHaveLength(20);
    const { db } = server.ctx.store;
    expect(await db.selectFrom('lockouts').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(1);
    const messages = await db.selectFrom('messages').select(['status', 'text']).where('user_id', '=', user.id).execute();
    expect(messages).toHaveLength(20);
    // Delivered and then blanked: no code stays in the database.
    expect(messages.every((m) => m.status === 'sent' && m.text === '')).toBe(true);
    const remaining = answers
      .filter((a) => a.status === 202)
      .map((a) => a.body.remainingToday)
      .sort((a, b) => Number(a) - Number(b));
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('two server processes on one PostgreSQL', () => {
  let database: TestDatabase;
  const servers: ChildProcess[] = [];
  const key = randomBytes(32).toString('base64');
  beforeAll(async () => {
    database = await freshDatabase('postgres');
  });
  afterAll(async () => {
    for (const child of servers) child.kill('SIGTERM');
    await database.drop();
  });

  function startProcess(dataDir: string): Promise<string> {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../../bin/mfa-desk.mjs'), 'serve', '--port', '0'], {
      env: { ...process.env, DATABASE_URL: database.url, MFA_DESK_KEY: key, MFA_DESK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    servers.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
  }

  it('send exactly 20 SMS and lock once between them', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'mfa-a-')), mkdtempSync(join(tmpdir(), 'mfa-b-'))];
    const setup = await createContext(configFromEnv({ DATABASE_URL: database.url, MFA_DESK_KEY: key, MFA_DESK_DATA_DIR: dirs[0] }));
    try {
      await createTenant(setup, { slug: 'portal', name: 'Portal', preset: 'sms' });
      const user = await createUser(setup, {
        tenant: 'portal',
        email: 'shared@portal.test',
        name: 'Accounts',
        password: 'correct horse battery',
        phone: '+4794444444',
      });
      const urls = await Promise.all(dirs.map(startProcess));

      const login = await fetch(`${urls[0]}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'portal', email: 'shared@portal.test', password: 'correct horse battery' }),
      });
      const { challengeId } = (await login.json()) as { challengeId: string };
      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fetch(`${urls[i % 2]}/v1/auth/challenges/${challengeId}/sms`, { method: 'POST' }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 202)).toHaveLength(20);
      expect(statuses.filter((s) => s === 423)).toHaveLength(80);
      const sent = dirs.flatMap((dir) => readOutbox(join(dir, 'outbox.jsonl')));
      expect(sent).toHaveLength(20);
      const lockouts = await setup.store.db.selectFrom('lockouts').selectAll().where('user_id', '=', user.id).execute();
      expect(lockouts).toEqual([expect.objectContaining({ reason: 'sms_daily_limit' })]);
    } finally {
      await setup.delivery.stop();
      await setup.store.close();
    }
  });
});
