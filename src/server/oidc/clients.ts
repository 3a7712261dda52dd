import type { AdapterPayload } from 'oidc-provider';
import { oidcClientRegistration, type OidcClientRegistration, type OidcClientView } from '../../shared/api/oidc-clients.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { newOpaqueToken } from '../crypto/tokens.js';
import { randomBytes } from 'node:crypto';
import type { OidcClientsTable } from '../store/schema.js';

/**
 * The tenants' portals as OpenID Connect clients. A client belongs to one tenant: its users are the
 * only ones who can sign in through it (the provider's findAccount checks), and its secret is
 * sealed with the server's key, bound to the client id, like the TOTP secrets.
 */

export interface Registrar {
  /** Who registered it, for the audit trail: an operator's id, or "cli". */
  actorType: 'operator' | 'system';
  actorId: string;
  label: string;
}

const secretContext = (clientId: string) => `oidc-client:${clientId}`;

export async function registerOidcClient(
  ctx: ServerContext,
  tenantId: string,
  input: OidcClientRegistration,
  by: Registrar,
): Promise<OidcClientView & { clientSecret: string | null }> {
  const parsed = oidcClientRegistration.safeParse(input);
  if (!parsed.success) {
    throw new ApiError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'client'}: ${i.message}`).join('; '));
  }
  const registration = parsed.data;
  const now = ctx.clock.now();
  // Readable in logs and configuration files, unguessable all the same.
  const clientId = `mfa_${randomBytes(12).toString('base64url')}`;
  const clientSecret = registration.public ? null : newOpaqueToken();
  const row: OidcClientsTable = {
    client_id: clientId,
    tenant_id: tenantId,
    name: registration.name,
    secret_enc: clientSecret === null ? null : ctx.secrets.seal(clientSecret, secretContext(clientId)),
    redirect_uris: JSON.stringify(registration.redirectUris),
    post_logout_redirect_uris: JSON.stringify(registration.postLogoutRedirectUris),
    created_at: now,
    created_by: by.label,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.insertInto('oidc_clients').values(row).execute();
    await recordAudit(trx, now, {
      tenantId,
      userId: null,
      actorType: by.actorType,
      actorId: by.actorId,
      ip: null,
      action: 'oidc_client.registered',
      details: { clientId, name: registration.name, redirectUris: registration.redirectUris, public: registration.public },
    });
  });
  return { ...toView(row), clientSecret };
}

export async function listOidcClients(ctx: ServerContext, tenantId: string): Promise<OidcClientView[]> {
  const rows = await ctx.store.db
    .selectFrom('oidc_clients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
  return rows.map(toView);
}

/** Removes a client; its codes, tokens and grants stop working with it (oidc-provider finds no client). */
export async function removeOidcClient(ctx: ServerContext, tenantId: string, clientId: string, by: Registrar): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('oidc_clients')
      .where('client_id', '=', clientId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (removed.numDeletedRows !== 1n) throw new ApiError('not_found', 'There is no such client.');
    await recordAudit(trx, now, {
      tenantId,
      userId: null,
      actorType: by.actorType,
      actorId: by.actorId,
      ip: null,
      action: 'oidc_client.removed',
      details: { clientId },
    });
  });
}

export async function findOidcClient(ctx: ServerContext, clientId: string): Promise<OidcClientsTable | undefined> {
  return ctx.store.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/** The client as oidc-provider reads it (its Client model's metadata). */
export async function findOidcClientMetadata(ctx: ServerContext, clientId: string): Promise<AdapterPayload | undefined> {
  const row = await findOidcClient(ctx, clientId);
  if (!row) return undefined;
  return {
    client_id: row.client_id,
    client_name: row.name,
    ...(row.secret_enc === null
      ? { token_endpoint_auth_method: 'none' }
      : {
          client_secret: ctx.secrets.open(row.secret_enc, secretContext(row.client_id)),
          token_endpoint_auth_method: 'client_secret_basic',
        }),
    redirect_uris: JSON.parse(row.redirect_uris) as string[],
    post_logout_redirect_uris: JSON.parse(row.post_logout_redirect_uris) as string[],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    tenant_id: row.tenant_id,
  };
}

function toView(row: OidcClientsTable): OidcClientView {
  return {
    clientId: row.client_id,
    tenantId: row.tenant_id,
    name: row.name,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    public: row.secret_enc === null,
    createdAt: iso(Number(row.created_at)),
    createdBy: row.created_by,
  };
}
