import { generateSecret } from 'otplib';
import { createContext } from '../../src/server/bootstrap.js';
import type { ServerConfig } from '../../src/server/config.js';
import { newId } from '../../src/server/crypto/tokens.js';
import { createTenant } from '../../src/server/flows/provisioning.js';
import { insertChallenge } from '../../src/server/store/repositories/challenges.js';

export interface BenchUser {
  id: string;
  email: string;
  secret: string;
  challenges: string[];
}

export const BENCH_PASSWORD = 'bench password 2026';

/**
 * Enrolled users straight into the database (setup is not what is measured). They share one argon2id
 * hash of one password: verifying it costs exactly what verifying any OWASP-strength hash costs, and
 * seeding thousands of users takes seconds instead of minutes.
 */
export async function seedBenchUsers(config: ServerConfig, counts: { users: number; challengesPerUser: number; poolUsers: number }): Promise<{ tenant: string; users: BenchUser[]; pool: BenchUser[] }> {
  const ctx = await createContext(config);
  const { db } = ctx.store;
  const now = Date.now();
  const tenant = await createTenant(ctx, { slug: 'bench', name: 'Bench AS', preset: 'app' });
  // Replayed codes count as wrong codes; the replay-heavy verify phase must not lock its users.
  await db.updateTable('tenants').set({ policy: JSON.stringify({ ...tenant.policy, maxFailedCodes: 100_000, challengeTtlMinutes: 60 }) }).where('id', '=', tenant.id).execute();
  const passwordHash = await ctx.passwords.hash(BENCH_PASSWORD);

  const make = async (count: number, prefix: string, challengesPerUser: number): Promise<BenchUser[]> => {
    const users: BenchUser[] = [];
    for (let i = 0; i < count; i++) {
      const id = newId();
      const secret = generateSecret();
      users.push({ id, email: `${prefix}${i}@bench.test`, secret, challenges: [] });
    }
    for (let offset = 0; offset < users.length; offset += 200) {
      const batch = users.slice(offset, offset + 200);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('users')
          .values(batch.map((u) => ({ id: u.id, tenant_id: tenant.id, email: u.email, name: u.email, phone: null, locale: 'en', password_hash: passwordHash, password_changed_at: now, mfa_enrolled_at: now, disabled_at: null, created_at: now })))
          .execute();
        await trx
          .insertInto('totp_factors')
          .values(batch.map((u) => ({ id: newId(), user_id: u.id, secret_enc: ctx.secrets.seal(u.secret, u.id), status: 'active' as const, last_used_step: null, created_at: now, activated_at: now })))
          .execute();
        for (const u of batch) {
          for (let c = 0; c < challengesPerUser; c++) {
            const challenge = await insertChallenge(trx, { userId: u.id, purpose: 'login', scope: null, sessionId: null, ip: '127.0.0.1', maxAttempts: 5, expiresAt: now + 3_600_000 }, now);
            u.challenges.push(challenge.id);
          }
        }
      });
    }
    return users;
  };
  const users = await make(counts.users, 'user', counts.challengesPerUser);
  const pool = await make(counts.poolUsers, 'pool', 0);
  await ctx.store.close();
  return { tenant: tenant.slug, users, pool };
}
