import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ServerContext } from '../context.js';
import { newId } from '../crypto/tokens.js';

const sealContext = (kid: string) => `oidc-signing-key:${kid}`;

/**
 * The ID tokens' signing key: made on first start, kept in the database sealed with the server's key
 * (like the TOTP secrets), so every instance signs with the same key and publishes the same JWKS.
 * Two instances starting at once may both make one; the slot's unique key keeps the first insert,
 * and both then read that one. RS256, the one algorithm every OpenID Connect client must accept
 * (OIDC Core 15.1).
 */
export async function loadSigningKeys(ctx: ServerContext): Promise<JWK[]> {
  const { db } = ctx.store;
  const stored = await readKey(ctx);
  if (stored) return [stored];
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = newId();
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  await db
    .insertInto('oidc_signing_keys')
    .values({ kid, slot: SLOT, jwk_enc: ctx.secrets.seal(JSON.stringify(jwk), sealContext(kid)), created_at: ctx.clock.now() })
    .onConflict((c) => c.column('slot').doNothing())
    .execute();
  const kept = await readKey(ctx);
  if (!kept) throw new Error('the OpenID signing key could not be stored');
  return [kept];
}

const SLOT = 'signing';

async function readKey(ctx: ServerContext): Promise<JWK | undefined> {
  const row = await ctx.store.db.selectFrom('oidc_signing_keys').selectAll().where('slot', '=', SLOT).executeTakeFirst();
  return row && (JSON.parse(ctx.secrets.open(row.jwk_enc, sealContext(row.kid))) as JWK);
}
