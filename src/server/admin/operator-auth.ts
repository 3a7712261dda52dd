import type { z } from 'zod';
import type { adminLoginRequest, AdminTokens } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { DAY, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { newId, newOpaqueToken, sha256Hex } from '../crypto/tokens.js';
import type { RequestMeta } from '../http/request-meta.js';
import { checkTotpCode } from '../factors/totp/totp-codes.js';
import { tooManyAttempts } from '../policy/password-throttle.js';
import { hitRateLimit } from '../store/repositories/rate-limits.js';
import type { Database } from '../store/schema.js';
import type { Kysely } from 'kysely';
import { toOperatorView, type OperatorPrincipal } from './operator-principal.js';

/** Access tokens live 15 minutes; refresh tokens 14 days, one use each. */
export const ACCESS_TOKEN_TTL = 15 * MINUTE;
export const REFRESH_TOKEN_TTL = 14 * DAY;
/** Sign-in attempts: per operator email and per client IP, in 15-minute windows (OWASP ASVS 5.0 6.3.1). */
const LOGIN_WINDOW = 15 * MINUTE;
const LOGIN_ATTEMPTS_PER_EMAIL = 10;
const LOGIN_ATTEMPTS_PER_IP = 50;

const refused = () => new ApiError('invalid_credentials', 'The email, password or authenticator code is wrong.');

/** Password + authenticator code, rate-limited, the same answer for every kind of failure. */
export async function signInOperator(
  ctx: ServerContext,
  input: z.infer<typeof adminLoginRequest>,
  meta: RequestMeta,
): Promise<AdminTokens> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  for (const [key, cap] of [
    [`op-login:email:${input.email}`, LOGIN_ATTEMPTS_PER_EMAIL],
    [`op-login:ip:${meta.ip}`, LOGIN_ATTEMPTS_PER_IP],
  ] as const) {
    const limit = await hitRateLimit(db, key, cap, LOGIN_WINDOW, now);
    if (!limit.allowed) throw tooManyAttempts(limit.resetAt - now, now);
  }
  const operator = await db.selectFrom('operators').selectAll().where('email', '=', input.email).executeTakeFirst();
  const passwordOk = operator?.password_hash
    ? await ctx.passwords.verify(operator.password_hash, input.password)
    : await ctx.passwords.verifyAgainstNothing(input.password);
  let codeOk = false;
  if (operator && passwordOk && operator.disabled_at === null) {
    const check = checkTotpCode({
      secret: ctx.secrets.open(operator.totp_secret_enc, `operator:${operator.id}`),
      code: input.code,
      at: now,
      afterStep: operator.totp_last_step,
    });
    codeOk = check.valid && (await claimOperatorStep(db, operator.id, check.step));
  }
  if (!operator || !passwordOk || !codeOk || operator.disabled_at !== null) {
    await recordAudit(db, now, {
      action: 'operator.login_failed',
      actorType: 'anonymous',
      actorId: operator?.id ?? null,
      ip: meta.ip,
      details: { email: input.email, reason: !operator ? 'unknown' : !passwordOk ? 'password' : 'code' },
    });
    throw refused();
  }
  const principal = await loadPrincipal(db, operator.id, newId());
  if (!principal) throw refused();
  return db.transaction().execute(async (trx) => {
    const tokens = await issueTokens(trx, principal, input.deviceName, meta.ip, now);
    await recordAudit(trx, now, {
      action: 'operator.login',
      actorType: 'operator',
      actorId: operator.id,
      ip: meta.ip,
      details: { deviceName: input.deviceName },
    });
    return tokens;
  });
}

async function claimOperatorStep(db: Kysely<Database>, operatorId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('operators')
    .set({ totp_last_step: step })
    .where('id', '=', operatorId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

async function loadPrincipal(db: Kysely<Database>, operatorId: string, familyId: string): Promise<OperatorPrincipal | undefined> {
  const operator = await db
    .selectFrom('operators')
    .selectAll()
    .where('id', '=', operatorId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!operator) return undefined;
  const tenants = await db
    .selectFrom('operator_tenants')
    .select('tenant_id')
    .where('operator_id', '=', operatorId)
    .orderBy('tenant_id')
    .execute();
  return toPrincipal(
    operator,
    tenants.map((t) => t.tenant_id),
    familyId,
  );
}

function toPrincipal(
  operator: Pick<OperatorPrincipal, 'id' | 'email' | 'name' | 'role'>,
  tenantIds: string[],
  familyId: string,
): OperatorPrincipal | undefined {
  // No assignment means "every tenant" for support and auditors; a tenant admin without a tenant
  // (its tenant gone) must not fall open into that: such an operator cannot act at all.
  if (operator.role === 'tenant_admin' && tenantIds.length === 0) return undefined;
  return { id: operator.id, email: operator.email, name: operator.name, role: operator.role, tenantIds, familyId };
}

async function issueTokens(
  db: Kysely<Database>,
  principal: OperatorPrincipal,
  deviceName: string,
  ip: string,
  now: number,
): Promise<AdminTokens> {
  const accessToken = newOpaqueToken();
  const refreshToken = newOpaqueToken();
  await db
    .insertInto('operator_access_tokens')
    .values({
      token_hash: sha256Hex(accessToken),
      operator_id: principal.id,
      family_id: principal.familyId,
      expires_at: now + ACCESS_TOKEN_TTL,
    })
    .execute();
  await db
    .insertInto('operator_refresh_tokens')
    .values({
      id: newId(),
      family_id: principal.familyId,
      operator_id: principal.id,
      token_hash: sha256Hex(refreshToken),
      device_name: deviceName,
      ip,
      created_at: now,
      expires_at: now + REFRESH_TOKEN_TTL,
      used_at: null,
      revoked_at: null,
    })
    .execute();
  // Expired access tokens of this operator are of no use to anyone.
  await db.deleteFrom('operator_access_tokens').where('operator_id', '=', principal.id).where('expires_at', '<=', now).execute();
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL / 1000, operator: toOperatorView(principal) };
}

/**
 * Rotates a refresh token: the presented one is spent (one conditional update), a new pair is issued
 * in the same family. Presenting a spent token means it was copied: the whole family is revoked,
 * access tokens included, and the event is audited.
 */
export async function refreshOperatorTokens(ctx: ServerContext, refreshToken: string, meta: RequestMeta): Promise<AdminTokens> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const hash = sha256Hex(refreshToken);
  const outcome = await db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('operator_refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (spent) {
      const principal = await loadPrincipal(trx, spent.operator_id, spent.family_id);
      if (!principal) return { kind: 'gone' as const };
      return { kind: 'ok' as const, tokens: await issueTokens(trx, principal, spent.device_name, meta.ip, now) };
    }
    const known = await trx.selectFrom('operator_refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (known && known.used_at !== null && known.revoked_at === null) {
      await revokeFamily(trx, known.family_id, now);
      await recordAudit(trx, now, {
        action: 'operator.refresh_reused',
        actorType: 'anonymous',
        actorId: known.operator_id,
        ip: meta.ip,
        details: { familyId: known.family_id, deviceName: known.device_name },
      });
      return { kind: 'reused' as const };
    }
    return { kind: 'gone' as const };
  });
  if (outcome.kind === 'ok') return outcome.tokens;
  if (outcome.kind === 'reused')
    throw new ApiError('invalid_token', 'This sign-in was used twice, so it has been ended everywhere for safety. Sign in again.');
  throw new ApiError('invalid_token', 'Your sign-in has expired or was revoked. Sign in again.');
}

async function revokeFamily(db: Kysely<Database>, familyId: string, now: number): Promise<void> {
  await db
    .updateTable('operator_refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
  await db.deleteFrom('operator_access_tokens').where('family_id', '=', familyId).execute();
}

export async function signOutOperator(ctx: ServerContext, principal: OperatorPrincipal, meta: RequestMeta): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    await revokeFamily(trx, principal.familyId, now);
    await recordAudit(trx, now, { action: 'operator.logout', actorType: 'operator', actorId: principal.id, ip: meta.ip });
  });
}

/** Resolves `Authorization: Bearer <access token>` to the operator. */
export async function authenticateOperator(ctx: ServerContext, header: string | undefined): Promise<OperatorPrincipal> {
  const token = /^Bearer ([A-Za-z0-9_-]{16,256})$/.exec(header ?? '')?.[1];
  if (!token) throw new ApiError('unauthorized', 'Send the access token as "Authorization: Bearer <token>".');
  // One query on every admin request: the live token, its enabled operator, and a row per assigned tenant.
  const rows = await ctx.store.db
    .selectFrom('operator_access_tokens as a')
    .innerJoin('operators as o', 'o.id', 'a.operator_id')
    .leftJoin('operator_tenants as ot', 'ot.operator_id', 'o.id')
    .select(['o.id', 'o.email', 'o.name', 'o.role', 'a.family_id', 'ot.tenant_id'])
    .where('a.token_hash', '=', sha256Hex(token))
    .where('a.expires_at', '>', ctx.clock.now())
    .where('o.disabled_at', 'is', null)
    .orderBy('ot.tenant_id')
    .execute();
  const first = rows[0];
  const principal =
    first &&
    toPrincipal(
      first,
      rows.flatMap((r) => (r.tenant_id === null ? [] : [r.tenant_id])),
      first.family_id,
    );
  if (!principal) throw new ApiError('invalid_token', 'The access token has expired or was revoked.');
  return principal;
}

/** The one-time link printed by `mfa-desk operator create` when no password was given. */
export async function setOperatorPassword(ctx: ServerContext, token: string, password: string, meta: RequestMeta): Promise<void> {
  const hash = await ctx.passwords.hash(password);
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('operator_password_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('operator_id')
      .executeTakeFirst();
    if (!row) throw new ApiError('link_expired', 'This set-password link was used or has expired.');
    await trx.updateTable('operators').set({ password_hash: hash }).where('id', '=', row.operator_id).execute();
    await recordAudit(trx, now, { action: 'operator.password_set', actorType: 'operator', actorId: row.operator_id, ip: meta.ip });
  });
}
