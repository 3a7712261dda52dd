import { policyPresets, tenantPolicySchema, type TenantPolicy } from '../../shared/policy.js';

/** Parsed policies by their stored JSON: every request reads its tenant's policy, few policies exist. */
const parsed = new Map<string, TenantPolicy>();
const MAX_CACHED = 10_000;

/** Reads a stored policy; fields added in later versions fall back to the app preset's defaults. */
export function parseStoredPolicy(json: string): TenantPolicy {
  let policy = parsed.get(json);
  if (!policy) {
    policy = Object.freeze(tenantPolicySchema.parse({ ...policyPresets.app, ...(JSON.parse(json) as object) }));
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(json, policy);
  }
  return policy;
}
