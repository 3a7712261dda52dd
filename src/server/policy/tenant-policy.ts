import { enrolledMethods } from '../../shared/methods.js';
import { policyPresets, tenantPolicySchema, type TenantPolicy } from '../../shared/policy.js';

/** Parsed policies by their stored JSON: every request reads its tenant's policy, few policies exist. */
const parsed = new Map<string, TenantPolicy>();
const MAX_CACHED = 10_000;

/**
 * What a stored policy without a field falls back to: the app preset, but for the country. A tenant
 * stored before countries existed reads phone numbers as it did (international ones only) rather
 * than as Norwegian ones: a guessed country can read another country's national number as a valid
 * mobile there (a Danish "40 12 34 56" is a Norwegian mobile number too).
 */
const storedDefaults: Partial<TenantPolicy> = { ...policyPresets.app };
delete storedDefaults.country;

/**
 * Reads a stored policy; fields added in later versions fall back to the app preset's defaults. A
 * method the server has no factor for is left out of `allowedMethods` (earlier versions accepted
 * 'push' before it existed): one such entry must not make every request of the tenant fail.
 */
export function parseStoredPolicy(json: string): TenantPolicy {
  let policy = parsed.get(json);
  if (!policy) {
    const stored = JSON.parse(json) as { allowedMethods?: unknown };
    const known = Array.isArray(stored.allowedMethods)
      ? { allowedMethods: stored.allowedMethods.filter((m) => (enrolledMethods as readonly unknown[]).includes(m)) }
      : {};
    policy = Object.freeze(tenantPolicySchema.parse({ ...storedDefaults, ...stored, ...known }));
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(json, policy);
  }
  return policy;
}
