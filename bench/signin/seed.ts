import type { Insertable } from 'kysely';
import { generateSecret } from 'otplib';
import { createContext } from '../../src/server/bootstrap.js';
import type { ServerConfig } from '../../src/server/config.js';
import { newId } from '../../src/server/crypto/tokens.js';
import { createTenant } from '../../src/server/flows/provisioning.js';
import type { ChallengesTable, TotpFactorsTable, UsersTable } from '../../src/server/store/schema.js';

export interface BenchUser {
  id: string;
  email: string;
  secret: string;
  /** Open login challenges, in the order they were made; the bench spends them one after another. */
  challenges: string[];
}

export const BENCH_PASSWORD = 'bench password 2026';

export interface SeedSet {
  users: number;
  challengesPerUser: number;
}

export interface Seeded<K extends string> {
  tenant: string;
  sets: Record<K, BenchUser[]>;
  /** "$argon2id$v=19$m=19456,t=2,p=1": the stored hash up to its salt, read back from what was written. */
  passwordHashParameters: string;
  seedSeconds: number;
}

/** The parameters part of a PHC string ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"): everything before the salt. */
export function hashParameters(phc: string): string {
  return phc.split('$').slice(0, 4).join('$');
}

/**
 * Enrolled users straight into the database (setup is not what is measured), in named sets ("verify":
 * 30,000 users with one open challenge each, "pool": 2,000 with none, ...); emails are `<set><i>@bench.test`.
 * They share one argon2id hash of one password: verifying it costs exactly what verifying any
 * OWASP-strength hash costs, and seeding tens of thousands of users takes seconds instead of hours.
 * Columns with a default (or null) are left out, so the inserts follow the schema as it changes.
 */
export async function seedBenchUsers<K extends string>(config: ServerConfig, sets: Record<K, SeedSet>): Promise<Seeded<K>> {
  const started = performance.now();
  const ctx = await createContext(config);
  const { db } = ctx.store;
  const now = Date.now();
  const tenant = await createTenant(ctx, { slug: 'bench', name: 'Bench AS', preset: 'app' });
  // Wrong codes lock an account after a few; the bench sends none on purpose, but a code that ages
  // out on a loaded machine must not lock a user mid-run. Challenges live for the whole run.
  await db
    .updateTable('tenants')
    .set({ policy: JSON.stringify({ ...tenant.policy, maxFailedCodes: 100_000, challengeTtlMinutes: 60 }) })
    .where('id', '=', tenant.id)
    .execute();
  const passwordHash = await ctx.passwords.hash(BENCH_PASSWORD);

  const make = async (count: number, prefix: string, challengesPerUser: number): Promise<BenchUser[]> => {
    const users: BenchUser[] = [];
    for (let i = 0; i < count; i++)
      users.push({ id: newId(), email: `${prefix}${i}@bench.test`.toLowerCase(), secret: generateSecret(), challenges: [] });
    const batchSize = 250;
    for (let offset = 0; offset < users.length; offset += batchSize) {
      const batch = users.slice(offset, offset + batchSize);
      const userRows: Insertable<UsersTable>[] = batch.map((u) => ({
        id: u.id,
        tenant_id: tenant.id,
        email: u.email,
        name: u.email,
        phone: null,
        locale: 'en',
        password_hash: passwordHash,
        password_changed_at: now,
        mfa_enrolled_at: now,
        disabled_at: null,
        created_at: now,
      }));
      const factorRows: Insertable<TotpFactorsTable>[] = batch.map((u) => ({
        id: newId(),
        user_id: u.id,
        secret_enc: ctx.secrets.seal(u.secret, u.id),
        status: 'active',
        last_used_step: null,
        created_at: now,
        activated_at: now,
      }));
      const challengeRows: Insertable<ChallengesTable>[] = [];
      for (const u of batch) {
        for (let c = 0; c < challengesPerUser; c++) {
          const id = newId();
          u.challenges.push(id);
          challengeRows.push({
            id,
            user_id: u.id,
            purpose: 'login',
            scope: null,
            session_id: null,
            ip: '127.0.0.1',
            attempts: 0,
            max_attempts: 5,
            created_at: now,
            expires_at: now + 3_600_000,
            consumed_at: null,
          });
        }
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(userRows).execute();
        await trx.insertInto('totp_factors').values(factorRows).execute();
        for (let c = 0; c < challengeRows.length; c += 500)
          await trx
            .insertInto('challenges')
            .values(challengeRows.slice(c, c + 500))
            .execute();
      });
    }
    return users;
  };
  const out = {} as Record<K, BenchUser[]>;
  for (const name of Object.keys(sets) as K[]) out[name] = await make(sets[name].users, name, sets[name].challengesPerUser);
  const stored = await db.selectFrom('users').select('password_hash').where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
  await ctx.store.close();
  return {
    tenant: tenant.slug,
    sets: out,
    passwordHashParameters: hashParameters(stored.password_hash),
    seedSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
}
