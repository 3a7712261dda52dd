import { sql, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type {
  createSheetsAnswer,
  createSheetsRequest,
  sheetCandidatesAnswer,
  sheetCandidatesQuery,
  sheetsAnswer,
  sheetsQuery,
  SheetView,
} from '../../shared/api/tenant-admin.js';
import type { ticketAndReason } from '../../shared/api/admin.js';
import { ApiError } from '../api-error.js';
import { recordAudit } from '../audit/audit-trail.js';
import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { newId } from '../crypto/tokens.js';
import { asLocale } from '../delivery/message-templates.js';
import { createSheet } from '../factors/totp/enrollment-sheets.js';
import type { RequestMeta } from '../http/request-meta.js';
import { likeContaining } from '../store/like-pattern.js';
import { findSheet, sheetState, voidSheet, type SheetRow } from '../store/repositories/enrollment-sheets.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertCanSeeTenant, assertMayAct, type OperatorPrincipal } from './operator-principal.js';

/**
 * The tenant admin's enrollment sheets (admin side): who can be sent one, making a batch, the list,
 * voiding. The key and its sheet are the totp factor's (factors/totp/enrollment-sheets.ts). Auditors
 * see and print nothing: a sheet is a secret on paper.
 */

/** Users of the tenant without an authenticator app (and not disabled), by email, a page at a time. */
export async function listSheetCandidates(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof sheetCandidatesQuery>,
): Promise<z.infer<typeof sheetCandidatesAnswer>> {
  assertMayAct(principal);
  const tenant = await sheetTenant(ctx, principal, query.tenantId);
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const scope = `sheet-candidates:${principal.id}:${tenant.id}`;
  const after = decodeCursor(ctx.secrets, scope, query.cursor);
  const q = query.q?.toLowerCase();
  const rows = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.email', 'u.name', 'u.locale', 'u.mfa_enrolled_at', 'u.created_at'])
    .where('u.tenant_id', '=', tenant.id)
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('totp_factors as f').select('f.id').whereRef('f.user_id', '=', 'u.id').where('f.status', '=', 'active')),
      ),
    )
    .$if(q !== undefined && q !== '', (qb) =>
      qb.where(sql<SqlBool>`(lower(u.email) || ' ' || lower(u.name)) LIKE ${likeContaining(q!)} ESCAPE '\\'`),
    )
    .$if(after !== null, (qb) =>
      qb.where((eb) =>
        eb.or([eb('u.created_at', '>', after!.key), eb.and([eb('u.created_at', '=', after!.key), eb('u.id', '>', after!.id)])]),
      ),
    )
    .orderBy('u.created_at')
    .orderBy('u.id')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const live = page.length
    ? await db
        .selectFrom('enrollment_sheets')
        .select(['id', 'user_id', 'expires_at'])
        .where(
          'user_id',
          'in',
          page.map((r) => r.id),
        )
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .where('replaced_at', 'is', null)
        .where('expires_at', '>', now)
        .execute()
    : [];
  const liveByUser = new Map(live.map((s) => [s.user_id, s]));
  const last = page.at(-1);
  return {
    items: page.map((r) => {
      const sheet = liveByUser.get(r.id);
      return {
        userId: r.id,
        email: r.email,
        name: r.name,
        locale: r.locale,
        mfaEnrolled: r.mfa_enrolled_at !== null,
        liveSheet: sheet ? { id: sheet.id, expiresAt: iso(sheet.expires_at) } : null,
      };
    }),
    nextCursor: rows.length > query.limit && last ? encodeCursor(ctx.secrets, scope, Number(last.created_at), last.id) : null,
  };
}

/**
 * One batch of sheets, one per user: all of them or none (a user the operator may not see, one who
 * has an app meanwhile, one of a tenant without apps refuses the batch, saying who). One audit event
 * per user (their timeline shows it) in the same transaction. The keys are in the answer only.
 */
export async function createSheets(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  request: z.infer<typeof createSheetsRequest>,
  meta: RequestMeta,
): Promise<z.infer<typeof createSheetsAnswer>> {
  assertMayAct(principal);
  const { db } = ctx.store;
  const userIds = [...new Set(request.userIds)];
  const users = await db.selectFrom('users').selectAll().where('id', 'in', userIds).execute();
  const byId = new Map(users.map((u) => [u.id, u]));
  const tenants = new Map<string, Tenant>();
  for (const id of userIds) {
    const user = byId.get(id);
    // The same words as for another tenant's user: nothing tells the two apart.
    if (!user) throw new ApiError('not_found', 'There is no such user.');
    assertCanSeeTenant(principal, user.tenant_id);
    if (!tenants.has(user.tenant_id)) tenants.set(user.tenant_id, await sheetTenant(ctx, principal, user.tenant_id));
    if (user.disabled_at !== null) throw new ApiError('conflict', `${user.email} is disabled.`);
  }
  const withApp = await db
    .selectFrom('totp_factors as f')
    .innerJoin('users as u', 'u.id', 'f.user_id')
    .select('u.email')
    .where('f.user_id', 'in', userIds)
    .where('f.status', '=', 'active')
    .execute();
  if (withApp.length)
    throw new ApiError('conflict', `These users have an authenticator app already: ${withApp.map((r) => r.email).join(', ')}.`, {
      emails: withApp.map((r) => r.email),
    });
  const now = ctx.clock.now();
  const batchId = newId();
  return db.transaction().execute(async (trx) => {
    const sheets: z.infer<typeof createSheetsAnswer>['sheets'] = [];
    let auditEventId = '';
    for (const id of userIds) {
      const user = byId.get(id)!;
      const tenant = tenants.get(user.tenant_id)!;
      const made = await createSheet(ctx, trx, { user, tenant, batchId, createdBy: principal.email }, now);
      auditEventId = await recordAudit(trx, now, {
        action: 'admin.enrollment_sheet_created',
        tenantId: tenant.id,
        userId: user.id,
        actorType: 'operator',
        actorId: principal.id,
        ip: meta.ip,
        details: {
          ticket: request.ticket,
          reason: request.reason,
          operator: principal.email,
          sheetId: made.sheet.id,
          batchId,
          batchSize: userIds.length,
          expiresAt: iso(made.sheet.expires_at),
        },
      });
      sheets.push({
        sheetId: made.sheet.id,
        userId: user.id,
        name: user.name,
        email: user.email,
        tenantName: tenant.name,
        issuer: made.issuer,
        accountLabel: user.email,
        otpauthUri: made.otpauthUri,
        manualKey: made.manualKey,
        expiresAt: iso(made.sheet.expires_at),
        locale: asLocale(user.locale),
      });
    }
    return { batchId, sheets, auditEventId };
  });
}

/** Sheets made for the tenants the operator sees, newest first, with what became of each; never a key. */
export async function listSheets(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  query: z.infer<typeof sheetsQuery>,
): Promise<z.infer<typeof sheetsAnswer>> {
  assertMayAct(principal);
  if (query.tenantId) assertCanSeeTenant(principal, query.tenantId, 'tenant');
  const tenantIds = query.tenantId ? [query.tenantId] : principal.tenantIds;
  const now = ctx.clock.now();
  const scope = `sheets:${principal.id}:${query.tenantId ?? ''}:${query.state ?? ''}`;
  const before = decodeCursor(ctx.secrets, scope, query.cursor);
  const state = query.state;
  const rows = await ctx.store.db
    .selectFrom('enrollment_sheets as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('s')
    .select(['u.email', 'u.name'])
    .$if(tenantIds.length > 0, (qb) => qb.where('s.tenant_id', 'in', tenantIds))
    .$if(state === 'used', (qb) => qb.where('s.used_at', 'is not', null))
    .$if(state === 'voided', (qb) => qb.where('s.used_at', 'is', null).where('s.voided_at', 'is not', null))
    .$if(state === 'replaced', (qb) =>
      qb.where('s.used_at', 'is', null).where('s.voided_at', 'is', null).where('s.replaced_at', 'is not', null),
    )
    .$if(state === 'live' || state === 'expired', (qb) =>
      qb
        .where('s.used_at', 'is', null)
        .where('s.voided_at', 'is', null)
        .where('s.replaced_at', 'is', null)
        .where('s.expires_at', state === 'live' ? '>' : '<=', now),
    )
    .$if(before !== null, (qb) =>
      qb.where((eb) =>
        eb.or([eb('s.created_at', '<', before!.key), eb.and([eb('s.created_at', '=', before!.key), eb('s.id', '<', before!.id)])]),
      ),
    )
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toSheetView(row, now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(ctx.secrets, scope, Number(last.created_at), last.id) : null,
  };
}

export async function voidSheetFor(
  ctx: ServerContext,
  principal: OperatorPrincipal,
  sheetId: string,
  request: z.infer<typeof ticketAndReason>,
  meta: RequestMeta,
): Promise<{ ok: true; auditEventId: string }> {
  const sheet = await findSheet(ctx.store.db, sheetId);
  if (!sheet) throw new ApiError('not_found', 'There is no such sheet.');
  assertCanSeeTenant(principal, sheet.tenant_id, 'sheet');
  assertMayAct(principal);
  const now = ctx.clock.now();
  const auditEventId = await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await voidSheet(trx, sheet.id, principal.email, now)))
      throw new ApiError('conflict', `This sheet is ${sheetState(sheet, now)} already: there is nothing to void.`);
    return recordAudit(trx, now, {
      action: 'admin.enrollment_sheet_voided',
      tenantId: sheet.tenant_id,
      userId: sheet.user_id,
      actorType: 'operator',
      actorId: principal.id,
      ip: meta.ip,
      details: { ticket: request.ticket, reason: request.reason, operator: principal.email, sheetId: sheet.id, batchId: sheet.batch_id },
    });
  });
  return { ok: true, auditEventId };
}

function toSheetView(row: SheetRow & { email: string; name: string }, now: number): SheetView {
  return {
    id: row.id,
    batchId: row.batch_id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    state: sheetState(row, now),
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    expiresAt: iso(row.expires_at),
    usedAt: row.used_at !== null ? iso(row.used_at) : null,
    voidedAt: row.voided_at !== null ? iso(row.voided_at) : null,
  };
}

/** A tenant the operator sees whose users may use an authenticator app. */
async function sheetTenant(ctx: ServerContext, principal: OperatorPrincipal, tenantId: string): Promise<Tenant> {
  assertCanSeeTenant(principal, tenantId, 'tenant');
  const tenant = await findTenantById(ctx.store.db, tenantId);
  if (!tenant) throw new ApiError('not_found', 'There is no such tenant.');
  if (!tenant.policy.allowedMethods.includes('totp'))
    throw new ApiError(
      'conflict',
      `${tenant.name} does not use authenticator apps: its policy allows ${tenant.policy.allowedMethods.join(', ')}.`,
    );
  return tenant;
}
