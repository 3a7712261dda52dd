import { policyPresets, tenantPolicySchema, type TenantPolicy } from '../../shared/policy.js';

/** Reads a stored policy; fields added in later versions fall back to the app preset's defaults. */
export function parseStoredPolicy(json: string): TenantPolicy {
  return tenantPolicySchema.parse({ ...policyPresets.app, ...(JSON.parse(json) as object) });
}
