import type { Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { initialSchema } from './001_initial.js';
import { phoneFactorSchema } from './002_phone_factor.js';
import { operatorsAndSearchSchema } from './003_operators_and_search.js';
import { postgresSearchTableSchema } from './004_postgres_search_table.js';
import { signInThrottleSchema } from './005_sign_in_throttle.js';
import { messageHandoffSchema } from './006_message_handoff.js';
import { userSearchTrigramsSchema } from './007_user_search_trigrams.js';
import { sqliteSearchTextSchema } from './008_sqlite_search_text.js';
import { postgresSearchBucketsSchema } from './009_postgres_search_buckets.js';
import { pendingRecoveryBatchSchema } from './010_pending_recovery_batch.js';
import { pushApprovalSchema } from './011_push_approval.js';
import { tenantAdminSchema } from './012_tenant_admin.js';
import { openIdProviderSchema } from './014_openid_provider.js';

/** Every migration, in order. Names never change once shipped. */
export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': initialSchema(dialect),
    '002_phone_factor': phoneFactorSchema(),
    '003_operators_and_search': operatorsAndSearchSchema(dialect),
    '004_postgres_search_table': postgresSearchTableSchema(dialect),
    '005_sign_in_throttle': signInThrottleSchema(),
    '006_message_handoff': messageHandoffSchema(),
    '007_user_search_trigrams': userSearchTrigramsSchema(dialect),
    '008_sqlite_search_text': sqliteSearchTextSchema(dialect),
    '009_postgres_search_buckets': postgresSearchBucketsSchema(dialect),
    '010_pending_recovery_batch': pendingRecoveryBatchSchema(dialect),
    '011_push_approval': pushApprovalSchema(),
    '012_tenant_admin': tenantAdminSchema(),
    '014_openid_provider': openIdProviderSchema(),
  };
}
