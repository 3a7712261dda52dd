import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { SEARCH_BUCKET_MS } from '../store/migrations/009_postgres_search_buckets.js';
import { trigramCountsCache } from './user-search-trigrams.js';

/** A week of account creation (migration 009), how many users it holds, and how many of them the operator may see. */
export interface SearchBucket {
  bucket: number;
  users: number;
  inScope: number;
}

/** The week a creation time falls in, as migration 009's user_search_bucket() computes it. */
export function searchBucketOf(createdAt: number): number {
  return Math.floor(createdAt / SEARCH_BUCKET_MS);
}

/** Where the week after `bucket` begins, as a search position: every user created from then on comes after it. */
export function searchBucketEnd(bucket: number): { created_at: number; user_id: string } {
  return { created_at: (bucket + 1) * SEARCH_BUCKET_MS, user_id: '' };
}

const caches = new WeakMap<Kysely<Database>, Map<string, { buckets: SearchBucket[]; at: number }>>();

/**
 * Every week that holds users, oldest first, from user_search_bucket_sizes (exact, kept by triggers).
 * Read at most every trigramCountsCache.ttlMs per scope: the sizes only plan how far a request goes and
 * count what it went through. `fresh` reads them now: a search that would end at the last week it
 * knows asks again, so a week begun since (its first new user) is never missed.
 */
export async function searchBuckets(
  db: Kysely<Database>,
  tenantIds: string[],
  options: { fresh?: boolean; now?: number } = {},
): Promise<SearchBucket[]> {
  const now = options.now ?? Date.now();
  let cache = caches.get(db);
  if (!cache || cache.size > 1000) caches.set(db, (cache = new Map()));
  const scope = [...tenantIds].sort().join(',');
  const known = cache.get(scope);
  if (known && !options.fresh && now - known.at < trigramCountsCache.ttlMs) return known.buckets;
  const inScope = tenantIds.length ? sql`sum(users) FILTER (WHERE tenant_id = ANY(${tenantIds}::text[]))` : sql`sum(users)`;
  const { rows } = await sql<{ bucket: number; users: string; in_scope: string | null }>`
    SELECT bucket, sum(users) AS users, ${inScope} AS in_scope FROM user_search_bucket_sizes GROUP BY bucket HAVING sum(users) > 0 ORDER BY bucket`.execute(
    db,
  );
  const buckets = rows.map((r) => ({ bucket: Number(r.bucket), users: Number(r.users), inScope: Number(r.in_scope ?? 0) }));
  cache.set(scope, { buckets, at: now });
  return buckets;
}
