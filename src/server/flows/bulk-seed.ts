import type { Insertable } from 'kysely';
import { newId } from '../crypto/tokens.js';
import type { UsersTable } from '../store/schema.js';
import type { ServerContext } from '../context.js';
import { looksLikeSharedMailbox } from '../policy/shared-mailboxes.js';
import { createTenant } from './provisioning.js';

const firstNames = [
  'Ola',
  'Kari',
  'Nora',
  'Emma',
  'Jakob',
  'Lukas',
  'Sofie',
  'Ingrid',
  'Henrik',
  'Lars',
  'Anna',
  'Mia',
  'Felix',
  'Leon',
  'Hannah',
  'Lena',
  'Magnus',
  'Sindre',
  'Astrid',
  'Sigrid',
  'Johanna',
  'Maximilian',
  'Paul',
  'Marie',
  'Elias',
  'Noah',
  'Ida',
  'Thea',
  'Jonas',
  'Erik',
  'Karin',
  'Gustav',
  'Liv',
  'Tobias',
  'Sebastian',
  'Helene',
  'Clara',
  'Frida',
  'Oskar',
  'Vilde',
];
const lastNames = [
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Berg',
  'Haugen',
  'Hagen',
  'Bakken',
  'Solberg',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Lie',
  'Dahl',
  'Lund',
  'Moen',
  'Strand',
  'Eriksen',
  'Halvorsen',
  'Jakobsen',
  'Sæther',
];
const companies = [
  'fjord',
  'nordlys',
  'bergen-bygg',
  'alpen',
  'rhein',
  'tungsten',
  'viking',
  'polar',
  'hansa',
  'elbe',
  'glacier',
  'aurora',
  'trolltind',
  'bavaria',
  'oslo-regnskap',
  'dresden-logistik',
];

/** A deterministic pseudo-random generator, so two runs of the benchmark seed the same data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BulkSeedOptions {
  users: number;
  tenants?: number;
  /** Called after each batch with the number of users written so far. */
  onProgress?: (done: number) => void;
}

/**
 * Fills the database with realistic users fast (`mfa-desk seed-bench`): multi-row inserts in
 * batches, one transaction per batch. All users share one argon2id password hash ("bench password
 * 2026"): hashing a million passwords would take hours and measure nothing the search cares about.
 */
export async function seedBulkUsers(ctx: ServerContext, options: BulkSeedOptions): Promise<{ tenantSlugs: string[] }> {
  const { db } = ctx.store;
  const random = mulberry32(20261125);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const tenantCount = Math.max(1, options.tenants ?? 8);
  const tenantIds: string[] = [];
  const tenantSlugs: string[] = [];
  for (let i = 0; i < tenantCount; i++) {
    const slug = `bench-${i + 1}-${Date.now().toString(36)}`;
    const tenant = await createTenant(ctx, { slug, name: `Bench tenant ${i + 1}`, preset: i % 2 === 0 ? 'app' : 'sms' });
    tenantIds.push(tenant.id);
    tenantSlugs.push(slug);
  }
  const passwordHash = await ctx.passwords.hash('bench password 2026');
  const now = ctx.clock.now();
  // Accounts were created over the last three years, oldest first, as in a real customer base: the
  // order of creation is the order rows were written (search pages walk it).
  const createdStep = Math.max(1, Math.floor((3 * 365 * 24 * 3600 * 1000) / options.users));
  const batchSize = 500;
  for (let done = 0; done < options.users; done += batchSize) {
    const rows: Insertable<UsersTable>[] = [];
    for (let i = done; i < Math.min(options.users, done + batchSize); i++) {
      const first = pick(firstNames);
      const last = pick(lastNames);
      const company = pick(companies);
      const email =
        random() < 0.01
          ? `${pick(['accounts', 'faktura', 'buchhaltung', 'post', 'invoice'])}${i}@${company}.test`
          : `${first}.${last}${i}@${company}.test`.toLowerCase();
      const createdAt = now - (options.users - i) * createdStep;
      const phone =
        random() < 0.7
          ? random() < 0.6
            ? `+479${String(Math.floor(random() * 1e7)).padStart(7, '0')}`
            : `+4915${String(Math.floor(random() * 1e9)).padStart(9, '0')}`
          : null;
      rows.push({
        id: newId(),
        tenant_id: tenantIds[i % tenantIds.length]!,
        email,
        name: `${first} ${last}`,
        phone,
        locale: pick(['en', 'nb', 'de']),
        password_hash: passwordHash,
        password_changed_at: createdAt,
        mfa_enrolled_at: random() < 0.9 ? createdAt : null,
        recovery_batch_id: null,
        pending_recovery_batch_id: null,
        pending_recovery_factor: null,
        failed_code_count: 0,
        disabled_at: random() < 0.01 ? now : null,
        created_at: createdAt,
        shared_mailbox: looksLikeSharedMailbox(email) ? 1 : 0,
      });
    }
    await db.transaction().execute((trx) => trx.insertInto('users').values(rows).execute());
    options.onProgress?.(Math.min(options.users, done + batchSize));
  }
  return { tenantSlugs };
}
