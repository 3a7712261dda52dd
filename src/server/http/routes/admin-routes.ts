import * as api from '../../../shared/api/admin.js';
import { queryAudit } from '../../admin/audit-query.js';
import { refreshOperatorTokens, setOperatorPassword, signInOperator, signOutOperator } from '../../admin/operator-auth.js';
import { toOperatorView } from '../../admin/operator-principal.js';
import { regenerateRecoveryCodesFor, resetTotp, revokeDevices, revokeSessions, sendPhoneResetLink, unlockUser } from '../../admin/support-actions.js';
import { describeUser, listLockouts } from '../../admin/user-detail.js';
import { describeSignInAlarms } from '../../admin/sign-in-alarms.js';
import { searchUsers } from '../../admin/user-search.js';
import { listVisibleOperators } from '../../admin/operator-list.js';
import { listVisibleTenants } from '../../admin/tenant-list.js';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../route-spec.js';

const noBody = z.strictObject({}).optional();
/** Lists that take no filters say so to a caller who sends one, rather than ignoring it. */
const noFilters = z.strictObject({});
const actionErrors = ['unauthorized', 'invalid_token', 'forbidden', 'not_found', 'conflict'];

/** The admin API for the console (design/API.md, "Operators"). Every route checks role and tenant. */
export const adminRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST', url: '/v1/admin/auth/login', tag: 'operators', auth: 'none',
    summary: 'Operator sign-in: password and authenticator code. Rate-limited.',
    body: api.adminLoginRequest, response: api.adminTokens, errors: ['invalid_credentials', 'too_many_attempts'],
    handler: ({ ctx, body, meta }) => signInOperator(ctx, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/auth/refresh', tag: 'operators', auth: 'none',
    summary: 'Rotate the refresh token; a reused one revokes its whole family.',
    body: api.refreshRequest, response: api.adminTokens, errors: ['invalid_token'],
    handler: ({ ctx, body, meta }) => refreshOperatorTokens(ctx, body.refreshToken, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/auth/logout', tag: 'operators', auth: 'operator',
    summary: 'End this sign-in (its access and refresh tokens).', body: noBody, response: z.object({ ok: z.literal(true) }), errors: ['unauthorized', 'invalid_token'],
    handler: async ({ ctx, auth, meta }) => (await signOutOperator(ctx, auth, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/auth/set-password', tag: 'operators', auth: 'none',
    summary: 'Choose a password with the one-time link from `mfa-desk operator create`.',
    body: api.setPasswordRequest, response: z.object({ ok: z.literal(true) }), errors: ['link_expired'],
    handler: async ({ ctx, body, meta }) => (await setOperatorPassword(ctx, body.token, body.password, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/me', tag: 'operators', auth: 'operator',
    summary: 'The signed-in operator.', response: api.operatorView, errors: ['unauthorized', 'invalid_token'],
    handler: async ({ auth }) => toOperatorView(auth),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/users', tag: 'support', auth: 'operator',
    summary: 'Find users by any fragment of email, name or phone; filters; cursor pagination. A request reads a bounded stretch of users: a page cut short says so (`searched`) and its cursor walks on.',
    query: api.userSearchQuery, response: api.userSearchAnswer, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: ({ ctx, auth, query }) => searchUsers(ctx, auth, query),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/users/:id', tag: 'support', auth: 'operator',
    summary: 'One user: factors, recovery codes left, devices, lockout, SMS counts today, recent events, and what their next sign-in meets (`nextSignIn`).',
    params: api.userParams, response: api.userDetail, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: ({ ctx, auth, params }) => describeUser(ctx, auth, params.id),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/lockouts', tag: 'support', auth: 'operator',
    summary: 'Lockouts with reason (in words), since and until.',
    query: api.lockoutsQuery, response: api.lockoutsAnswer, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: ({ ctx, auth, query }) => listLockouts(ctx, auth, query),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/sign-in-alarms', tag: 'support', auth: 'operator',
    summary: 'Credential-stuffing alarms of the last 24 hours: windows of failed sign-ins spread over many accounts.',
    query: api.signInAlarmsQuery, response: api.signInAlarmsAnswer, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: ({ ctx, auth, query }) => describeSignInAlarms(ctx, auth, query),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/unlock', tag: 'support', auth: 'operator',
    summary: 'End the lockout and any password throttle (and start the daily SMS count afresh). Emails the user.',
    params: api.userParams, body: api.ticketAndReason, response: api.actionAnswer, errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => unlockUser(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/phone-reset-link', tag: 'support', auth: 'operator',
    summary: 'Email the user a single-use link (24 h) to set a new phone number.',
    params: api.userParams, body: api.ticketAndReason, response: api.phoneResetLinkAnswer, errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => sendPhoneResetLink(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/recovery-codes', tag: 'support', auth: 'operator',
    summary: 'New recovery codes, returned once; the old ones stop working. Emails the user.',
    params: api.userParams, body: api.ticketAndReason, response: api.adminRecoveryCodesAnswer, errors: [...actionErrors, 'enrollment_incomplete'],
    handler: ({ ctx, auth, params, body, meta }) => regenerateRecoveryCodesFor(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/totp/reset', tag: 'support', auth: 'operator',
    summary: 'Remove the authenticator app; the user enrols again at the next sign-in. Emails the user.',
    params: api.userParams, body: api.ticketAndReason, response: api.actionAnswer, errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => resetTotp(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/devices/revoke', tag: 'support', auth: 'operator',
    summary: 'Forget one remembered device, or all of them (and trusted IPs). Emails the user.',
    params: api.userParams, body: api.revokeDevicesRequest, response: api.actionAnswer, errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => revokeDevices(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/admin/users/:id/sessions/revoke', tag: 'support', auth: 'operator',
    summary: 'End all of the user\'s sessions. Emails the user.',
    params: api.userParams, body: api.ticketAndReason, response: api.actionAnswer, errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => revokeSessions(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/tenants', tag: 'support', auth: 'operator',
    summary: 'The tenants the operator may see (all of them for an operator of all tenants), by name: for the console\'s filters.',
    query: noFilters, response: api.tenantsAnswer, errors: ['unauthorized', 'invalid_token'],
    handler: ({ ctx, auth }) => listVisibleTenants(ctx, auth),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/operators', tag: 'audit', auth: 'operator',
    summary: 'Operators whose actions the operator may see in the audit trail, by name: everyone for an operator of all tenants; for a scoped one, those of all tenants and those sharing one of theirs.',
    query: noFilters, response: api.operatorsAnswer, errors: ['unauthorized', 'invalid_token'],
    handler: ({ ctx, auth }) => listVisibleOperators(ctx, auth),
  }),
  defineRoute({
    method: 'GET', url: '/v1/admin/audit', tag: 'audit', auth: 'operator',
    summary: 'The audit trail, newest first, filtered by tenant, user, actor, action and time.',
    query: api.auditQuery, response: api.auditAnswer, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: ({ ctx, auth, query }) => queryAudit(ctx, auth, query),
  }),
];
