import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { liveWorks } from './candidates.js';
import { searchRuns, works, type RunStatus, type WorkStatus } from '../schema/index.js';

export interface CycleRunRow {
  cycleId: string;
  source: string;
  status: RunStatus;
  identified: number;
  fetched: number;
  duplicates: number;
  newWorks: number;
  windowFrom: string;
  windowTo: string;
  startedAt: Date;
}

export interface CycleWorkCount {
  cycleId: string;
  /**
   * 'duplicate': staged as new, found later to be another work: merged into it by a maintainer,
   * or one of the original review's studies once declared as a seed.
   */
  status: WorkStatus | 'duplicate';
  count: number;
}

/** Everything PRISMA counts are derived from: the run log and the works each cycle staged. */
export async function prismaInputs(db: Db, reviewId: string) {
  const runs: CycleRunRow[] = await db
    .select({
      cycleId: searchRuns.cycleId,
      source: searchRuns.source,
      status: searchRuns.status,
      identified: searchRuns.identified,
      fetched: searchRuns.fetched,
      duplicates: searchRuns.duplicates,
      newWorks: searchRuns.newWorks,
      windowFrom: searchRuns.windowFrom,
      windowTo: searchRuns.windowTo,
      startedAt: searchRuns.startedAt,
    })
    .from(searchRuns)
    .where(eq(searchRuns.reviewId, reviewId))
    .orderBy(asc(searchRuns.startedAt), asc(searchRuns.id));
  const status = sql<CycleWorkCount['status']>`case when ${works.mergedIntoId} is null and ${works.origin} = 'candidate' then ${works.status} else 'duplicate' end`;
  const worksByCycle: CycleWorkCount[] = (
    await db
      .select({ cycleId: searchRuns.cycleId, status, count: sql<number>`count(*)::int` })
      .from(works)
      .innerJoin(searchRuns, eq(works.firstSeenRunId, searchRuns.id))
      .where(eq(works.reviewId, reviewId))
      .groupBy(searchRuns.cycleId, status)
  ).map((r) => ({ ...r, count: Number(r.count) }));
  const [seedRow] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(works)
    .where(and(liveWorks(reviewId), eq(works.origin, 'seed')));
  return { runs, worksByCycle, seeds: Number(seedRow?.n ?? 0) };
}
