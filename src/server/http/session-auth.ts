import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { findTenantById, type Tenant } from '../store/repositories/tenants.js';
import { findLiveSession, type SessionRow } from '../store/repositories/sessions.js';
import { findUserById, type UserRow } from '../store/repositories/users.js';
import { refusals } from '../refusals.js';
import { applyDueDisable } from '../flows/scheduled-disable.js';

export interface Authenticated {
  session: SessionRow;
  user: UserRow;
  tenant: Tenant;
}

/** Resolves `Authorization: Bearer <token>` to a live session of one of the accepted kinds. */
export async function authenticateBearer(
  ctx: ServerContext,
  header: string | undefined,
  kinds: SessionRow['kind'][],
): Promise<Authenticated> {
  const token = /^Bearer ([A-Za-z0-9_-]{16,256})$/.exec(header ?? '')?.[1];
  if (!token) throw new ApiError('unauthorized', 'Send the session token as "Authorization: Bearer <token>".');
  const session = await findLiveSession(ctx.store.db, token, ctx.clock.now());
  if (!session || !kinds.includes(session.kind)) throw refusals.sessionEnded();
  const found = await findUserById(ctx.store.db, session.user_id);
  // A scheduled disable ends the account's sessions at its time, on their next use.
  const user = found && (await applyDueDisable(ctx.store.db, found, ctx.clock.now()));
  const tenant = user && (await findTenantById(ctx.store.db, user.tenant_id));
  if (!user || !tenant || user.disabled_at !== null) throw refusals.sessionEnded();
  return { session, user, tenant };
}
