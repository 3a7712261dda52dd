import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/** Distinct statements prepared per process; beyond it, queries run unnamed (parsed each time) as before. */
const MAX_NAMED_STATEMENTS = 500;
/** Long texts are bulk inserts whose size varies with the batch: not worth a server-side statement each. */
const MAX_PREPARED_LENGTH = 4000;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * Pattern searches stay unnamed: after five runs PostgreSQL may switch a named statement to a generic
 * plan, and a plan made without knowing the pattern ('%ol%' or '%4798765%') is wrong for one of them.
 */
const PATTERN_SEARCH = /\blike\b/i;

/**
 * The PostgreSQL twin of the SQLite statement cache: Kysely sends every query unnamed, so PostgreSQL
 * parses and plans it on every call. Naming a statement makes node-postgres prepare it once per
 * connection and then only bind and execute it. The hot paths (code checks, sign-in) are a handful
 * of fixed SQL texts, and the server shares the machine's cores with PostgreSQL, so this is CPU the
 * database gives back to the server. Only plain DML with parameters is named; DDL and
 * multi-statement scripts (migrations) go through untouched.
 */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  // Per SQL text, decided once: its statement name, or null for a text that stays unnamed.
  const names = new Map<string, string | null>();
  let named = 0;
  const nameFor = (text: string, parameters: ReadonlyArray<unknown>): string | undefined => {
    const known = names.get(text);
    if (known !== undefined) return known ?? undefined;
    if (names.size >= 2 * MAX_NAMED_STATEMENTS) return undefined;
    const preparable = parameters.length > 0 && text.length <= MAX_PREPARED_LENGTH && PREPARABLE.test(text) && !PATTERN_SEARCH.test(text);
    const name = preparable && named < MAX_NAMED_STATEMENTS ? `mfa_desk_${named++}` : null;
    names.set(text, name);
    return name ?? undefined;
  };
  return {
    end: () => pool.end(),
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = ((textOrCursor: unknown, parameters?: ReadonlyArray<unknown>) => {
        if (typeof textOrCursor === 'string') {
          const values = [...(parameters ?? [])];
          const name = nameFor(textOrCursor, values);
          return name ? client.query({ name, text: textOrCursor, values }) : client.query(textOrCursor, values);
        }
        return client.query(textOrCursor as pg.Submittable);
      }) as unknown as PostgresPoolClient['query'];
      return { query, release: (destroy?: boolean) => client.release(destroy) };
    },
  };
}
