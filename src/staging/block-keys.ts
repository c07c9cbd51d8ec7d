import { asc, count, eq, gt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
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

/** What a rebuild says before it starts, whoever runs it: it takes minutes per million works. */
export function announceRebuild(log: Logger, reviewId: string): (works: number) => void {
  return (works) => log.warn({ review: reviewId, works }, 'match keys changed with this version: rebuilding them; staging waits until done');
}

/**
 * `refreshBlockKeys` for every review in the database whose keys are older, configured or not:
 * `migrate` runs it, so serve and worker start on current keys instead of rebuilding them before
 * their health endpoints listen (minutes per million works: long enough for probes to kill them).
 * Returns the reviews rebuilt, with the number of works indexed.
 */
export async function refreshStaleBlockKeys(db: Db, log: Logger): Promise<{ reviewId: string; works: number }[]> {
  const stale = await db.select({ id: reviews.id }).from(reviews).where(ne(reviews.blockKeysVersion, BLOCK_KEYS_VERSION)).orderBy(asc(reviews.id));
  const rebuilt: { reviewId: string; works: number }[] = [];
  for (const { id } of stale) rebuilt.push({ reviewId: id, works: await refreshBlockKeys(db, id, { onRebuild: announceRebuild(log, id) }) });
  return rebuilt;
}
