import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

/**
 * The OpenID Provider (src/server/oidc/): the portals registered per tenant, what oidc-provider keeps
 * between requests (sessions, interactions, codes, grants: one table, one JSON payload per row, as
 * its adapter interface has it), the one signing key every instance shares, and how each session of
 * ours was signed in (for the ID token's amr).
 */
export function openIdProviderSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oidc_clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        /** The client secret, sealed like the TOTP secrets; null for a public client (PKCE only). */
        .addColumn('secret_enc', 'text')
        /** JSON arrays of absolute URLs, matched exactly. */
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oidc_clients_tenant').on('oidc_clients').column('tenant_id').execute();

      await db.schema
        .createTable('oidc_payloads')
        /** "{model}:{id}": the adapter's models share one table. */
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        /** Whose session, grant, code or token it is: ended with the user's sessions of ours. */
        .addColumn('account_id', 'text')
        .addColumn('uid', 'text')
        .addColumn('user_code', 'text')
        .addColumn('expires_at', ms)
        .addColumn('consumed_at', ms)
        .execute();
      await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
      await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
      await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').column('account_id').execute();
      await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();

      await db.schema
        .createTable('oidc_signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        /** 'signing': the key in use. Unique, so two instances starting at once store one key between them. */
        .addColumn('slot', 'text', (c) => c.notNull().unique())
        /** The private JWK, sealed with the server's key. */
        .addColumn('jwk_enc', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();

      /** RFC 8176 values, space-separated: how this session was signed in ("pwd otp mfa"); null before 014. */
      await db.schema.alterTable('sessions').addColumn('amr', 'text').execute();
    },
  };
}
