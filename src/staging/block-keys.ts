import { asc, count, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { reviews, workBlockKeys, works } from '../db/schema/index.js';
import { BLOCK_KEYS_VERSION } from '../dedup/blocking.js';
import { liveWorks } from '../db/queries/candidates.js';
import { selectLiveWorks, storedWork } from './candidates.js';
import { lockStaging } from './lock.js';
import { storedBlockKeys } from './plan.js';

/**
 * Rebuilds a review's stored block keys when they were made by an older `blockKeys` (or none
 * exist yet, for works staged before work_block_keys): incremental matching only finds works
 * through them. Runs under the staging lock in one transaction, so no batch is staged against a
 * half-built index; the version is checked again under the lock, so it runs once however many
 * processes start together. When the keys are current (every start but the first after an
 * upgrade) no lock is taken, so starting a command never waits for a batch being staged.
 * Returns the number of works indexed, 0 when the keys were current.
 */
export async function refreshBlockKeys(
  db: Db,
  reviewId: string,
  opts: { chunk?: number; onRebuild?: (works: number) => void } = {},
): Promise<number> {
  const chunk = opts.chunk ?? 1000;
  const current = async (q: Db) => {
    const [review] = await q.select({ version: reviews.blockKeysVersion }).from(reviews).where(eq(reviews.id, reviewId));
    return !review || review.version === BLOCK_KEYS_VERSION;
  };
  if (await current(db)) return 0;
  return db.transaction(async (tx) => {
    await lockStaging(tx, reviewId);
    if (await current(tx)) return 0;
    // Minutes per million works: say so before, not only after.
    const [live] = await tx.select({ n: count() }).from(works).where(liveWorks(reviewId));
    if (live && live.n > 0) opts.onRebuild?.(live.n);
    await tx.delete(workBlockKeys).where(eq(workBlockKeys.reviewId, reviewId));
    let after = 0;
    let indexed = 0;
    for (;;) {
      const rows = await selectLiveWorks(tx, reviewId, gt(works.id, after)).orderBy(asc(works.id)).limit(chunk);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const keys = rows.flatMap((r) => storedBlockKeys(storedWork(r).norm).map((key) => ({ reviewId, key, workId: r.id })));
      if (keys.length) await tx.insert(workBlockKeys).values(keys).onConflictDoNothing();
      indexed += rows.length;
    }
    await tx.update(reviews).set({ blockKeysVersion: BLOCK_KEYS_VERSION }).where(eq(reviews.id, reviewId));
    return indexed;
  });
}
