import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeys } from '../../../src/server/oidc/signing-keys.js';
import { dialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** One signing key for every instance, however many start at once; its private half only sealed. */
describe.each(dialects)('the OpenID signing key on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  it('instances starting together agree on one key, kept sealed', async () => {
    const loaded = await Promise.all(Array.from({ length: 6 }, () => loadSigningKeys(server.ctx)));
    const kids = new Set(loaded.map((keys) => keys[0]!.kid));
    expect(kids.size).toBe(1);
    expect(loaded[0]![0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', d: expect.any(String) });
    const rows = await server.ctx.store.db.selectFrom('oidc_signing_keys').selectAll().execute();
    expect(rows.length).toBe(1);
    expect(rows[0]!.jwk_enc).not.toContain(loaded[0]![0]!.d);
    // Later starts read the same key.
    expect((await loadSigningKeys(server.ctx))[0]!.kid).toBe([...kids][0]);
  });
});
