import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { operatorRole, type OperatorView } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY } from '../clock.js';
import type { ServerContext } from '../context.js';
import { newId, newOpaqueToken, sha256Hex } from '../crypto/tokens.js';
import { newTotpSecret, totpUri } from '../factors/totp/totp-codes.js';
import { findTenantBySlug } from '../store/repositories/tenants.js';

export const newOperatorInput = z
  .object({
    email: z.string().trim().toLowerCase().pipe(z.email()),
    name: z.string().trim().min(1).max(200),
    role: operatorRole,
    /** Tenant slugs: required (exactly one) for tenant admins; optional for support and auditors (none = all). */
    tenantSlugs: z.array(z.string().min(1)).default([]),
    /** Omitted: the operator gets a one-time link to set their own password. */
    password: z.string().min(12, 'at least 12 characters').max(1024).optional(),
  })
  .refine((o) => o.role !== 'tenant_admin' || o.tenantSlugs.length === 1, {
    message: 'a tenant admin belongs to exactly one tenant (--tenant)',
    path: ['tenantSlugs'],
  });

export interface CreatedOperator {
  operator: OperatorView;
  totpSecret: string;
  otpauthUri: string;
  /** The password given, or a generated one when a set-password link was not wanted. */
  password: string | undefined;
  /** Present when no password was given: a one-time link (7 days) to choose one. */
  setPasswordToken: string | undefined;
}

/** Operators use MFA themselves: each is created with a TOTP secret to enrol right away. */
export async function createOperator(ctx: ServerContext, raw: z.input<typeof newOperatorInput>): Promise<CreatedOperator> {
  const input = newOperatorInput.parse(raw);
  const { db } = ctx.store;
  if (await db.selectFrom('operators').select('id').where('email', '=', input.email).executeTakeFirst()) {
    throw new ApiError('conflict', `An operator ${input.email} already exists.`);
  }
  const tenantIds: string[] = [];
  for (const slug of input.tenantSlugs) {
    const tenant = await findTenantBySlug(db, slug);
    if (!tenant) throw new ApiError('unknown_tenant', `There is no tenant "${slug}".`);
    tenantIds.push(tenant.id);
  }
  const id = newId();
  const totpSecret = newTotpSecret();
  const passwordHash = input.password ? await ctx.passwords.hash(input.password) : null;
  const setPasswordToken = input.password ? undefined : newOpaqueToken();
  const now = ctx.clock.now();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('operators')
      .values({
        id,
        email: input.email,
        name: input.name,
        role: input.role,
        password_hash: passwordHash,
        totp_secret_enc: ctx.secrets.seal(totpSecret, `operator:${id}`),
        totp_last_step: null,
        disabled_at: null,
        created_at: now,
      })
      .execute();
    if (tenantIds.length)
      await trx
        .insertInto('operator_tenants')
        .values(tenantIds.map((tenant_id) => ({ operator_id: id, tenant_id })))
        .execute();
    if (setPasswordToken) {
      await trx
        .insertInto('operator_password_tokens')
        .values({ token_hash: sha256Hex(setPasswordToken), operator_id: id, expires_at: now + 7 * DAY, used_at: null })
        .execute();
    }
    await recordAudit(trx, now, {
      action: 'operator.created',
      actorType: 'system',
      details: { operatorId: id, email: input.email, role: input.role, tenantIds },
    });
  });
  return {
    operator: { id, email: input.email, name: input.name, role: input.role, tenantIds },
    totpSecret,
    otpauthUri: totpUri(totpSecret, 'MFA Desk', input.email),
    password: input.password,
    setPasswordToken,
  };
}

/** A readable password for demos and tests: 18 random bytes, base64url. */
export function generatedPassword(): string {
  return `op-${randomBytes(18).toString('base64url')}`;
}
