import { and, asc, eq } from 'drizzle-orm';
import { reserveId, tryXactLock, withSessionLock, type Db } from '../db/client.js';
import { abandonRun, startRun, type NewRun } from '../db/queries/runs.js';
import { searchRuns } from '../db/schema/index.js';

/**
 * Who owns a `running` search run. The process executing a run holds the run's session-level
 * advisory lock from before its row exists until after it is finished, and Postgres drops a
 * session's locks when its process dies. So a `running` row whose lock can be taken has no live
 * owner, whichever path started it (`run --once`, a worker's search job), and a row whose lock is
 * held is live. (The digest outbox proves its sends the same way.)
 *
 * PGlite is one session in one process: there the lock proves nothing, and a `running` row is
 * live only if this process is running it. Sweeps run before this process starts its own run of
 * a review and source, and one process never runs the same review and source twice at once
 * (`run --once` runs its sources one by one; the queue has one search job per review and source).
 */

/** Advisory-lock namespace of search runs ("lrsr" in the high 32 bits, the run id below). */
const LOCK_BASE = 0x6c727372n << 32n;
export const runLock = (id: number) => LOCK_BASE + BigInt(id);

/**
 * Starts a run and executes `fn` while holding its lock. The id is reserved and locked before the
 * row is written, so no sweeper ever sees the row `running` without its owner's lock. `fn` gets
 * the connection that holds the lock: if that connection is lost, the run fails with it rather
 * than going on unowned.
 */
export async function ownRun<T>(db: Db, run: NewRun, fn: (db: Db, runId: number) => Promise<T>): Promise<T> {
  // The id comes first, so the lock exists before the row does.
  const id = await reserveId(db, 'search_runs');
  return withSessionLock(db, runLock(id), async (owner) => {
    await startRun(owner, { ...run, id });
    return fn(owner, id);
  });
}

export function abandonedReason(foundBy: string, at: Date = new Date()): string {
  return `abandoned: the process running it stopped before finishing (found by ${foundBy} at ${at.toISOString()})`;
}

/**
 * Marks failed the runs of a review and source left `running` by a process that stopped (killed,
 * crashed, lost its connection). Runs whose owner is alive are left alone. Staged records stay:
 * staging is idempotent, the next run links them again. Returns the ids it settled.
 */
export async function settleAbandonedRuns(db: Db, scope: { reviewId: string; source: string }, foundBy: string): Promise<number[]> {
  const reason = abandonedReason(foundBy);
  return db.transaction(async (tx) => {
    // A row being written by its owner right now is skipped: the owner is alive.
    const stuck = await tx
      .select({ id: searchRuns.id })
      .from(searchRuns)
      .where(and(eq(searchRuns.reviewId, scope.reviewId), eq(searchRuns.source, scope.source), eq(searchRuns.status, 'running')))
      .orderBy(asc(searchRuns.id))
      .for('update', { skipLocked: true });
    const settled: number[] = [];
    for (const { id } of stuck) {
      if (!(await tryXactLock(tx, runLock(id)))) continue;
      await abandonRun(tx, id, reason);
      settled.push(id);
    }
    return settled;
  });
}
