import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** A trigram of the fragment and how many users' search text holds it (user_search_trigrams, migration 007). */
export interface TrigramCount {
  trigram: string;
  /** Where it starts in the fragment. */
  at: number;
  users: number;
}

/**
 * The fragment's runs of three ASCII letters or digits, as migration 007 counts them: any user whose
 * search text contains the fragment has every one of them among its trigrams (pg_trgm's, whatever
 * the database's locale), so each one's count bounds the fragment's matches. Lower-cased input.
 */
export function countedTrigrams(fragment: string): Array<{ trigram: string; at: number }> {
  const out: Array<{ trigram: string; at: number }> = [];
  const seen = new Set<string>();
  for (let at = 0; at + 3 <= fragment.length; at++) {
    const trigram = fragment.slice(at, at + 3);
    if (/^[a-z0-9]{3}$/.test(trigram) && !seen.has(trigram)) {
      seen.add(trigram);
      out.push({ trigram, at });
    }
  }
  return out;
}

/**
 * How long a count read from user_search_trigrams is used before it is read again. The counts only
 * choose how to search (the trigram index or the walk answer, and they read the users as they are),
 * so a count a few seconds old costs at most a slower search; not asking saves a round trip to the
 * database on most searches, which on two shared cores is a large part of a search's time.
 */
export const trigramCountsCache = { ttlMs: 10_000, maxEntries: 50_000 };
const caches = new WeakMap<Kysely<Database>, Map<string, { users: number; at: number }>>();

/**
 * The fragment's counted trigrams with their counts, rarest first; one index lookup each for those
 * not read in the last ttlMs. Empty when the fragment has no counted trigram.
 */
export async function trigramCounts(db: Kysely<Database>, fragment: string, now = Date.now()): Promise<TrigramCount[]> {
  const trigrams = countedTrigrams(fragment);
  if (!trigrams.length) return [];
  let cache = caches.get(db);
  if (!cache || cache.size > trigramCountsCache.maxEntries) caches.set(db, (cache = new Map()));
  const keys = trigrams.map((t) => t.trigram);
  const stale = keys.filter((key) => !(now - (cache.get(key)?.at ?? -Infinity) < trigramCountsCache.ttlMs));
  if (stale.length) {
    const { rows } = await sql<{
      trigram: string;
      users: string | number;
    }>`SELECT trigram, users FROM user_search_trigrams WHERE trigram = ANY(${stale}::text[])`.execute(db);
    const read = new Map(rows.map((r) => [r.trigram, Number(r.users)]));
    // A trigram without a row is in no user's text.
    for (const key of stale) cache.set(key, { users: read.get(key) ?? 0, at: now });
  }
  return trigrams.map((t) => ({ ...t, users: cache.get(t.trigram)!.users })).sort((a, b) => a.users - b.users || a.at - b.at);
}
