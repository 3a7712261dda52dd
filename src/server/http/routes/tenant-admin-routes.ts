import { z } from 'zod';
import * as api from '../../../shared/api/tenant-admin.js';
import { actionAnswer, invitationSentAnswer, ticketAndReason, userParams } from '../../../shared/api/admin.js';
import { resendInvitation } from '../../admin/invitations.js';
import { checkBreakupMembers, finishBreakup, getBreakup, runBreakup } from '../../admin/breakups.js';
import { createSheets, listSheetCandidates, listSheets, voidSheetFor } from '../../admin/enrollment-sheets.js';
import { listSharedAccounts, setSharedVerdict } from '../../admin/shared-accounts.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import * as oidcApi from '../../../shared/api/oidc-clients.js';
import { listClientsFor, registerClientFor, removeClientFor } from '../../admin/oidc-clients.js';

const readErrors = ['unauthorized', 'invalid_token', 'forbidden', 'not_found'];
const actionErrors = [...readErrors, 'conflict'];

/**
 * The tenant admin's tools (design/API.md "Operators"): shared accounts and their break-up, and
 * enrollment sheets. Tenant admins act within their tenant, support within theirs (all when none are
 * assigned); auditors get 403: a sheet is a secret on paper, a break-up makes accounts.
 */
export const tenantAdminRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/v1/admin/shared-accounts',
    tag: 'tenant admin',
    auth: 'operator',
    summary:
      'Accounts that look shared by several people, with why: a role mailbox name, many IPs or browsers this week, an operator flag.',
    query: api.sharedAccountsQuery,
    response: api.sharedAccountsAnswer,
    errors: readErrors,
    handler: ({ ctx, auth, query }) => listSharedAccounts(ctx, auth, query.tenantId),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/users/:id/shared-flag',
    tag: 'tenant admin',
    auth: 'operator',
    summary: '`shared: true` flags the account as shared; `false` says it is not (no longer listed, whatever the signs say).',
    params: userParams,
    body: api.sharedFlagRequest,
    response: actionAnswer,
    errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => setSharedVerdict(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/users/:id/breakups/check',
    tag: 'tenant admin',
    auth: 'operator',
    summary:
      "The break-up's people as the server sees them (phone to E.164, duplicates, emails in use here or elsewhere); creates nothing.",
    params: userParams,
    body: api.breakupCheckRequest,
    response: api.breakupCheckAnswer,
    errors: [...readErrors, 'too_many_attempts'],
    handler: ({ ctx, auth, params, body }) => checkBreakupMembers(ctx, auth, params.id, body.members),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/users/:id/breakups',
    tag: 'tenant admin',
    auth: 'operator',
    summary:
      'Break a shared account up: a personal account with an emailed invitation per person, then the shared account disabled (at once or from `disableAt`). The same `idempotencyKey` again finishes the rest.',
    params: userParams,
    body: api.breakupRequest,
    response: api.breakupView,
    errors: [...actionErrors, 'invalid_members', 'too_many_attempts'],
    handler: ({ ctx, auth, params, body, meta }) => runBreakup(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/admin/breakups/:id',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'One break-up: each person and whether their account exists, and when the shared account ends.',
    params: api.breakupParams,
    response: api.breakupView,
    errors: readErrors,
    handler: ({ ctx, auth, params }) => getBreakup(ctx, auth, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/breakups/:id/finish',
    tag: 'tenant admin',
    auth: 'operator',
    summary:
      'Make the people of a break-up left in progress (a failure, a closed console) from what it recorded; as sending its request again.',
    params: api.breakupParams,
    body: z.strictObject({}).optional(),
    response: api.breakupView,
    errors: actionErrors,
    handler: ({ ctx, auth, params, meta }) => finishBreakup(ctx, auth, params.id, meta),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/users/:id/invitation',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'Send a person who has not chosen a password yet a new invitation (the earlier links stop working).',
    params: userParams,
    body: ticketAndReason,
    response: invitationSentAnswer,
    errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => resendInvitation(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/admin/enrollment-sheets/candidates',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'Users of a tenant without an authenticator app, with any sheet of theirs that still works.',
    query: api.sheetCandidatesQuery,
    response: api.sheetCandidatesAnswer,
    errors: [...readErrors, 'conflict'],
    handler: ({ ctx, auth, query }) => listSheetCandidates(ctx, auth, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/enrollment-sheets',
    tag: 'tenant admin',
    auth: 'operator',
    summary:
      'Pending app enrollments to print, one sheet per user, with the key (shown once): the console draws the QR codes. A code from a sheet confirms it at /v1/enroll/totp/confirm.',
    body: api.createSheetsRequest,
    response: api.createSheetsAnswer,
    errors: actionErrors,
    handler: ({ ctx, auth, body, meta }) => createSheets(ctx, auth, body, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/admin/enrollment-sheets',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'Sheets made, newest first, with what became of each (live, used, expired, voided, replaced); never a key.',
    query: api.sheetsQuery,
    response: api.sheetsAnswer,
    errors: readErrors,
    handler: ({ ctx, auth, query }) => listSheets(ctx, auth, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/enrollment-sheets/:id/void',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'Void a sheet (lost, sent to the wrong person): its code is refused from now on.',
    params: api.sheetParams,
    body: ticketAndReason,
    response: actionAnswer,
    errors: actionErrors,
    handler: ({ ctx, auth, params, body, meta }) => voidSheetFor(ctx, auth, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/admin/tenants/:tenantId/oidc-clients',
    tag: 'tenant admin',
    auth: 'operator',
    summary: "The tenant's portals (OpenID Connect clients): name, redirect URIs, public or confidential; never a secret.",
    params: oidcApi.tenantIdParams,
    response: oidcApi.oidcClientsAnswer,
    errors: readErrors,
    handler: ({ ctx, auth, params }) => listClientsFor(ctx, auth, params.tenantId),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/admin/tenants/:tenantId/oidc-clients',
    tag: 'tenant admin',
    auth: 'operator',
    status: 201,
    summary: 'Register a portal (tenant admins): answers with its client_id and, for a confidential client, its secret, shown this once.',
    params: oidcApi.tenantIdParams,
    body: oidcApi.oidcClientRegistration,
    response: oidcApi.oidcClientCreated,
    errors: [...readErrors, 'invalid_request'],
    handler: ({ ctx, auth, params, body }) => registerClientFor(ctx, auth, params.tenantId, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/v1/admin/tenants/:tenantId/oidc-clients/:clientId',
    tag: 'tenant admin',
    auth: 'operator',
    summary: 'Remove a portal (tenant admins): its sign-ins, codes and tokens stop working.',
    params: oidcApi.oidcClientParams,
    response: z.object({ ok: z.literal(true) }),
    errors: readErrors,
    handler: ({ ctx, auth, params }) => removeClientFor(ctx, auth, params.tenantId, params.clientId),
  }),
];
