import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/**
 * Serialises everything that changes a review's works or their match keys (staging a batch, a
 * maintainer's merge, a block-key rebuild) until the transaction ends, so two processes never
 * both create a work for one paper and no batch sees a half-done change.
 */
export async function lockStaging(tx: Db, reviewId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'stage:' + reviewId}))`);
}
