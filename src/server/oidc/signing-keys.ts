import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ServerContext } from '../context.js';
import { newId } from '../crypto/tokens.js';

const sealContext = (kid: string) => `oidc-signing-key:${kid}`;

/**
 * The ID tokens' signing key: made on first start, kept in the database sealed with the server's key
 * (like the TOTP secrets), so every instance signs with the same key and publishes the same JWKS.
 * Two instances starting at once may both make one; the insert keeps the first, and both then read
 * it. RS256, the one algorithm every OpenID Connect client must accept (OIDC Core 15.1).
 */
export async function loadSigningKeys(ctx: ServerContext): Promise<JWK[]> {
  const { db } = ctx.store;
  const stored = await readKeys(ctx);
  if (stored.length) return stored;
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = newId();
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  await db
    .insertInto('oidc_signing_keys')
    .values({ kid, jwk_enc: ctx.secrets.seal(JSON.stringify(jwk), sealContext(kid)), created_at: ctx.clock.now() })
    .execute();
  return (await readKeys(ctx)).slice(0, 1);
}

async function readKeys(ctx: ServerContext): Promise<JWK[]> {
  const rows = await ctx.store.db.selectFrom('oidc_signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
  // The oldest first: whichever instance's key was stored first is the one everybody signs with.
  return rows.slice(0, 1).map((row) => JSON.parse(ctx.secrets.open(row.jwk_enc, sealContext(row.kid))) as JWK);
}
