import type { OperatorRole, OperatorView } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';

/** The signed-in operator as every admin route sees it. */
export interface OperatorPrincipal {
  id: string;
  email: string;
  name: string;
  role: OperatorRole;
  /** Tenants this operator may see; empty = all tenants (support and auditors without assignments). */
  tenantIds: string[];
  familyId: string;
}

export function toOperatorView(p: Pick<OperatorPrincipal, 'id' | 'email' | 'name' | 'role' | 'tenantIds'>): OperatorView {
  return { id: p.id, email: p.email, name: p.name, role: p.role, tenantIds: p.tenantIds };
}

export function canSeeTenant(p: OperatorPrincipal, tenantId: string): boolean {
  return p.tenantIds.length === 0 || p.tenantIds.includes(tenantId);
}

/**
 * Another tenant's data answers exactly like data that does not exist: a tenant admin learns
 * nothing about other companies, not even that an id is taken.
 */
export function assertCanSeeTenant(p: OperatorPrincipal, tenantId: string, what = 'user'): void {
  if (!canSeeTenant(p, tenantId)) throw new ApiError('not_found', `There is no such ${what}.`);
}

/** Changing a user's factors is for support and tenant admins; auditors only read. */
export function assertMayAct(p: OperatorPrincipal): void {
  if (p.role === 'auditor') throw new ApiError('forbidden', 'Auditors have read-only access.');
}
