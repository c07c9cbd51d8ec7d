import { and, asc, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workBlockKeys, works } from '../db/schema/index.js';
import { selectLiveWorks, storedWork } from './candidates.js';
import { storedBlockKeys } from './plan.js';

/**
 * Block keys for works staged before work_block_keys existed, so incremental matching finds them
 * too. Walks only works without any key, by id; safe to run again. Returns the works given keys.
 */
export async function backfillBlockKeys(db: Db, reviewId: string, chunk = 1000): Promise<number> {
  let after = 0;
  let filled = 0;
  for (;;) {
    const rows = await selectLiveWorks(
      db,
      reviewId,
      and(gt(works.id, after), sql`not exists (select 1 from ${workBlockKeys} k where k.work_id = "works"."id")`),
    )
      .orderBy(asc(works.id))
      .limit(chunk);
    if (rows.length === 0) return filled;
    after = rows[rows.length - 1]!.id;
    const keys = rows.flatMap((r) => storedBlockKeys(storedWork(r).norm).map((key) => ({ reviewId, key, workId: r.id })));
    if (keys.length) await db.insert(workBlockKeys).values(keys).onConflictDoNothing();
    filled += new Set(keys.map((k) => k.workId)).size;
  }
}
