import type { Kysely, Migration } from 'kysely';

/**
 * When a message was handed to its provider. A claim alone cannot tell "the worker died before
 * sending" (safe to send again) from "the worker died after the provider took it" (a repeat would
 * reach the person twice); this column can. Null for a message no worker has handed over, or whose
 * provider answered with a failure since.
 */
export function messageHandoffSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').addColumn('handed_at', 'bigint').execute();
    },
  };
}
