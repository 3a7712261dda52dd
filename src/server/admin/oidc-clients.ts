import type { OidcClientRegistration, OidcClientView } from '../../shared/api/oidc-clients.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { listOidcClients, registerOidcClient, removeOidcClient } from '../oidc/clients.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { assertCanSeeTenant, type OperatorPrincipal } from './operator-principal.js';

/**
 * The operators' side of a tenant's portals. Registering or removing one changes how the tenant's
 * users sign in, so it is the tenant admin's; support and auditors see the list (support answers
 * "why does the portal say invalid redirect_uri?"), never a secret.
 */

async function visibleTenant(ctx: ServerContext, principal: OperatorPrincipal, tenantId: string): Promise<Tenant> {
  assertCanSeeTenant(principal, tenantId, 'tenant');
  const tenant = await findTenantById(ctx.store.db, tenantId);
  if (!tenant) throw new ApiError('not_found', 'There is no such tenant.');
  return tenant;
}

function assertTenantAdmin(principal: OperatorPrincipal): void {
  if (principal.role !== 'tenant_admin') throw new ApiError('forbidden', "Portals are registered by the tenant's admin.");
}

export async function listClientsFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  tenantId: string,
): Promise<{ clients: OidcClientView[] }> {
  const tenant = await visibleTenant(ctx, principal, tenantId);
  return { clients: await listOidcClients(ctx, tenant.id) };
}

export async function registerClientFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  tenantId: string,
  input: OidcClientRegistration,
): Promise<OidcClientView & { clientSecret: string | null }> {
  const tenant = await visibleTenant(ctx, principal, tenantId);
  assertTenantAdmin(principal);
  return registerOidcClient(ctx, tenant.id, input, { actorType: 'operator', actorId: principal.id, label: principal.email });
}

export async function removeClientFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  tenantId: string,
  clientId: string,
): Promise<{ ok: true }> {
  const tenant = await visibleTenant(ctx, principal, tenantId);
  assertTenantAdmin(principal);
  await removeOidcClient(ctx, tenant.id, clientId, { actorType: 'operator', actorId: principal.id, label: principal.email });
  return { ok: true };
}
