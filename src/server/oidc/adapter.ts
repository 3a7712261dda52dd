import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../store/schema.js';
import type { ServerContext } from '../context.js';
import { findOidcClientMetadata } from './clients.js';

/**
 * oidc-provider's storage (its Adapter interface) on this server's database, so every instance
 * sees the same sessions, interactions, codes and grants. One table holds every model, keyed
 * "{model}:{id}", with the payload as JSON and the few fields it is looked up or revoked by. Clients
 * are not stored here: they are the tenants' registered portals (oidc_clients), read through
 * `findOidcClientMetadata`, which also opens their sealed secret.
 *
 * Expiry is oidc-provider's own (it checks `exp` in every payload it reads); `expires_at` lets the
 * housekeeping delete what has run out. Times here are wall-clock, as oidc-provider's are.
 */
export function databaseAdapter(ctx: ServerContext, alreadyConsumed: () => Error): new (model: string) => Adapter {
  const { db } = ctx.store;
  return class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        key: this.key(id),
        model: this.model,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        // Sessions, grants, codes and tokens name their account: ended with the user's sessions of ours.
        account_id: payload.accountId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? Date.now() + expiresIn * 1000 : null,
        consumed_at: null,
      };
      await db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((c) =>
          c.column('key').doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            account_id: row.account_id,
            uid: row.uid,
            user_code: row.user_code,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findOidcClientMetadata(ctx, id);
      return this.read(db.selectFrom('oidc_payloads').selectAll().where('key', '=', this.key(id)).executeTakeFirst());
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.read(
        db.selectFrom('oidc_payloads').selectAll().where('model', '=', this.model).where('uid', '=', uid).executeTakeFirst(),
      );
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.read(
        db.selectFrom('oidc_payloads').selectAll().where('model', '=', this.model).where('user_code', '=', userCode).executeTakeFirst(),
      );
    }

    async consume(id: string): Promise<void> {
      // A second redemption of an authorization code finds `consumed` set and revokes the grant (RFC
      // 6749 4.1.2). Two at the same moment both read it unconsumed: the update decides, and the one
      // that changed nothing is refused (invalid_grant) instead of getting tokens too.
      const consumed = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: Date.now() })
        .where('key', '=', this.key(id))
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (consumed.numUpdatedRows !== 1n) throw alreadyConsumed();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('key', '=', this.key(id)).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }

    private async read(
      found: Promise<{ payload: string; expires_at: number | null; consumed_at: number | null } | undefined>,
    ): Promise<AdapterPayload | undefined> {
      const row = await found;
      if (!row) return undefined;
      if (row.expires_at !== null && Number(row.expires_at) <= Date.now()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) };
    }
  };
}

/** The housekeeping's part: rows whose time has run out. */
export async function deleteExpiredOidcPayloads(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
