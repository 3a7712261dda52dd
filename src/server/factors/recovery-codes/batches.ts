import type { Kysely } from 'kysely';
import { hashRecoveryCode, newRecoveryCode } from './recovery-codes.js';
import { insertRecoveryBatch } from '../../store/repositories/recovery-codes.js';
import type { Database } from '../../store/schema.js';

/** Makes `count` fresh codes, stores their hashes as a batch, and returns the plaintext once. */
export async function issueRecoveryCodes(
  db: Kysely<Database>,
  userId: string,
  count: number,
  now: number,
): Promise<{ batchId: string; codes: string[] }> {
  const codes = Array.from({ length: count }, newRecoveryCode);
  const batchId = await insertRecoveryBatch(db, userId, codes.map(hashRecoveryCode), now);
  return { batchId, codes };
}
